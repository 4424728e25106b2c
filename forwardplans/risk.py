"""Which practices need attention first: ``practice_risk``, the one ranking of practices that home pages read (and
that a commissioner's risk register and the benchmark are to reuse).

Everything comes through the access policy: the practices the user may see (practices/access.py) and the forward
plans they may read (forwardplans/access.py), so a plan a commissioner may not see (no consent) adds nothing. The
plan counts are the plan summary's own (forwardplans.selectors.summaries_for_plans, held equal to what the plan
page shows), summed over the practice's readable plans of live contracts.
"""

import datetime
from dataclasses import dataclass, field

from contracts.workflow import LIVE_STATES
from core.formatting import uk_date
from practices.ratings import Rating
from practices.selectors import practice_list

from . import access
from .deadlines import REINSPECTION
from .selectors import summaries_for_plans
from .vocabulary import Rag


@dataclass
class PracticeRisk:
    """One practice, what puts it at risk (``reasons``, written out for people) and its ``rank`` (1: most at
    risk)."""

    practice: object
    special_measures: bool = False
    rating: str | None = None
    reinspection_due: datetime.date | None = None
    reinspection: str = ""  # "overdue", "due" (within the registry's notice) or ""
    plans: int = 0  # readable plans of live contracts counted below
    by_rag: dict = field(default_factory=lambda: dict.fromkeys(Rag.values, 0))
    overdue_actions: int = 0
    overdue_milestones: int = 0
    reasons: list = field(default_factory=list)
    rank: int = 0

    @property
    def red_actions(self):
        return self.by_rag[Rag.RED]

    @property
    def overdue(self):
        """Overdue actions and overdue milestones together: what "most overdue" sorts by."""
        return self.overdue_actions + self.overdue_milestones

    @property
    def weight(self):
        """The sort key, most at risk first (see practice_risk)."""
        return (-self.special_measures, -{"overdue": 2, "due": 1}.get(self.reinspection, 0), -self.red_actions,
                -self.overdue, -(self.rating == Rating.REQUIRES_IMPROVEMENT), self.practice.name, self.practice.pk)


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _reasons(row):
    reasons = []
    if row.special_measures:
        reasons.append(f"In special measures since {uk_date(row.practice.sm_started_on)}")
    if row.reinspection == "overdue":
        reasons.append(f"Re-inspection overdue: it was due by {uk_date(row.reinspection_due)}")
    elif row.reinspection == "due":
        reasons.append(f"Re-inspection due by {uk_date(row.reinspection_due)}")
    if row.red_actions:
        reasons.append(_plural(row.red_actions, "Red action"))
    if row.overdue_actions:
        reasons.append(_plural(row.overdue_actions, "overdue action"))
    if row.overdue_milestones:
        reasons.append(_plural(row.overdue_milestones, "overdue milestone"))
    if row.rating == Rating.REQUIRES_IMPROVEMENT:
        reasons.append("Rated Requires improvement overall")
    return reasons


def practice_risk(user, *, within=None, today=None):
    """The practices ``user`` may see (narrowed to ``within``: ids or a subquery of them), each with its reasons,
    most at risk first. Three queries, whatever the number of practices.

    Rank 1 is the practice that needs attention most. Practices are compared reason by reason, in this order, the
    next reason deciding only between practices equal on the ones before: in special measures (its current CQC
    rating is Inadequate); its special-measures re-inspection overdue, then due within the notice the deadline
    registry gives for it (forwardplans.deadlines.REINSPECTION); more Red actions; more overdue actions and
    milestones together; rated Requires improvement. Practices equal on all of them follow by name. A practice
    with no reason at all still has a rank (after every practice with one)."""
    today = today or datetime.date.today()
    practices = practice_list(user).only("ods_code", "name")
    if within is not None:
        practices = practices.filter(pk__in=within)
    rows = {p.pk: PracticeRisk(practice=p, rating=p.current_rating) for p in practices}
    plans = dict(access.plans_for(user).filter(contract__practice_id__in=list(rows),
                                               contract__state__in=LIVE_STATES)
                 .values_list("pk", "contract__practice_id"))
    summaries = summaries_for_plans(list(plans), today=today)
    for plan_id, practice_id in plans.items():
        row, summary = rows[practice_id], summaries[plan_id]
        row.plans += 1
        row.overdue_actions += summary.overdue_actions
        row.overdue_milestones += summary.overdue_milestones
        for rag, n in summary.by_rag.items():
            row.by_rag[rag] += n
    for row in rows.values():
        practice = row.practice
        sm = practice.special_measures  # the current episode (practices.models.SpecialMeasuresEpisode)
        if sm.active:
            row.special_measures = True
            row.reinspection_due = sm.reinspection_due
            if row.reinspection_due and row.reinspection_due < today:
                row.reinspection = "overdue"
            elif row.reinspection_due and row.reinspection_due <= today + datetime.timedelta(days=REINSPECTION.ahead):
                row.reinspection = "due"
        row.reasons = _reasons(row)
    ranked = sorted(rows.values(), key=lambda row: row.weight)
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
    return ranked
