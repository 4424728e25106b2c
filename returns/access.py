"""Who may see and do what with NHS England's figures, allocations, targets and data returns.

- National NHSE (``nhse_reporting``) sees every region and England, sets the allocations and the year's targets,
  and reads every return and the national roll-up;
- an NHSE regional team sees its own region only, and submits its region's returns;
- RCGP admin, who runs the programme, reads every region's figures and returns (it enters no budget and submits
  nothing);
- nobody else finds these pages: a region they may not see answers 404, as a missing one does.
The contracts behind the figures come from ``contracts.access.contracts_for`` (a regional team's: its region's).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from contracts.access import contracts_for
from core import relations
from core.regions import Region
from core.roles import Role

from .models import DataReturn

REFUSALS = {
    "manage": "Only national NHS England can enter allocations and set the year's targets.",
    "submit": "Only the region's NHS England team (or national NHS England) can submit its data return.",
}


def regions_for(user):
    """The region codes whose figures and returns ``user`` may see, in Region order."""
    if relations.is_rcgp_admin(user) or relations.has_role(user, Role.NHSE_REPORTING):
        return list(Region.values)
    if relations.of_nhse_region(user):
        return [user.region]
    return []


def sees_england(user):
    """National NHSE and RCGP admin see England's totals and the national roll-up."""
    return relations.is_rcgp_admin(user) or relations.has_role(user, Role.NHSE_REPORTING)


def can(user, verb, region=None):
    """May ``user`` ``verb`` ('view', 'manage' or 'submit'), for ``region`` where it matters?"""
    regions = regions_for(user)
    if verb == "view":
        return bool(regions) if region is None else region in regions
    if verb == "manage":
        return relations.has_role(user, Role.NHSE_REPORTING)
    if verb == "submit":
        national = relations.has_role(user, Role.NHSE_REPORTING)
        own = relations.of_nhse_region(user) and (region is None or region == user.region)
        return national or own
    raise ValueError(f"unknown verb {verb!r}")


def refusal(user, verb, region=None):
    return None if can(user, verb, region) else REFUSALS.get(verb, "You cannot do this.")


def require_region(user, region):
    """``region`` if ``user`` may see it, else 404 (a region they may not see is not there for them)."""
    if region not in regions_for(user):
        raise Http404("No such region")
    return region


def figure_contracts(user):
    """The contracts behind ``user``'s figures."""
    return contracts_for(user)


def returns_for(user):
    """The submitted data returns ``user`` may read."""
    return DataReturn.objects.filter(region__in=regions_for(user))


def get_return_or_404(user, pk):
    return get_object_or_404(returns_for(user).select_related("deadline", "submitted_by"), pk=pk)
