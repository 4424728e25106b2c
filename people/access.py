"""Who administers which organisation's people (docs/architecture.md, "Access").

An organisation's admins are: RCGP admin for RCGP (advisers, deputy leads, admins and the adviser pool); a
commissioner lead for their commissioner and its sub-ICB locations; a practice lead for their practice; and an NHS
England member whose membership carries the people-admin flag (``Membership.manages_people``) for NHS England,
national and regional. An operator's superuser administers every organisation. An admin grants only roles of the
organisations they administer, so never a role above their own or outside their organisation.

Two ``Rule``s (core/roles.py) carry this, each with both faces, and so with the union over a person's memberships:
``ADMINISTERS_MEMBERSHIP`` (a ``Membership``: the role and organisation it is) and ``ADMINISTERS_RECORD`` (an
invitation, a change, a sign-in policy: records naming an organisation by ``organisation_kind``, ``commissioner``,
``practice``). Every page, count and link of the people pages gets its records from the ``*_for`` helpers here; a
record of an organisation the user does not administer answers 404 like a missing one.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.shortcuts import get_object_or_404

from core import relations
from core.models import Membership, User
from core.roles import (
    COMMISSIONER_ROLES,
    NHSE_ROLES,
    PRACTICE_ROLES,
    RCGP_ROLES,
    Role,
    Rule,
    organisation_kind,
)

from .models import Invitation, OrganisationKind, PeopleChange, SignInPolicy

ROLES_OF = {
    OrganisationKind.RCGP: [Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADMIN],
    OrganisationKind.NHSE: [Role.NHSE_REPORTING, Role.NHSE_REGIONAL],
    OrganisationKind.COMMISSIONER: [Role.COMMISSIONER_PEER_SUPPORT, Role.COMMISSIONER_LEAD],
    OrganisationKind.PRACTICE: [Role.PRACTICE_USER, Role.PRACTICE_LEAD],
}
KIND_ROLES = {OrganisationKind.RCGP: RCGP_ROLES, OrganisationKind.NHSE: NHSE_ROLES,
              OrganisationKind.COMMISSIONER: COMMISSIONER_ROLES, OrganisationKind.PRACTICE: PRACTICE_ROLES}
NOT_YOURS = "You can only manage the people of the organisations you administer, with their own roles."


@dataclass(frozen=True)
class Organisation:
    """One organisation: its kind, and the commissioner or practice it is (ids)."""

    kind: str
    commissioner_id: int | None = None
    practice_id: int | None = None

    @classmethod
    def of(cls, record):
        """The organisation of a membership or invitation (by its role) or of a record naming one."""
        kind = getattr(record, "organisation_kind", None) or organisation_kind(record.role)
        return cls(kind, record.commissioner_id if kind == "commissioner" else None,
                   record.practice_id if kind == "practice" else None)

    def fields(self):
        """The organisation fields of an invitation, change or policy naming this organisation."""
        return {"organisation_kind": self.kind, "commissioner_id": self.commissioner_id,
                "practice_id": self.practice_id}

    def name(self):
        if self.kind == "commissioner":
            return str(apps.get_model("practices", "Commissioner").objects.get(pk=self.commissioner_id))
        if self.kind == "practice":
            return str(apps.get_model("practices", "Practice").objects.get(pk=self.practice_id))
        return OrganisationKind(self.kind).label


# One membership's face of each rule ---------------------------------------------------------------------------------

def _superuser(user):
    return relations.active(user) and user.is_superuser


def _nhse_admin(user):
    return relations.active(user) and user.role == Role.NHSE_REPORTING and user.manages_people


def _membership_q(user):
    if _superuser(user):
        return True
    if relations.has_role(user, Role.RCGP_ADMIN):
        return Q(role__in=RCGP_ROLES)
    if relations.of_commissioner(user) and user.role == Role.COMMISSIONER_LEAD:
        return Q(role__in=COMMISSIONER_ROLES, commissioner__in=relations.commissioner_ids(user))
    if relations.of_practice(user) and user.role == Role.PRACTICE_LEAD:
        return Q(role__in=PRACTICE_ROLES, practice_id=user.practice_id)
    if _nhse_admin(user):
        return Q(role__in=NHSE_ROLES)
    return False


def _administers(user, kind, commissioner_id, practice_id):
    if _superuser(user):
        return True
    if kind == OrganisationKind.RCGP:
        return relations.has_role(user, Role.RCGP_ADMIN)
    if kind == OrganisationKind.NHSE:
        return _nhse_admin(user)
    if kind == OrganisationKind.PRACTICE:
        return relations.of_practice(user) and user.role == Role.PRACTICE_LEAD and practice_id == user.practice_id
    if kind == OrganisationKind.COMMISSIONER and relations.of_commissioner(user) \
            and user.role == Role.COMMISSIONER_LEAD and commissioner_id is not None:
        if commissioner_id == user.commissioner_id:
            return True
        commissioner = apps.get_model("practices", "Commissioner")
        return commissioner.objects.filter(pk=commissioner_id, parent_id=user.commissioner_id).exists()
    return False


def _membership_test(user, membership=None):
    if membership is None:
        return False
    org = Organisation.of(membership)
    return _administers(user, org.kind, org.commissioner_id, org.practice_id)


def _record_q(user):
    if _superuser(user):
        return True
    if relations.has_role(user, Role.RCGP_ADMIN):
        return Q(organisation_kind=OrganisationKind.RCGP)
    if relations.of_commissioner(user) and user.role == Role.COMMISSIONER_LEAD:
        return Q(organisation_kind=OrganisationKind.COMMISSIONER, commissioner__in=relations.commissioner_ids(user))
    if relations.of_practice(user) and user.role == Role.PRACTICE_LEAD:
        return Q(organisation_kind=OrganisationKind.PRACTICE, practice_id=user.practice_id)
    if _nhse_admin(user):
        return Q(organisation_kind=OrganisationKind.NHSE)
    return False


def _record_test(user, record=None):
    if record is None:
        return False
    return _administers(user, record.organisation_kind, record.commissioner_id, record.practice_id)


ADMINISTERS_MEMBERSHIP = Rule(_membership_test, "administers_membership", q=_membership_q)
ADMINISTERS_RECORD = Rule(_record_test, "administers_organisation_record", q=_record_q)


# What pages use ---------------------------------------------------------------------------------------------------

def administers(user, org):
    """Whether ``user`` (any of their memberships) administers ``org`` (an ``Organisation``)."""
    personas = user.personas() if relations.active(user) else []
    return any(_administers(p, org.kind, org.commissioner_id, org.practice_id) for p in personas)


def is_people_admin(user):
    """Whether the user administers any organisation's people: the header's "People" link (no query for most)."""
    if not relations.active(user):
        return False
    return any(_superuser(p) or p.role in (Role.RCGP_ADMIN, Role.COMMISSIONER_LEAD, Role.PRACTICE_LEAD)
               or (p.role == Role.NHSE_REPORTING and p.manages_people) for p in user.personas())


def organisations_administered(user):
    """Every organisation the user administers, for the people pages' choice of organisation: RCGP, NHS England,
    commissioners (with their sub-ICB locations) and practices."""
    found = []
    for persona in (user.personas() if relations.active(user) else []):
        if _superuser(persona) or relations.has_role(persona, Role.RCGP_ADMIN):
            found.append(Organisation(OrganisationKind.RCGP))
        if _superuser(persona) or _nhse_admin(persona):
            found.append(Organisation(OrganisationKind.NHSE))
        if relations.of_commissioner(persona) and persona.role == Role.COMMISSIONER_LEAD:
            commissioner = apps.get_model("practices", "Commissioner")
            ids = commissioner.objects.filter(pk__in=relations.commissioner_ids(persona)).order_by("name")
            found.extend(Organisation(OrganisationKind.COMMISSIONER, commissioner_id=pk)
                         for pk in ids.values_list("pk", flat=True))
        if relations.of_practice(persona) and persona.role == Role.PRACTICE_LEAD:
            found.append(Organisation(OrganisationKind.PRACTICE, practice_id=persona.practice_id))
    return list(dict.fromkeys(found))


def grantable_roles(user, org):
    """The roles ``user`` may grant at ``org``: that organisation's roles if they administer it, else none."""
    return list(ROLES_OF[org.kind]) if administers(user, org) else []


def may_grant(user, org, role):
    return role in grantable_roles(user, org)


def memberships_for(user):
    """Memberships of the organisations the user administers."""
    return ADMINISTERS_MEMBERSHIP.filter(user, Membership.objects.all())


def people_for(user):
    """People holding a membership of an organisation the user administers."""
    return User.objects.filter(pk__in=memberships_for(user).values("user"))


def invitations_for(user):
    return ADMINISTERS_RECORD.filter(user, Invitation.objects.all())


def changes_for(user):
    """The log of changes (and refused attempts) to the people of the organisations the user administers."""
    return ADMINISTERS_RECORD.filter(user, PeopleChange.objects.all())


def policies_for(user):
    return ADMINISTERS_RECORD.filter(user, SignInPolicy.objects.all())


def get_membership_or_404(user, pk):
    return get_object_or_404(memberships_for(user), pk=pk)


def get_person_or_404(user, pk):
    return get_object_or_404(people_for(user), pk=pk)


def get_invitation_or_404(user, pk):
    return get_object_or_404(invitations_for(user), pk=pk)
