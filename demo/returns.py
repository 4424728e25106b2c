"""Demo: NHS England's allocations for the demo's current financial year, so the targets board (/returns/) shows a
mix of statuses: the region with the most of the demo's contracts gets a budget its signed agreements fill (on
track or met), the next one a budget well above them (at risk), any others none ("no allocation entered"), and one
or two ICBs of the first region their own budget (the region's page by ICB).

Run after the practices are imported (their regions come from the ODS file) and after the contracts. Entered by the
demo's national NHSE user through the service. Idempotent: an allocation already entered is left as it is."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from contracts.models import Contract
from core.models import User
from core.regions import region_label
from core.roles import Role
from returns.allocation_services import allocation_set, icbs_of
from returns.figures import figures_by_icb, figures_by_region
from returns.models import Allocation
from returns.selectors import current_financial_year

NOTE = "Demo allocation for the year."
FALLBACK = Decimal("120000.00")


def _regions():
    """The regions of the demo's contracts, most contracts first (else of its practices)."""
    rows = (Contract.objects.exclude(practice__region="").values("practice__region")
            .annotate(n=Count("pk")).order_by("-n", "practice__region"))
    return [row["practice__region"] for row in rows]


def _set(actor, year, region, amount, icb=None, log=print):
    if Allocation.objects.filter(financial_year=year, region=region, icb=icb).exists():
        return
    allocation_set(financial_year=year, region=region, icb=icb, amount=amount.quantize(Decimal("0.01")),
                   note=NOTE, base_version=0, actor=actor)
    log(f"Allocation {year}: {icb.label if icb else region_label(region)} £{amount:,.2f}")


@transaction.atomic
def seed_returns(log=print):
    actor = User.objects.filter(role=Role.NHSE_REPORTING, is_active=True).order_by("pk").first()
    if actor is None:
        log("Allocations: no national NHSE user; none entered.")
        return
    year = current_financial_year()
    regions = _regions()
    if not regions:
        log("Allocations: no contract has a known region; none entered.")
        return
    rows, _england = figures_by_region(Contract.objects.all(), year=year, regions=regions[:2])
    by_region = {row.key: row for row in rows}
    first = regions[0]
    committed = by_region[first].committed
    _set(actor, year, first, committed if committed else FALLBACK, log=log)  # its agreements fill it
    if len(regions) > 1:
        second = by_region[regions[1]]
        _set(actor, year, second.key, second.committed * 2 + Decimal("50000"), log=log)  # far from committed
    icbs = list(icbs_of(first)[:2])
    figures = {row.extra["pk"]: row for row in figures_by_icb(Contract.objects.all(), year=year, region=first)}
    for icb in icbs:
        spent = figures[icb.pk].spent if icb.pk in figures else Decimal("0")
        _set(actor, year, first, max(spent, Decimal("40000")), icb=icb, log=log)
