"""NHS England's figures for a financial year, by region, by ICB and for England, and the year's targets' status.

What each figure means (the README says so too; NHSE's analysts read them from the API):

- allocated: the budget national NHSE gives the region for the year (returns.models.Allocation): the region's own
  entry, or, without one, the sum of its ICBs' entries. England's is the sum of the regions'.
- committed: the agreed value of signed agreements, counted in the financial year the agreement was signed
  (``Contract.mou_signed_on``), as in contracts/funding.py;
- spent: payments made (paid invoices less paid refunds), counted in the financial year they were paid;
- forecast: spent, plus what is still to pay on the year's signed agreements of contracts still running (their
  value less everything paid for them so far, never below nothing): what the year will have spent when they are
  paid in full;
- supported: contracts commissioned in the year (enquiries and contracts the practice declined, withdrew from or
  did not engage with are not support); ``mous_missing`` counts those without a signed agreement;
- case studies: final case studies of the region's contracts written in the year.

A contract's region is its (lead) practice's (practices/regions.py); its ICB is its commissioner's ICB. Everything is
"as of" a moment: a date in the past counts only what had happened by then, which is how a deadline already passed
is judged. The callers pass the contracts the user may see (``contracts.access.contracts_for``).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from contracts.funding import SIGNED_AMOUNT, financial_year
from contracts.payment_models import Payment
from contracts.workflow import SIDE_EXITS, State
from core.regions import Region, region_label

from .models import Allocation

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
NOT_SUPPORT = [State.ENQUIRY, *SIDE_EXITS]
NOT_RUNNING = [State.CLOSED, *SIDE_EXITS]
NOT_KNOWN = ""  # the key of the row of contracts whose region is not known


@dataclass
class Figures:
    """One row: a region, an ICB or England."""

    key: str
    label: str
    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    forecast: Decimal = ZERO
    supported: int = 0
    mous_missing: int = 0
    case_studies: int = 0
    allocation_entered: bool = False
    extra: dict = field(default_factory=dict)

    def percent(self, amount):
        """``amount`` as a whole-number percentage of the allocation (None without one)."""
        if not self.allocated:
            return None
        return int((amount * 100 / self.allocated).quantize(Decimal("1")))

    @property
    def committed_percent(self):
        return self.percent(self.committed)

    @property
    def spent_percent(self):
        return self.percent(self.spent)

    @property
    def remaining(self):
        return self.allocated - self.spent

    def as_dict(self):
        return {"key": self.key, "label": self.label, "allocated": self.allocated, "committed": self.committed,
                "spent": self.spent, "forecast": self.forecast, "supported": self.supported,
                "mous_missing": self.mous_missing, "case_studies": self.case_studies,
                "committed_percent": self.committed_percent, "spent_percent": self.spent_percent,
                "allocation_entered": self.allocation_entered}


def _as_of_date(as_of):
    if as_of is None:
        return None
    return as_of.date() if isinstance(as_of, datetime.datetime) else as_of


def _group(contracts, group_by):
    """The year's contract figures of ``contracts`` grouped by ``group_by`` (an expression on Contract)."""
    return contracts.order_by().annotate(group=group_by)


def _contract_figures(contracts, *, year, as_of, group_by):
    """{group: {committed, supported, mous_missing, forecast_due}} and {group: spent}: three queries."""
    first, last, _label = financial_year(year)
    cut = min(last, as_of) if as_of else last
    signed = Q(mou_signed_on__gte=first, mou_signed_on__lte=cut)
    supported = Q(commissioned_on__gte=first, commissioned_on__lte=cut) & ~Q(state__in=NOT_SUPPORT)
    unsigned = supported & (Q(mou_signed_on__isnull=True) | Q(mou_signed_on__gt=cut))
    paid_so_far = Subquery(
        Payment.objects.filter(contract=OuterRef("pk"), paid_on__isnull=False, paid_on__lte=cut).order_by()
        .values("contract").annotate(total=Sum(SIGNED_AMOUNT)).values("total")[:1], output_field=MONEY)
    rows = (_group(contracts, group_by).filter(signed | supported)
            .annotate(balance=Greatest(F("value") - Coalesce(paid_so_far, Value(ZERO), output_field=MONEY),
                                       Value(ZERO), output_field=MONEY))
            .values("group")
            .annotate(committed=Sum("value", filter=signed), supported=Count("pk", filter=supported),
                      mous_missing=Count("pk", filter=unsigned),
                      due=Sum("balance", filter=signed & ~Q(state__in=NOT_RUNNING))))
    by_group = {row["group"] or NOT_KNOWN: row for row in rows}
    spent = {}
    payments = (Payment.objects.filter(contract__in=contracts.order_by().values("pk"), paid_on__gte=first,
                                       paid_on__lte=cut)
                .order_by().annotate(group=_on_payment(group_by)).values("group")
                .annotate(total=Sum(SIGNED_AMOUNT)))
    for row in payments:
        key = row["group"] or NOT_KNOWN
        spent[key] = spent.get(key, ZERO) + (row["total"] or ZERO)
    return by_group, spent


