"""Writes of a contract's delivery cost: the costed plan's lines, approved extra days, time logged, other costs.

Each service is atomic, checks its actor through finance/access.py whatever the page showed, and raises DomainError
(core.errors) with a message for the person, saving nothing. An edit carries the version it started from; a stale
one is refused with what changed.

How time is priced: an entry takes, when it is logged, the day rate of its adviser's plan line for its activity, or
(for an activity the adviser has no line for, worked on approved extra days) the adviser's highest rate on the plan.
The delivery cost = the days logged × the rate each was priced at + other costs.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from contracts.models import Adviser, TeamMembership
from core.errors import DomainError, NothingChanged, StaleEdit, require_allowed
from core.roles import Role

from . import access
from .models import ExtraDays, OtherCost, PlanLine, TimeEntry
from .vocabulary import Activity

ZERO = Decimal("0")
QUARTER = Decimal("0.25")
STALE = ("Someone else changed {what} while you were changing it. Nothing of yours was saved; what they changed "
         "is shown below. Check it, then try again.")


def _today():
    return timezone.localdate()


def days_text(days):
    """1 -> "1 day", 2.5 -> "2.5 days" (no trailing zeros)."""
    value = Decimal(days).normalize()
    text = f"{value:f}"
    return f"{text} day" if value == 1 else f"{text} days"


def _days(value, what="days"):
    try:
        days = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(f"Enter the {what} as a number, like 1.5") from None
    if days <= 0:
        raise DomainError(f"The {what} must be more than 0")
    if days % QUARTER:
        raise DomainError(f"The {what} must be in quarter days, like 0.25, 0.5 or 1.75")
    return days


def _money(value, what, *, allow_zero=False):
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(f"Enter the {what} in pounds, like 650.00") from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(f"The {what} must be more than £0")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(f"The {what} must be in pounds and pence, like 650.00")
    return amount


def _text(value, message):
    text = (value or "").strip()
    if not text:
        raise DomainError(message)
    return text


def _on_team(contract, adviser):
    """The adviser must be on the contract's team now."""
    if adviser is None or not TeamMembership.objects.filter(contract=contract, adviser=adviser,
                                                            removed_at__isnull=True).exists():
        raise DomainError(f"{adviser or 'That adviser'} is not on the team of contract {contract.reference}")


def _activity(value):
    if value not in Activity.values:
        raise DomainError("Choose the activity from the list")
    return value


def _past_date(value, contract, what):
    if not isinstance(value, datetime.date):
        raise DomainError(f"Enter the {what}")
    if value > _today():
        raise DomainError(f"The {what} must be today or in the past")
    if value < contract.commissioned_on:
        raise DomainError(f"The {what} must be on or after the day contract {contract.reference} was commissioned, "
                          f"{contract.commissioned_on:%-d %B %Y}")
    return value


def funded_days(contract, adviser):
    """(costed, approved, used) days of one adviser on one contract."""
    costed = PlanLine.objects.filter(contract=contract, adviser=adviser).aggregate(d=Sum("days"))["d"] or ZERO
    approved = ExtraDays.objects.filter(contract=contract, adviser=adviser).aggregate(d=Sum("days"))["d"] or ZERO
    used = TimeEntry.objects.filter(contract=contract, adviser=adviser).aggregate(d=Sum("days"))["d"] or ZERO
    return costed, approved, used


def _lock_adviser(adviser):
    """Serialise the writes that count one adviser's days, so two at once cannot both pass the check."""
    Adviser.objects.select_for_update().filter(pk=adviser.pk).first()


# The costed plan -------------------------------------------------------------------------------------------------

@transaction.atomic
def plan_line_add(*, contract, actor, adviser, activity, days, day_rate):
    """Add a line to the costed turnaround plan: ``days`` of ``activity`` by ``adviser`` at ``day_rate``."""
    require_allowed(access.refusal(actor, "manage_plan", contract))
    _on_team(contract, adviser)
    activity = _activity(activity)
    days = _days(days, "costed days")
    day_rate = _money(day_rate, "day rate", allow_zero=True)
    if PlanLine.objects.filter(contract=contract, adviser=adviser, activity=activity).exists():
        raise DomainError(f"{adviser} already has a line for {Activity(activity).label}: change that line instead")
    line = PlanLine(contract=contract, adviser=adviser, activity=activity, days=days, day_rate=day_rate,
                    recorded_by=actor)
    line._change_reason = "costed plan line added"
    line.save()
    return line


