"""Programme figures (docs/domain.md §10): activity and outcomes of one programme, from one grouped query.

Pages, the command and the API all call ``programme_figures``; the caller scopes it by passing
``contracts.access.contracts_for(user)`` as ``contracts`` and, to count the enquiries that are records of their
own (the special-measures offers and the initial conversations, contracts/enquiry_models.py) and their take-up,
``enquiry_figures_for(user)`` as ``enquiries``.

Enquiries are counted once each: every contract (each began as an enquiry, imported ones in state "enquiry"
included) and every Enquiry record that did not become one of the contracts counted. An enquiry that became a
contract is its contract; a declined, not eligible, unanswered or awaited one is an Enquiry record alone. The
take-up blocks ("offers": the special-measures offers alone; "enquiry_outcomes": the Enquiry records of every
source) count the records: an imported contract has none.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Case, Count, Exists, OuterRef, Q, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from practices.ratings import Rating

from .enquiry_models import Enquiry
from .models import Contract, outcome_of
from .vocabulary import Closure, EndReason, Outcome, Programme
from .workflow import ENDED_STATES, State, status_of

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


def programme_figures(*, programme, commissioner=None, date_from=None, date_to=None, contracts=None,
                      enquiries=None, today=None):
    """Activity and outcome figures for one programme, as a dict of the published JSON shape.

    ``commissioner`` (a Commissioner) includes its sub-ICB locations; the dates bound
    ``commissioned_on`` inclusively; ``contracts`` is the base queryset (default: all). With ``enquiries`` (the
    base queryset of Enquiry records), "enquiries" also counts the Enquiry records that did not become a counted
    contract, and "offers" gives the take-up of the offers (see ``offer_figures``): the dates then bound their
    ``opened_on`` too, and ``today`` decides which unanswered offers are past their reply date.
    """
    if programme not in Programme.values:
        raise ValueError(f"{programme!r} is not a programme: one of {', '.join(Programme.values)}")
    return figures_by_programme(programmes=[programme], commissioner=commissioner, date_from=date_from,
                                date_to=date_to, contracts=contracts, enquiries=enquiries, today=today)[programme]


def _in_commissioner(qs, commissioner, field="commissioner"):
    return qs.filter(Q(**{field: commissioner}) | Q(**{f"{field}__parent": commissioner}))


def figures_by_programme(*, programmes=None, commissioner=None, date_from=None, date_to=None, contracts=None,
                         enquiries=None, today=None):
    """{programme: programme_figures(...)} for ``programmes`` (default: every programme, in vocabulary order),
    from one query (two with ``enquiries``)."""
    programmes = list(Programme.values if programmes is None else programmes)
    scope = Contract.objects.all() if contracts is None else contracts
    if commissioner is not None:
        scope = _in_commissioner(scope, commissioner)
    if date_from is not None:
        scope = scope.filter(commissioned_on__gte=date_from)
    if date_to is not None:
        scope = scope.filter(commissioned_on__lte=date_to)
    qs = scope.filter(programme__in=programmes)
    # One GROUP BY over the few columns that decide the figures (a few dozen rows a programme at most), tallied
    # here with workflow.status_of() and models.outcome_of() themselves: far cheaper to build than ~20 filtered
    # COUNTs.
    rows = {programme: [] for programme in programmes}
    for programme, *row in (qs.order_by().values_list("programme", "state", "end_reason", "closure", "rating_after",
                                                      "in_special_measures_after").annotate(n=Count("pk"))):
        rows[programme].append(row)
    result = {programme: _figures(programme, rows[programme]) for programme in programmes}
    if enquiries is not None:
        for programme, (unlinked, offers, outcomes) in _enquiry_rows(scope, enquiries, commissioner=commissioner,
                                                                     date_from=date_from, date_to=date_to,
                                                                     today=today).items():
            if programme in result:
                result[programme]["enquiries"] += unlinked
                result[programme]["offers"] = offers
                result[programme]["enquiry_outcomes"] = outcomes
        for figures in result.values():
            figures.setdefault("offers", _offers({}))
            figures.setdefault("enquiry_outcomes", _outcomes({}))
    return result


OFFER_KEYS = ("made", "accepted", "declined", "no_reply", "awaiting")
OFFER_LABELS = {"made": "Offers made", "accepted": "Accepted (became a contract)", "declined": "Declined",
                "no_reply": "No reply by the reply date", "awaiting": "Awaiting a reply",
                "take_up_percent": "Take-up (accepted, of offers made)"}
# The take-up of the enquiries of every source (offers and conversations): "enquiry_outcomes".
OUTCOME_KEYS = ("made", "accepted", "declined", "not_eligible", "no_reply", "awaiting")
OUTCOME_LABELS = {"made": "Enquiries recorded", "accepted": "Became a contract", "declined": "Declined",
                  "not_eligible": "Not eligible", "no_reply": "No reply", "awaiting": "Awaiting an outcome",
                  "take_up_percent": "Take-up (became a contract, of enquiries recorded)"}


def _offers(counts):
    made = sum(counts.get(key, 0) for key in OFFER_KEYS[1:])
    return {"made": made, **{key: counts.get(key, 0) for key in OFFER_KEYS[1:]},
            "take_up_percent": percent(counts.get("accepted", 0), made)}


def _outcomes(counts):
    made = sum(counts.get(key, 0) for key in OUTCOME_KEYS[1:])
    return {"made": made, **{key: counts.get(key, 0) for key in OUTCOME_KEYS[1:]},
            "take_up_percent": percent(counts.get("accepted", 0), made)}


def _enquiry_rows(contracts, enquiries, *, commissioner=None, date_from=None, date_to=None, today=None):
    """{programme: (Enquiry records not counted as one of ``contracts``, the offers' take-up, the take-up of the
    enquiries of every source)}, from one query."""
    today = today or timezone.localdate()
    qs = enquiries
    if commissioner is not None:
        qs = _in_commissioner(qs, commissioner, "practice__commissioner")
    if date_from is not None:
        qs = qs.filter(opened_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(opened_on__lte=date_to)
    counted = Exists(contracts.order_by().filter(pk=OuterRef("contract_id")))
    rows = (qs.order_by().annotate(overdue=_overdue(today), counted=counted)
            .values_list("programme", "source", "outcome", "overdue", "counted").annotate(n=Count("pk")))
    unlinked, offers, outcomes = {}, {}, {}
    for programme, source, outcome, is_overdue, is_counted, n in rows:
        if not is_counted:
            unlinked[programme] = unlinked.get(programme, 0) + n
        status = _status(outcome, is_overdue)
        tallies = [outcomes.setdefault(programme, {})]
        if source == Enquiry.Source.SPECIAL_MEASURES_OFFER:
            tallies.append(offers.setdefault(programme, {}))
        for tally in tallies:
            tally[status] = tally.get(status, 0) + n
    return {programme: (unlinked.get(programme, 0), _offers(offers.get(programme, {})), _outcomes(tally))
            for programme, tally in outcomes.items()}


def _overdue(today):
    """enquiry_models.status_q's "past the reply date", as a column to group by."""
    return Case(When(reply_due__lt=today, then=True), default=False)


