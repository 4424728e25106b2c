"""Demo: one region's data return for the first deadline of a year, submitted and then resubmitted with a reason, so
the returns pages show a frozen version, its successor and England's roll-up with one region in.

Run after the rest of the demo data: the region and year are those of the demo's contracts (the newest supported
contract's first, then the others'), taking the first whose supported contracts all have an MoU status (a return
with a missing MoU is refused). Submitted by the demo's NHSE regional team when it is that region's, else by national
NHSE. Idempotent: a region with a resubmitted return for the deadline is left as it is."""

from django.db import transaction

from contracts.funding import financial_year, financial_year_of
from contracts.models import Contract
from core.models import User
from core.roles import Role
from returns.builder import missing_mous, return_build
from returns.figures import NOT_SUPPORT
from returns.models import DataReturn
from returns.return_services import data_return_submit
from returns.targets import deadlines_ensure, default_deadlines

REASON = ("Resubmitted after the region checked its figures with the ICBs: an invoice paid before the deadline "
          "but recorded after it is now counted.")


def _candidates():
    """(region, year) of the demo's supported contracts, newest first, each once."""
    seen = []
    for region, day in (Contract.objects.exclude(practice__region="").exclude(state__in=NOT_SUPPORT)
                        .order_by("-commissioned_on").values_list("practice__region", "commissioned_on")):
        pair = (region, financial_year_of(day))
        if pair not in seen:
            seen.append(pair)
    return seen


def _ready():
    """The first (region, year) whose first-deadline return may be submitted, or None."""
    for region, year in _candidates():
        if not missing_mous(return_build(region=region, deadline=default_deadlines(year)[0])):
            return region, year
    return None


def _actor(region):
    regional = User.objects.filter(role=Role.NHSE_REGIONAL, region=region, is_active=True).order_by("pk").first()
    return regional or User.objects.filter(role=Role.NHSE_REPORTING, is_active=True).order_by("pk").first()


@transaction.atomic
def seed_data_returns(log=print):
    """A return submitted and resubmitted for the first deadline of the demo's region and year."""
    found = _ready()
    if found is None:
        log("Data returns: no region's contracts are ready for a return (an MoU is missing); none submitted.")
        return
    region, year = found
    actor = _actor(region)
    if actor is None:
        log("Data returns: no NHS England user to submit a return; none submitted.")
        return
    deadline = deadlines_ensure(year)[0]
    latest = DataReturn.objects.filter(region=region, deadline=deadline).order_by("-number").first()
    if latest is None:
        latest = data_return_submit(region=region, deadline=deadline, actor=actor, base_number=0)
    if latest.number < 2:
        latest = data_return_submit(region=region, deadline=deadline, actor=actor, base_number=latest.number,
                                    reason=REASON)
    log(f"Data returns: {latest.get_region_display()} {financial_year(year)[2]} deadline 1, "
        f"returns 1 to {latest.number} (by {actor.username}).")