@transaction.atomic
def plan_line_update(*, line, actor, base_version, days, day_rate):
    """Change a plan line's days or rate. Its days may not fall below what the adviser has already used beyond
    their other funded days. Entries already logged keep the rate they were priced at."""
    line = PlanLine.objects.select_for_update().select_related("contract", "adviser__user").get(pk=line.pk)
    require_allowed(access.refusal(actor, "manage_plan", line.contract))
    if line.version != base_version:
        raise StaleEdit(STALE.format(what="this plan line"),
                        [("Costed days", days_text(line.days)), ("Day rate", f"£{line.day_rate}")])
    days = _days(days, "costed days")
    day_rate = _money(day_rate, "day rate", allow_zero=True)
    if days == line.days and day_rate == line.day_rate:
        raise NothingChanged("Nothing was changed.")
    _lock_adviser(line.adviser)
    costed, approved, used = funded_days(line.contract, line.adviser)
    if costed - line.days + days + approved < used:
        raise DomainError(f"{line.adviser} has already logged {days_text(used)} on this contract: their costed and "
                          f"approved days cannot be fewer than that")
    line.days, line.day_rate, line.version = days, day_rate, line.version + 1
    line._change_reason = "costed plan line changed"
    line.save()
    return line


@transaction.atomic
def extra_days_approve(*, contract, actor, adviser, days, reason, approved_on=None):
    """The deputy lead's (or RCGP admin's) approval of ``days`` beyond ``adviser``'s costed days, with a reason."""
    require_allowed(access.refusal(actor, "manage_plan", contract))
    _on_team(contract, adviser)
    days = _days(days, "extra days")
    reason = _text(reason, "Enter why the extra days are approved")
    approved_on = _past_date(approved_on or _today(), contract, "date of the approval")
    approval = ExtraDays(contract=contract, adviser=adviser, days=days, reason=reason, approved_on=approved_on,
                         approved_by=actor)
    approval._change_reason = "extra days approved"
    approval.save()
    return approval


# Time and other costs --------------------------------------------------------------------------------------------

def _rate_for(contract, adviser, activity):
    lines = PlanLine.objects.filter(contract=contract, adviser=adviser)
    rate = lines.filter(activity=activity).values_list("day_rate", flat=True).first()
    if rate is None:
        rate = lines.aggregate(r=Max("day_rate"))["r"]
    if rate is None:
        raise DomainError(f"{adviser} has no costed days in the plan of contract {contract.reference}: the deputy "
                          f"lead adds a plan line for them first")
    return rate


@transaction.atomic
def time_log(*, contract, actor, adviser, worked_on, activity, days, note=""):
    """Log ``days`` an adviser worked on the contract. An adviser logs their own; the deputy lead and RCGP admin
    anyone's on the team. Refused beyond the adviser's funded days (costed + approved extra)."""
    require_allowed(access.refusal(actor, "log_time", contract))
    if adviser is not None and actor.role == Role.RCGP_ADVISER and adviser.user_id != actor.pk:
        raise DomainError("An adviser logs their own time: the deputy lead logs it for someone else")
    _on_team(contract, adviser)
    activity = _activity(activity)
    days = _days(days)
    worked_on = _past_date(worked_on, contract, "date")
    _lock_adviser(adviser)
    costed, approved, used = funded_days(contract, adviser)
    if used + days > costed + approved:
        left = costed + approved - used
        raise DomainError(
            f"{adviser} has {days_text(left)} left of {days_text(costed + approved)} funded "
            f"({days_text(costed)} costed" + (f", {days_text(approved)} approved extra" if approved else "")
            + f"): {days_text(days)} would go beyond them. Ask the deputy lead to approve extra days first")
    entry = TimeEntry(contract=contract, adviser=adviser, worked_on=worked_on, activity=activity, days=days,
                      day_rate=_rate_for(contract, adviser, activity), note=(note or "").strip(), recorded_by=actor)
    entry._change_reason = "time logged"
    entry.save()
    return entry


@transaction.atomic
def other_cost_add(*, contract, actor, incurred_on, what, amount):
    """A cost of delivery other than advisers' days."""
    require_allowed(access.refusal(actor, "manage_plan", contract))
    what = _text(what, "Enter what the cost was for")
    amount = _money(amount, "amount")
    incurred_on = _past_date(incurred_on, contract, "date of the cost")
    cost = OtherCost(contract=contract, incurred_on=incurred_on, what=what[:300], amount=amount, recorded_by=actor)
    cost._change_reason = "other cost added"
    cost.save()
    return cost
