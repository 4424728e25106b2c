"""How a user stands to the organisations and contracts of the service, written once.

Each relation is a subquery of ids (never a materialised list), so a scope built from it stays one SQL query. The
domain apps' ``access`` modules build their querysets and per-verb checks from these; models of the apps above the
core are named by label (``apps.get_model``), never imported, so the core stays at the bottom of the layers.
A user's relations come from their membership: one role at one organisation (docs/architecture.md).
"""

from django.apps import apps
from django.db.models import Q

from .roles import COMMISSIONER_ROLES, PRACTICE_ROLES, Role

# Practices and CQC ratings are public register data: the RCGP roles that work across England and NHSE's analysts
# see all of them.
SEES_ALL_PRACTICES = frozenset({Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD, Role.NHSE_REPORTING})


def active(user):
    """Signed in and not deactivated: everyone else has no relations at all."""
    return bool(user and user.is_authenticated and user.is_active)


def is_rcgp_admin(user):
    """RCGP admin, who runs the programme and sees every case (a superuser counts as one)."""
    return active(user) and (user.is_superuser or user.role == Role.RCGP_ADMIN)


def has_role(user, *roles):
    return active(user) and user.role in roles


def of_commissioner(user):
    """Commissioner staff with an organisation."""
    return active(user) and user.role in COMMISSIONER_ROLES and bool(user.commissioner_id)


def of_practice(user):
    """Practice staff with an organisation."""
    return active(user) and user.role in PRACTICE_ROLES and bool(user.practice_id)


def commissioner_ids(user):
    """The user's commissioner and its sub-ICB locations, as a subquery of ids."""
    commissioner = apps.get_model("practices", "Commissioner")
    return commissioner.objects.filter(Q(pk=user.commissioner_id) | Q(parent_id=user.commissioner_id)).values("pk")


def team_contract_ids(user):
    """Contracts the user is currently on the adviser team of (removal from the team ends it)."""
    membership = apps.get_model("contracts", "TeamMembership")
    return membership.objects.filter(adviser__user=user, removed_at__isnull=True).values("contract")


def led_contract_ids(user):
    """Contracts the user is the deputy lead of."""
    return apps.get_model("contracts", "Contract").objects.filter(deputy_lead=user).values("pk")


def team_practice_ids(user):
    """Practices of the contracts the user advises on: the lead practice and every practice of a group."""
    contracts = apps.get_model("contracts", "Contract").objects.filter(pk__in=team_contract_ids(user)).order_by()
    return contracts.values("practice").union(contracts.values("practices"))
