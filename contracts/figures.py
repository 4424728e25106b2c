"""Programme figures (DESIGN.md §6, issue 3): activity and outcomes of one programme, in one query.

Pages, the command and the API all call ``programme_figures``; the caller scopes it by passing
``resilience.policy.contracts_for(user)`` as ``contracts``.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q

from practices.ratings import Rating

from .models import Contract
from .vocabulary import Closure, EndReason, Outcome, Programme
from .workflow import ENDED_STATES, State

# status_of() as conditions: enquiry, ended (ENDED_STATES), everything else live.
ENQUIRY = Q(state=State.ENQUIRY)
ENDED = Q(state__in=ENDED_STATES)
LIVE = ~ENQUIRY & ~ENDED

# contracts.models.outcome_of() as conditions: keep the two in step (tests/test_programme_figures.py
# checks every combination of closure, rating after and special measures after against it).
# A closure outranks a rating.
_NOT_CLOSED = ~Q(closure__in=[Closure.EMERGENCY, Closure.WITH_NOTICE])
_NOT_IN_SM = Q(in_special_measures_after=False) | Q(in_special_measures_after__isnull=True)
OUTCOME_CONDITIONS = {
    Outcome.GOOD: _NOT_CLOSED & Q(rating_after__in=[Rating.GOOD, Rating.OUTSTANDING]),
    Outcome.REQUIRES_IMPROVEMENT_EXITED_SM: _NOT_CLOSED & Q(rating_after=Rating.REQUIRES_IMPROVEMENT) & _NOT_IN_SM,
    Outcome.REQUIRES_IMPROVEMENT_IN_SM: _NOT_CLOSED & Q(rating_after=Rating.REQUIRES_IMPROVEMENT,
                                                        in_special_measures_after=True),
    Outcome.INADEQUATE_IN_SM: _NOT_CLOSED & Q(rating_after=Rating.INADEQUATE),
    Outcome.EMERGENCY_CLOSURE: Q(closure=Closure.EMERGENCY),
    Outcome.CLOSED_WITH_NOTICE: Q(closure=Closure.WITH_NOTICE),
}
HAS_OUTCOME = reduce(or_, OUTCOME_CONDITIONS.values())

CARRIED_FORWARD = ENDED & Q(end_reason=EndReason.CARRIED_FORWARD_FOR_REINSPECTION)
COMPLETED = CARRIED_FORWARD & HAS_OUTCOME
AWAITING_REINSPECTION = CARRIED_FORWARD & ~HAS_OUTCOME

SUBTOTALS = {
    "improved": (Outcome.GOOD, Outcome.REQUIRES_IMPROVEMENT_EXITED_SM),
    "in_special_measures": (Outcome.REQUIRES_IMPROVEMENT_IN_SM, Outcome.INADEQUATE_IN_SM),
    "closed": (Outcome.EMERGENCY_CLOSURE, Outcome.CLOSED_WITH_NOTICE),
}
SUBTOTAL_LABELS = {
    "improved": "Improved",
    "in_special_measures": "Still in special measures",
    "closed": "Closed",
}


def percent(count, total):
    """count as a percentage of total, one decimal place rounded half up; 0.0 when total is 0."""
    if not total:
        return 0.0
    return float((Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def programme_figures(*, programme, commissioner=None, date_from=None, date_to=None, contracts=None):
    """Activity and outcome figures for one programme, as a dict of the published JSON shape.

    ``commissioner`` (a Commissioner) includes its sub-ICB locations; the dates bound
    ``commissioned_on`` inclusively; ``contracts`` is the base queryset (default: all).
    """
    if programme not in Programme.values:
        raise ValueError(f"{programme!r} is not a programme: one of {', '.join(Programme.values)}")
    qs = (Contract.objects.all() if contracts is None else contracts).filter(programme=programme)
    if commissioner is not None:
        qs = qs.filter(Q(commissioner=commissioner) | Q(commissioner__parent=commissioner))
    if date_from is not None:
        qs = qs.filter(commissioned_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(commissioned_on__lte=date_to)
    counts = qs.order_by().aggregate(
        enquiries=Count("pk"),
        live=Count("pk", filter=LIVE),
        ended=Count("pk", filter=ENDED),
        completed=Count("pk", filter=COMPLETED),
        awaiting_reinspection=Count("pk", filter=AWAITING_REINSPECTION),
        **{f"reason_{reason}": Count("pk", filter=ENDED & Q(end_reason=reason)) for reason in EndReason.values},
        **{f"outcome_{outcome}": Count("pk", filter=COMPLETED & condition)
           for outcome, condition in OUTCOME_CONDITIONS.items()},
    )
    completed = counts["completed"]

    def share(count):
        return {"count": count, "percent": percent(count, completed)}

    outcomes = {outcome.value: counts[f"outcome_{outcome}"] for outcome in Outcome}
    return {
        "programme": programme,
        "enquiries": counts["enquiries"],
        "supported": counts["live"] + counts["ended"],
        "live": counts["live"],
        "ended": counts["ended"],
        "ended_by_reason": {reason: counts[f"reason_{reason}"] for reason in EndReason.values},
        "completed": completed,
        "awaiting_reinspection": counts["awaiting_reinspection"],
        "outcomes": {outcome: share(count) for outcome, count in outcomes.items()},
        "subtotals": {name: share(sum(outcomes[o] for o in members)) for name, members in SUBTOTALS.items()},
    }
