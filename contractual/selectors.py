"""Reads of contractual action, starting from contractual/access.py (except ``open_notices_by_practice``, whose
caller has already narrowed ``practice_ids`` to the practices its user may see, and which returns no text)."""

from collections import defaultdict

from practices.models import SpecialMeasuresEpisode

from . import access
from .models import APPEAL_WITHIN, Notice, State


def open_notices_by_practice(practice_ids):
    """{practice_id: [notice summaries]} for the open notices (no outcome recorded, case not closed) of
    ``practice_ids``, oldest first: kind, dates and the deadlines, never the notice's text. One query."""
    found = defaultdict(list)
    rows = (Notice.objects.filter(case__practice_id__in=list(practice_ids), outcome="")
            .exclude(case__state=State.CLOSED).order_by("dated_on", "pk")
            .values("pk", "case__practice_id", "kind", "dated_on", "served_on", "remedy_by"))
    labels = dict(Notice._meta.get_field("kind").choices)
    for row in rows:
        served_on = row["served_on"]
        found[row["case__practice_id"]].append({
            "id": row["pk"], "kind": row["kind"], "kind_label": labels[row["kind"]], "dated_on": row["dated_on"],
            "served_on": served_on, "remedy_by": row["remedy_by"],
            "appeal_by": served_on + APPEAL_WITHIN if served_on else None,
        })
    return dict(found)


def practice_cases(user, practice):
    """The practice's cases the user may see, with every step prefetched (a fixed number of queries)."""
    return (access.cases_for(user).filter(practice=practice)
            .select_related("risk_assessment__assessed_by", "investigation", "opened_by")
            .prefetch_related("decisions__decided_by", "notices__appeal", "continuity"))


def practice_notices(user, practice):
    return access.notices_for(user).filter(case__practice=practice).select_related("case", "appeal")


def cqc_timescale(practice):
    """The current special-measures episode's re-inspection date (002 §94-95: beside the notices' deadlines)."""
    episode = SpecialMeasuresEpisode.objects.current().filter(practice=practice).order_by("-started_on").first()
    return episode
