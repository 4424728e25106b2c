"""Writes of national NHS England: a region's or ICB's allocation for a financial year, and the year's deadlines
and targets. Each checks returns/access.py whatever the page showed, and refuses a stale edit with what changed."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from contracts.funding import financial_year as year_bounds
from core.errors import DomainError, StaleEdit, require_allowed
from core.regions import Region, region_label
from core.versions import save_changes
from practices.models import Commissioner

from . import access
from .models import Allocation, Deadline
from .selectors import spent_in
from .targets import LONDON, deadlines_ensure

# A deadline may fall this long after the year's end: the year's last return is due in early April.
DUE_AFTER_YEAR_END = datetime.timedelta(days=30)


def _region(value):
    if value not in Region.values:
        raise DomainError("Choose the NHS England region from the list")
    return value


def is_icb(commissioner):
    """An ICB: recorded as one, or a commissioner with sub-ICB locations under it."""
    return commissioner.kind == Commissioner.Kind.ICB or commissioner.children.exists()


def icbs_of(region=None):
    """The ICBs (of ``region``), by name: the commissioners an allocation may be for."""
    has_children = Exists(Commissioner.objects.filter(parent=OuterRef("pk")))
    rows = Commissioner.objects.filter(kind=Commissioner.Kind.ICB) | Commissioner.objects.filter(has_children)
    if region:
        rows = rows.filter(region=region)
    return rows.distinct().order_by("name")


def _icb(icb, region):
    if icb is None:
        return None
    if not is_icb(icb):
        raise DomainError(f"{icb.label} is not an ICB: choose an ICB, or leave it empty for the region's budget")
    if icb.region != region:
        raise DomainError(f"{icb.label} is not in {region_label(region)}: choose one of its ICBs")
    return icb


def _amount(value):
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError("Enter the allocation in pounds, like 250000.00") from None
    if amount < 0:
        raise DomainError("The allocation must be £0 or more")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError("The allocation must be in pounds and pence, like 250000.00")
    return amount


def _year(value):
    if not isinstance(value, int) or not 2000 <= value <= 2100:
        raise DomainError("Enter the financial year as the year it starts, like 2026")
    return value


def _allocation_changes(row):
    return [("Allocation", f"£{row.amount:,.2f}"), ("Note", row.note or "none")]


@transaction.atomic
def allocation_set(*, financial_year, region, icb=None, amount, note="", base_version, actor):
    """Set the budget national NHSE gives ``region`` (or its ICB ``icb``) for the financial year starting in
    ``financial_year``, creating it or changing it. ``base_version`` is the version the writer started from (0: there
    was none). An amount below what the region (or ICB) has already spent in the year needs a note saying why."""
    require_allowed(access.refusal(actor, "manage"))
    financial_year = _year(financial_year)
    region = _region(region)
    icb = _icb(icb, region)
    amount = _amount(amount)
    note = (note or "").strip()
    existing = (Allocation.objects.select_for_update().order_by("pk")
                .filter(financial_year=financial_year, region=region, icb=icb).first())
    current = existing.version if existing else 0
    if base_version != current:
        raise StaleEdit("Someone else changed this allocation while you were changing it. Nothing of yours was "
                        "saved.", _allocation_changes(existing) if existing else [("Allocation", "removed")])
    spent = spent_in(year=financial_year, region=region, icb=icb)
    if amount < spent and not note:
        who = icb.label if icb else region_label(region)
        raise DomainError(f"{who} has already spent £{spent:,.2f} in {year_bounds(financial_year)[2]}: an allocation "
                          f"of £{amount:,.2f} is below that. Enter a note saying why")
    if existing is None:
        allocation = Allocation(financial_year=financial_year, region=region, icb=icb, amount=amount, note=note,
                                recorded_by=actor)
        allocation._change_reason, allocation._history_user = "allocation entered", actor
        try:
            with transaction.atomic():
                allocation.save()
        except IntegrityError:  # another writer entered it first, between our read and our insert
            raise StaleEdit("Someone else entered this allocation while you were entering it. Nothing of yours "
                            "was saved.", [("Allocation", "entered")]) from None
        return allocation
    save_changes(existing, {"amount": amount, "note": note}, actor=actor, unchanged="The allocation is already that.",
                 reason="allocation changed")
    Allocation.objects.filter(pk=existing.pk).update(recorded_by=actor)  # who, not what: no new version for it
    existing.recorded_by = actor
    return existing


def _percent(value, what):
    if value is None or value == "":
        return None
    if not isinstance(value, int) or not 0 <= value <= 100:
        raise DomainError(f"The {what} target must be a whole number from 0 to 100, or empty for no target")
    return value


def _count(value, what):
    if value is None or value == "":
        return None
    if not isinstance(value, int) or value < 0:
        raise DomainError(f"The {what} target must be a whole number, 0 or more, or empty for no target")
    return value


def _due(value, year, neighbours):
    if not isinstance(value, datetime.datetime):
        raise DomainError("Enter the date and time the return is due")
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    first, last, label = year_bounds(year)
    latest = last + DUE_AFTER_YEAR_END
    day = value.astimezone(LONDON).date()
    if not first <= day <= latest:
        raise DomainError(f"The due date must be inside the {label} financial year or within 30 days after it "
                          f"(from {first:%-d %B %Y} to {latest:%-d %B %Y})")
    before, after = neighbours
    if before is not None and value <= before.due_at:
        raise DomainError(f"The due date must be after deadline {before.number}'s, "
                          f"{before.due_at.astimezone(LONDON):%-d %B %Y %H:%M}")
    if after is not None and value >= after.due_at:
        raise DomainError(f"The due date must be before deadline {after.number}'s, "
                          f"{after.due_at.astimezone(LONDON):%-d %B %Y %H:%M}")
    return value


def _deadline_changes(row):
    return [("Due", f"{row.due_at.astimezone(LONDON):%-d %B %Y %H:%M}"),
            ("Committed", f"{row.committed_percent}%" if row.committed_percent is not None else "no target"),
            ("Spent", f"{row.spent_percent}%" if row.spent_percent is not None else "no target"),
            ("Every MoU agreed", "yes" if row.all_mous_agreed else "no"),
            ("Case studies", row.case_studies if row.case_studies is not None else "no target")]


@transaction.atomic
def deadline_update(*, deadline=None, financial_year=None, number=None, due_at, committed_percent=None,
                    spent_percent=None, all_mous_agreed=False, case_studies=None, base_version, actor):
    """Change one of a year's deadlines (``deadline``, or the year's ``number``-th): when it is due and its
    targets. The year's defaults are saved first, so the other two stay as they were shown."""
    require_allowed(access.refusal(actor, "manage"))
    if deadline is not None:
        financial_year, number = deadline.financial_year, deadline.number
    financial_year = _year(financial_year)
    saved = {row.number: row for row in deadlines_ensure(financial_year)}
    if number not in saved:
        raise DomainError(f"The {year_bounds(financial_year)[2]} financial year has no deadline {number}")
    locked = Deadline.objects.select_for_update().get(pk=saved[number].pk)
    if locked.version != base_version:
        raise StaleEdit("Someone else changed this deadline while you were changing it. Nothing of yours was saved.",
                        _deadline_changes(locked))
    values = {
        "due_at": _due(due_at, financial_year, (saved.get(number - 1), saved.get(number + 1))),
        "committed_percent": _percent(committed_percent, "committed"),
        "spent_percent": _percent(spent_percent, "spent"),
        "all_mous_agreed": bool(all_mous_agreed),
        "case_studies": _count(case_studies, "case studies"),
    }
    save_changes(locked, values, actor=actor, unchanged="The deadline and its targets are already those.",
                 reason="deadline changed")
    Deadline.objects.filter(pk=locked.pk).update(updated_by=actor)  # who, not what: no new version for it
    locked.updated_by = actor
    return locked
