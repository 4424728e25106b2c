"""Reads of NHS England's allocations beyond the figures (returns/figures.py): the current financial year, the
allocations a user may see, what a region or ICB has spent, and the overspend guard's question."""

import datetime
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.funding import SIGNED_AMOUNT, financial_year, financial_year_of
from contracts.models import Contract
from contracts.payment_models import Payment
from core.regions import region_label

from .access import regions_for
from .models import Allocation

ZERO = Decimal("0.00")


def now():
    """The moment targets are judged at: one function, so a test can set the clock for pages and API alike."""
    return timezone.now()


def current_financial_year(today=None):
    """The April-March financial year (the year it starts) that ``today`` (default: today in London) falls in."""
    return financial_year_of(today or timezone.localdate())


def allocations_for(user, *, year=None, region=None):
    """The allocations ``user`` may see (their regions'), region first then its ICBs by name."""
    rows = Allocation.objects.filter(region__in=regions_for(user)).select_related("icb", "recorded_by")
    if year is not None:
        rows = rows.filter(financial_year=year)
    if region:
        rows = rows.filter(region=region)
    # The region's own budget first, then its ICBs by name.
    return rows.order_by("financial_year", "region", F("icb__name").asc(nulls_first=True))


def _icb_q(icb):
    """Contracts of ``icb``: its own and its sub-ICB locations' (the contract's commissioner)."""
    return Q(commissioner=icb) | Q(commissioner__parent=icb)


def spent_in(*, year, region, icb=None, extra=ZERO):
    """What every contract of ``region`` (and of ``icb`` when given) has spent in the financial year: payments paid
    in the year less refunds, over ALL contracts (not one user's view: an allocation is the region's whole budget).
    ``extra`` is added (a payment about to be made)."""
    first, last, _label = financial_year(year)
    contracts = Contract.objects.filter(practice__region=region)
    if icb is not None:
        contracts = contracts.filter(_icb_q(icb))
    spent = (Payment.objects.filter(contract__in=contracts.values("pk"), paid_on__gte=first, paid_on__lte=last)
             .aggregate(total=Sum(SIGNED_AMOUNT))["total"] or ZERO)
    return spent + extra


def _icb_of(contract):
    commissioner = contract.commissioner
    if commissioner is None:
        return None
    return commissioner.parent if commissioner.parent_id else commissioner


def over_allocation(contract, amount, paid_on):
    """None, or what is wrong: paying ``amount`` (signed: a refund is negative) for ``contract`` on ``paid_on`` takes
    its region's spending in that financial year above the region's allocation (when one is entered), or its ICB's
    above the ICB's. The message names the allocation and the spend after the payment."""
    region = Contract.objects.filter(pk=contract.pk).values_list("practice__region", flat=True).first()
    if not region or amount <= 0 or not isinstance(paid_on, datetime.date):
        return None
    year = financial_year_of(paid_on)
    label = financial_year(year)[2]
    allocations = {row.icb_id: row for row in Allocation.objects.filter(financial_year=year, region=region)}
    problems = []
    own = allocations.get(None)
    if own is not None:
        after = spent_in(year=year, region=region, extra=amount)
        if after > own.amount:
            problems.append(f"{region_label(region)}'s spending in {label} would be £{after:,.2f} after this "
                            f"payment, above its allocation of £{own.amount:,.2f}")
    icb = _icb_of(contract)
    if icb is not None and icb.pk in allocations:
        allocated = allocations[icb.pk].amount
        after = spent_in(year=year, region=region, icb=icb, extra=amount)
        if after > allocated:
            problems.append(f"{icb.label}'s spending in {label} would be £{after:,.2f} after this payment, above "
                            f"its allocation of £{allocated:,.2f}")
    return "; ".join(problems) or None


def spent_by_allocation(year):
    """{(region, None): spent, (region, icb pk): spent}: what every contract spent in the year, by region and by
    region and ICB, to set beside the allocations. Two queries."""
    first, last, _label = financial_year(year)
    paid = Payment.objects.filter(paid_on__gte=first, paid_on__lte=last).order_by()
    spent = {}
    for row in paid.values("contract__practice__region").annotate(total=Sum(SIGNED_AMOUNT)):
        spent[(row["contract__practice__region"], None)] = row["total"] or ZERO
    icb = Coalesce("contract__commissioner__parent_id", "contract__commissioner_id")
    for row in paid.annotate(icb=icb).values("contract__practice__region", "icb").annotate(total=Sum(SIGNED_AMOUNT)):
        spent[(row["contract__practice__region"], row["icb"])] = row["total"] or ZERO
    return spent