def _on_payment(group_by):
    """The same grouping, reached from a payment through its contract."""
    name = group_by.name if isinstance(group_by, F) else None
    if name:
        return F(f"contract__{name}")
    return Coalesce("contract__commissioner__parent_id", "contract__commissioner_id")


def _case_studies(contracts, *, year, as_of, path):
    first, last, _label = financial_year(year)
    cut = min(last, as_of) if as_of else last
    case_study = apps.get_model("evaluation", "CaseStudy")
    rows = (case_study.objects.filter(contract__in=contracts.order_by().values("pk"), status="final",
                                      created_on__gte=first, created_on__lte=cut)
            .order_by().values(group=F(f"contract__{path}")).annotate(n=Count("pk")))
    return {row["group"] or NOT_KNOWN: row["n"] for row in rows}


def _fill(row, contract_row, spent, case_studies):
    contract_row = contract_row or {}
    row.committed = contract_row.get("committed") or ZERO
    row.supported = contract_row.get("supported") or 0
    row.mous_missing = contract_row.get("mous_missing") or 0
    row.spent = spent or ZERO
    row.forecast = row.spent + (contract_row.get("due") or ZERO)
    row.case_studies = case_studies or 0
    return row


def region_allocations(year):
    """{region: (amount, entered)}: the region's own allocation, or the sum of its ICBs'."""
    own, icbs = {}, {}
    for region, icb_id, amount in Allocation.objects.filter(financial_year=year).values_list("region", "icb_id",
                                                                                            "amount"):
        if icb_id is None:
            own[region] = amount
        else:
            icbs[region] = icbs.get(region, ZERO) + amount
    return {region: (own.get(region, icbs.get(region, ZERO)), region in own or region in icbs)
            for region in Region.values}


def figures_by_region(contracts, *, year, as_of=None, regions=None):
    """The year's figures for each region (``regions``: the codes to show, all seven by default), then the contracts
    whose region is not known (only when there are some), then England (the sum of the rows shown). Five queries."""
    as_of = _as_of_date(as_of)
    regions = list(regions) if regions is not None else Region.values
    by_region, spent = _contract_figures(contracts, year=year, as_of=as_of, group_by=F("practice__region"))
    studies = _case_studies(contracts, year=year, as_of=as_of, path="practice__region")
    allocations = region_allocations(year)
    rows = []
    for code in regions:
        amount, entered = allocations[code]
        rows.append(_fill(Figures(key=code, label=region_label(code), allocated=amount, allocation_entered=entered),
                          by_region.get(code), spent.get(code), studies.get(code)))
    if regions == Region.values and (by_region.get(NOT_KNOWN) or spent.get(NOT_KNOWN)):
        rows.append(_fill(Figures(key=NOT_KNOWN, label=region_label(NOT_KNOWN)), by_region.get(NOT_KNOWN),
                          spent.get(NOT_KNOWN), studies.get(NOT_KNOWN)))
    england = Figures(key="england", label="England" if regions == Region.values else "Total",
                      allocation_entered=any(r.allocation_entered for r in rows))
    for name in ("allocated", "committed", "spent", "forecast", "supported", "mous_missing", "case_studies"):
        setattr(england, name, sum((getattr(r, name) for r in rows), ZERO if name in MONEY_FIELDS else 0))
    return rows, england


MONEY_FIELDS = {"allocated", "committed", "spent", "forecast"}


def figures_by_icb(contracts, *, year, region, as_of=None):
    """The year's figures for each ICB of ``region`` with contracts or an allocation, by name. Four queries."""
    commissioner = apps.get_model("practices", "Commissioner")
    as_of = _as_of_date(as_of)
    scoped = contracts.filter(practice__region=region)
    icb = Coalesce("commissioner__parent_id", "commissioner_id")
    by_icb, spent = _contract_figures(scoped, year=year, as_of=as_of, group_by=icb)
    allocations = dict(Allocation.objects.filter(financial_year=year, region=region, icb__isnull=False)
                       .values_list("icb_id", "amount"))
    ids = set(by_icb) | set(spent) | set(allocations)
    ids.discard(NOT_KNOWN)
    rows = []
    for icb_row in commissioner.objects.filter(pk__in=ids).order_by("name"):
        rows.append(_fill(Figures(key=icb_row.ods_code, label=icb_row.label,
                                  allocated=allocations.get(icb_row.pk, ZERO),
                                  allocation_entered=icb_row.pk in allocations, extra={"pk": icb_row.pk}),
                          by_icb.get(icb_row.pk), spent.get(icb_row.pk), None))
    return rows
