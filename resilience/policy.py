"""The one access policy: which organisations' records a user may see, as querysets.

Every page, API view, export, PDF, search, count and notification gets its records from a
function here (DESIGN.md §4). A view never starts from ``Model.objects`` for confidential data;
it starts from ``practices_for(user)`` and friends, and fetches single objects with the
``get_*_or_404`` helpers so that a hidden object answers 404, not 403.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from practices.models import Commissioner, Inspection, Practice

from .roles import COMMISSIONER_ROLES, PRACTICE_ROLES, Role

# Practices and CQC ratings are public register data: the RCGP roles that work across England
# and NHSE's analysts see all of them.
_SEES_ALL_PRACTICES = frozenset({Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD, Role.NHSE_REPORTING})


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


def commissioner_scope(user, field="commissioner"):
    """Q for records whose ``field`` is the user's commissioner or one of its sub-ICB locations."""
    return Q(**{field: user.commissioner_id}) | Q(**{f"{field}__parent": user.commissioner_id})


def practices_for(user):
    """Practices the user may see."""
    qs = Practice.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role in _SEES_ALL_PRACTICES:
        return qs
    if user.role in COMMISSIONER_ROLES and user.commissioner_id:
        return qs.filter(commissioner_scope(user))
    if user.role in PRACTICE_ROLES and user.practice_id:
        return qs.filter(pk=user.practice_id)
    # An adviser sees only the practices of contracts they are on; contracts come with issue #3,
    # so until then an adviser sees none.
    return qs.none()


def get_practice_or_404(user, ods_code):
    return get_object_or_404(practices_for(user), ods_code=ods_code)


def inspections_for(user):
    """Inspections of the practices the user may see."""
    return Inspection.objects.filter(practice__in=practices_for(user))


def commissioners_for(user):
    """Commissioners whose practices the user may see (used to fill filters)."""
    return Commissioner.objects.filter(pk__in=practices_for(user).values("commissioner")).order_by("name")
