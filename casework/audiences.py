"""The people each Audience of the lifecycle table names, for one contract (active users only). What each of them
may then be told is the access policy's decision (forwardplans.events.notify)."""

from django.db.models import Q

from core.models import User
from core.roles import Role

from .lifecycle import Audience


def _practice_ids(contract):
    return [contract.practice_id, *contract.practices.values_list("pk", flat=True)]


def _commissioner_ids(contract):
    return [c for c in (contract.commissioner_id, contract.commissioner.parent_id) if c]


def recipients(audiences, contract):
    """User ids of everyone in ``audiences`` for this contract (one query)."""
    wanted = Q(pk__in=[])
    if Audience.DEPUTY_LEAD in audiences or Audience.TEAM in audiences:
        wanted |= Q(pk=contract.deputy_lead_id) if contract.deputy_lead_id else Q(pk__in=[])
    if Audience.TEAM in audiences:
        wanted |= Q(adviser_profile__memberships__contract=contract,
                    adviser_profile__memberships__removed_at__isnull=True)
    if Audience.PRACTICE_LEADS in audiences:
        wanted |= Q(role=Role.PRACTICE_LEAD, practice_id__in=_practice_ids(contract))
    if Audience.COMMISSIONER_USERS in audiences:
        wanted |= Q(role__in=[Role.COMMISSIONER_LEAD, Role.COMMISSIONER_PEER_SUPPORT],
                    commissioner_id__in=_commissioner_ids(contract))
    elif Audience.COMMISSIONER_LEADS in audiences:
        wanted |= Q(role=Role.COMMISSIONER_LEAD, commissioner_id__in=_commissioner_ids(contract))
    return list(User.objects.filter(wanted, is_active=True).order_by("pk").values_list("pk", flat=True).distinct())
