"""How a user stands to the organisations and contracts of the service, written once.

Each relation is a ``Rule`` (core/roles.py): one definition with two faces, ``q(user)`` for querysets (built on
subqueries of ids, never a materialised list, so a scope built from it stays one SQL query) and ``test(user,
record)`` for one record already loaded (comparing the ids it holds, and using what a list prefetched, so that a
page that asks about every row costs no query per row). tests/test_access_matrix.py checks that the two faces
agree for every verb, role and organisation. The domain apps' ``access`` modules build their querysets and
their per-verb checks (view, edit, move, consent, ...) by combining these, never by writing a relation again.

Models of the apps above the core are named by label (``apps.get_model``), never imported, so the core stays at
the bottom of the layers. A user's relations come from the membership they act in (``user.role``,
``user.commissioner``, ``user.practice``: the copy of it on the user row, so reading them costs no query;
core/models.py).
"""

from django.apps import apps
from django.db.models import Q

from .roles import (
    COMMISSIONER_ROLES,
    PRACTICE_ROLES,
    Role,
    Rule,
    is_commissioner_lead,
    is_practice_lead,
    signed_in,
)

# Practices and CQC ratings are public register data: the RCGP roles that work across England and NHSE's analysts
# see all of them.
SEES_ALL_PRACTICES = frozenset({Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD, Role.NHSE_REPORTING})
CONTRACT = "contracts.Contract"


def active(user):
    """Signed in and not deactivated: everyone else has no relations at all."""
    return signed_in(user)


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


def of_nhse_region(user):
    """An NHSE regional team member with a region."""
    return active(user) and user.role == Role.NHSE_REGIONAL and bool(user.region)


# Subqueries of ids ------------------------------------------------------------------------------------------------

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
    return led_by.filter(user, apps.get_model(CONTRACT).objects.all()).values("pk")


def team_practice_ids(user):
    """Practices of the contracts the user advises on: the lead practice and every practice of a group."""
    contracts = apps.get_model(CONTRACT).objects.filter(pk__in=team_contract_ids(user)).order_by()
    return contracts.values("practice").union(contracts.values("practices"))


def of_practice_or_its_groups(model, groups, group_field, practice_id):
    """Q for ``model`` records of the practice itself or of a group it belongs to (``groups``: the group
    membership model, whose ``group_field`` names the record). One IN over a UNION of the two: an OR of them made
    PostgreSQL guess that half of all contracts match, and scan them."""
    own = model.objects.filter(practice_id=practice_id).order_by().values("pk")
    return Q(pk__in=own.union(groups.objects.filter(practice_id=practice_id).values(group_field)))


# The relations ----------------------------------------------------------------------------------------------------

def _sees_all(user, record=None):
    return is_rcgp_admin(user)


sees_all = Rule(_sees_all, "sees_all", q=_sees_all)
sees_all.__doc__ = "RCGP admin (or a superuser): every record."


def own_practice(label, groups):
    """The relation "own practice" to records of ``label`` (a model with a ``practice`` and a many-to-many
    ``groups`` of the other practices of a group): the user is practice staff, and their practice is the record's
    or one of its group."""

    def q(user):
        if not of_practice(user):
            return False
        model = apps.get_model(label)
        field = model._meta.get_field(groups)
        return of_practice_or_its_groups(model, field.remote_field.through, field.m2m_field_name(),
                                         user.practice_id)

    def test(user, record=None):
        if record is None or not of_practice(user):
            return False
        if record.practice_id == user.practice_id:
            return True
        prefetched = getattr(record, "_prefetched_objects_cache", {}).get(groups)
        if prefetched is not None:
            return any(practice.pk == user.practice_id for practice in prefetched)
        return getattr(record, groups).filter(pk=user.practice_id).exists()

    return Rule(test, f"own_practice_of_{label}", q=q)


def own_commissioner(field="commissioner"):
    """The relation "commissioner of": the user is commissioner staff, and the record's ``field`` is their
    commissioner or one of its sub-ICB locations."""

    def q(user):
        return Q(**{f"{field}__in": commissioner_ids(user)}) if of_commissioner(user) else False

    def test(user, record=None):
        if record is None or not of_commissioner(user):
            return False
        if getattr(record, f"{field}_id") == user.commissioner_id:
            return True
        return getattr(record, field).parent_id == user.commissioner_id

    return Rule(test, f"own_commissioner_{field}", q=q)


def in_nhse_region(path):
    """The relation "in the region of" an NHSE regional team: the record's region, reached by ``path`` (a lookup
    such as ``"practice__region"``: a practice's region is kept on it, practices/regions.py), is the user's."""

    def q(user):
        return Q(**{path: user.region}) if of_nhse_region(user) else False

    def test(user, record=None):
        if record is None or not of_nhse_region(user):
            return False
        value = record
        for part in path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return False
        return value == user.region

    return Rule(test, f"in_nhse_region_{path}", q=q)


def _leads(user, record=None):
    return record is not None and has_role(user, Role.RCGP_DEPUTY_LEAD) and record.deputy_lead_id == user.pk


led_by = Rule(_leads, "deputy_lead_of",
              q=lambda user: Q(deputy_lead=user) if has_role(user, Role.RCGP_DEPUTY_LEAD) else False)
led_by.__doc__ = "The relation \"deputy lead of\" a contract: the RCGP deputy lead who leads it."


def _on_team(user, record=None):
    if record is None or not has_role(user, Role.RCGP_ADVISER):
        return False
    current = getattr(record, "current_team", None)  # lists prefetch it (contracts.selectors.with_current_team)
    if current is not None:
        return any(member.adviser.user_id == user.pk for member in current)
    return record.team_members.filter(adviser__user=user, removed_at__isnull=True).exists()


on_team = Rule(_on_team, "on_the_team_of",
               q=lambda user: Q(pk__in=team_contract_ids(user)) if has_role(user, Role.RCGP_ADVISER) else False)
on_team.__doc__ = "The relation \"on the team of\" a contract: an adviser currently on it (removal ends it)."

# How a user stands to a contract. Each is defined above, once; everything else combines them.
practice_of_contract = own_practice(CONTRACT, "practices")      # own practice (or one of its group)
commissioner_of_contract = own_commissioner("commissioner")    # its commissioner, or the ICB above it

# The combinations the lifecycle table and the access modules name.
rcgp_lead = sees_all | led_by                                   # the deputy lead who leads it, or RCGP admin
rcgp_team = rcgp_lead | on_team                                 # and the advisers on its team
practice_lead = is_practice_lead & practice_of_contract         # the lead of its practice
commissioner_lead = is_commissioner_lead & commissioner_of_contract

# The duty to report (docs/domain.md §9): who may raise a concern on a contract (the people who work on it), and who
# receives it whatever the practice has agreed to share (the commissioner's lead and RCGP admin).
concern_raisers = led_by | on_team
concern_receivers = sees_all | commissioner_lead