def _status(outcome, overdue):
    return outcome or (Enquiry.Status.NO_REPLY if overdue else Enquiry.Status.AWAITING)


def offer_figures(enquiries, *, today=None):
    """The take-up of the offers in ``enquiries`` (contracts.access.enquiry_figures_for(user)): made, accepted,
    declined, no reply (past the reply date with none recorded), awaiting a reply, and the take-up rate (accepted
    as a percentage of offers made). One query."""
    offers = enquiries.filter(source=Enquiry.Source.SPECIAL_MEASURES_OFFER)
    return _offers(_status_counts(offers, today))


def enquiry_outcome_figures(enquiries, *, today=None):
    """The take-up of the enquiries of every source in ``enquiries``: recorded, became a contract, declined, not
    eligible, no reply (recorded, or an offer past its reply date), awaiting, and the take-up rate. One query."""
    return _outcomes(_status_counts(enquiries, today))


def _status_counts(enquiries, today):
    today = today or timezone.localdate()
    rows = enquiries.order_by().annotate(overdue=_overdue(today)).values_list("outcome", "overdue")
    counts = {}
    for outcome, is_overdue, n in rows.annotate(n=Count("pk")):
        counts[_status(outcome, is_overdue)] = counts.get(_status(outcome, is_overdue), 0) + n
    return counts


def _figures(programme, rows):
    counts = dict.fromkeys(["enquiries", "live", "ended", "completed", "awaiting_reinspection"], 0)
    reasons = dict.fromkeys(EndReason.values, 0)
    outcomes = dict.fromkeys(Outcome.values, 0)
    for state, end_reason, closure, rating_after, in_sm_after, n in rows:
        counts["enquiries"] += n
        status = status_of(state)
        if status == "live":
            counts["live"] += n
        elif status == "ended":
            counts["ended"] += n
            if end_reason in reasons:
                reasons[end_reason] += n
            if end_reason == EndReason.CARRIED_FORWARD_FOR_REINSPECTION:
                outcome = outcome_of(closure, rating_after, in_sm_after)
                if outcome is None:
                    counts["awaiting_reinspection"] += n
                else:
                    counts["completed"] += n
                    outcomes[outcome] += n
    completed = counts["completed"]

    def share(count):
        return {"count": count, "percent": percent(count, completed)}

    return {
        "programme": programme,
        "enquiries": counts["enquiries"],
        "supported": counts["live"] + counts["ended"],
        "live": counts["live"],
        "ended": counts["ended"],
        "ended_by_reason": reasons,
        "completed": completed,
        "awaiting_reinspection": counts["awaiting_reinspection"],
        "outcomes": {outcome: share(count) for outcome, count in outcomes.items()},
        "subtotals": {name: share(sum(outcomes[o] for o in members)) for name, members in SUBTOTALS.items()},
    }


def outcomes_by_programme_year(contracts):
    """Completed contracts' outcomes (rating after support) per programme and year commissioned: [(programme,
    year, {outcome: count})], in programme then year order, from one query."""
    rows = (contracts.filter(COMPLETED).annotate(year=ExtractYear("commissioned_on"))
            .values("programme", "year")
            .annotate(**{o.value: Count("pk", filter=OUTCOME_CONDITIONS[o]) for o in Outcome})
            .order_by("programme", "year"))
    return [(Programme(r["programme"]), r["year"], {o: r[o.value] for o in Outcome}) for r in rows]
