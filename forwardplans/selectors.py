"""Reads of reports and plans (always from the access policy) and the plan summary figures."""

import datetime
import difflib
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q

from resilience import policy

from .models import Action, Milestone, RagChange
from .vocabulary import KEY_QUESTION_CHOICES, REPORT_SECTIONS, Rag

DUE_SOON_DAYS = 14


@dataclass
class PlanSummary:
    total: int = 0
    by_rag: dict = field(default_factory=lambda: dict.fromkeys(Rag.values, 0))
    overdue_milestones: int = 0
    overdue_actions: int = 0
    due_soon: int = 0

    @property
    def percent_complete(self):
        return round(self.by_rag[Rag.GREEN] * 100 / self.total, 1) if self.total else 0.0


def summaries_for_plans(plan_ids, today=None):
    """{plan id: PlanSummary} for many plans in two queries, whatever their size: the plans' actions (RAG,
    planned completion), then their open milestones due up to 14 days ahead, counted per action. From them:
    actions by RAG, overdue milestones, overdue actions (past planned completion, not Green) and actions due in
    the next 14 days (not yet Green, completion or a milestone due).

    The milestones are asked for by the actions' ids, so PostgreSQL probes milestone_open_action_idx per action
    instead of reading every open overdue milestone in England (issue 9)."""
    today = today or datetime.date.today()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    summaries = {pk: PlanSummary() for pk in plan_ids}
    actions = {}
    for pk, plan_id, rag, completion in (Action.objects.filter(plan_id__in=plan_ids).order_by()
                                         .values_list("pk", "plan_id", "rag_status", "planned_completion")):
        summary = summaries[plan_id]
        summary.by_rag[rag] += 1
        summary.total += 1
        actions[pk] = (plan_id, rag, completion)
        if rag != Rag.GREEN and completion < today:
            summary.overdue_actions += 1
    milestone_soon = set()
    rows = (Milestone.objects.filter(action_id__in=list(actions), done_on__isnull=True, due_on__lte=soon).order_by()
            .values("action_id").annotate(overdue=Count("due_on", filter=Q(due_on__lt=today)),
                                          soon=Count("due_on", filter=Q(due_on__gte=today))))
    for row in rows:
        summaries[actions[row["action_id"]][0]].overdue_milestones += row["overdue"]
        if row["soon"]:
            milestone_soon.add(row["action_id"])
    for pk, (plan_id, rag, completion) in actions.items():
        if rag != Rag.GREEN and (today <= completion <= soon or pk in milestone_soon):
            summaries[plan_id].due_soon += 1
    return summaries


def plan_summary(plan, today=None):
    return summaries_for_plans([plan.pk], today)[plan.pk]


def plan_actions(plan, today=None):
    """The plan's actions with milestones, grouped by key question (in CQC order), by priority."""
    actions = list(plan.actions.select_related("lead_user").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
        "evidence").order_by("priority", "pk"))
    order = [key for key, _label in KEY_QUESTION_CHOICES]
    labels = dict(KEY_QUESTION_CHOICES)
    groups = []
    for key in order:
        members = [a for a in actions if a.key_question == key]
        if members:
            groups.append((labels[key], members))
    return groups


def action_detail(user, pk):
    action = policy.get_action_or_404(user, pk)
    return {
        "action": action,
        "milestones": list(action.milestones.select_related("done_by")),
        "progress": list(action.progress.select_related("by")),
        "rag_changes": list(RagChange.objects.filter(action=action).select_related("by")),
        "evidence": list(action.evidence.select_related("uploaded_by")),
        "contract": action.plan.contract,
    }


def version_diff(older, newer):
    """Per section, the words removed and added between two report versions, for display."""
    sections = []
    for name, heading in REPORT_SECTIONS:
        before = (older.sections.get(name, "") if older else "").split()
        after = newer.sections.get(name, "").split()
        if before == after:
            continue
        pieces = []
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
            if op == "equal":
                pieces.append(("same", " ".join(before[a1:a2])))
            if op in ("delete", "replace"):
                pieces.append(("removed", " ".join(before[a1:a2])))
            if op in ("insert", "replace"):
                pieces.append(("added", " ".join(after[b1:b2])))
        sections.append((heading, pieces))
    return sections


def rag_counts_by_commissioner(actions, *, commissioner=None):
    """Counts of actions by RAG status per commissioner of their contracts, in one query."""
    if commissioner is not None:
        actions = actions.filter(Q(plan__contract__commissioner=commissioner)
                                 | Q(plan__contract__commissioner__parent=commissioner))
    return list(
        actions.order_by()
        .values(commissioner=F("plan__contract__commissioner__ods_code"),
                commissioner_name=F("plan__contract__commissioner__name"))
        .annotate(**{rag: Count("pk", filter=Q(rag_status=rag)) for rag in Rag.values}, total=Count("pk"))
        .order_by("commissioner")
    )
