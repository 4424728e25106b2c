"""A forward plan's charts, shaped for templates/macros/charts.jinja: [(row label, [values])] per series."""

import datetime
from collections import defaultdict

from .models import RagChange
from .vocabulary import Rag

# NHS.UK palette; the legend and the table carry the words.
RAG_SERIES = [("Red", "#d5281b"), ("Amber", "#ffb81c"), ("Green", "#007f3b")]


def rag_over_time(plan, actions=None, weeks=12, today=None):
    """A plan's actions (``actions``: the plan's actions if already loaded) by RAG at the end of each of the last
    ``weeks`` weeks, replayed from the RAG history.

    An action counts from the week it was created, Red until its first recorded change.
    """
    today = today or datetime.date.today()
    ids = list(plan.actions.values_list("pk", flat=True)) if actions is None else [a.pk for a in actions]
    actions = _created_on(plan, ids)
    changes = defaultdict(list)
    for action_id, at, to_status in (RagChange.objects.filter(action__plan=plan).order_by("at", "pk")
                                     .values_list("action_id", "at", "to_status")):
        changes[action_id].append((at.date(), to_status))
    rows = []
    for back in range(weeks - 1, -1, -1):
        end = today - datetime.timedelta(days=7 * back)
        totals = dict.fromkeys(Rag.values, 0)
        for action_id, created in actions.items():
            if created > end:
                continue
            status = Rag.RED
            for day, to_status in changes[action_id]:
                if day <= end:
                    status = to_status
            totals[status] += 1
        rows.append((f"Week to {end:%-d %b}", [totals[r] for r in Rag.values]))
    while len(rows) > 1 and not any(rows[0][1]):  # start at the plan's first week
        rows.pop(0)
    return rows


def _created_on(plan, action_ids):
    """{action id: the date it was created} (from its first history row; the plan's creation without one)."""
    first = {}
    for action_id, date in (plan.actions.model.history.filter(plan_id=plan.pk, history_type="+")
                            .values_list("id", "history_date")):
        first[action_id] = date.date()
    return {pk: first.get(pk, plan.created_at.date()) for pk in action_ids}
