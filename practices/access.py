"""Who may see which practices, their inspections and their commissioners (docs/architecture.md, "Access").

Every page, export, count and API view of practices starts here; ``get_practice_or_404`` fetches one so that a
hidden practice answers 404, as a missing one does."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from core import relations
from core.roles import Role

from .models import Commissioner, Inspection, Practice


def commissioner_scope(user, field="commissioner"):
    """Q for records whose ``field`` is the user's commissioner or one of its sub-ICB locations.

    An IN over the commissioners' ids (not an OR across a join to the commissioner table), so PostgreSQL can use
    the records' commissioner index instead of scanning every practice or contract."""
    return Q(**{f"{field}__in": relations.commissioner_ids(user)})


def of_practice_or_its_groups(model, groups, group_field, practice_id):
    """Q for ``model`` records of the practice itself or of a group it belongs to (``groups``: the group
    membership model, whose ``group_field`` names the record). One IN over a UNION of the two: an OR of them made
    PostgreSQL guess that half of all contracts match, and scan them."""
    own = model.objects.filter(practice_id=practice_id).order_by().values("pk")
    return Q(pk__in=own.union(groups.objects.filter(practice_id=practice_id).values(group_field)))


def practices_for(user):
    """Practices the user may see."""
    qs = Practice.objects.all()
    if not relations.active(user):
        return qs.none()
    if user.is_superuser or user.role in relations.SEES_ALL_PRACTICES:
        return qs
    if relations.of_commissioner(user):
        return qs.filter(commissioner_scope(user))
    if relations.of_practice(user):
        return qs.filter(pk=user.practice_id)
    if user.role == Role.RCGP_ADVISER:
        return qs.filter(pk__in=relations.team_practice_ids(user))
    return qs.none()


def get_practice_or_404(user, ods_code):
    return get_object_or_404(practices_for(user), ods_code=ods_code)


def inspections_for(user):
    """Inspections of the practices the user may see."""
    return Inspection.objects.filter(practice__in=practices_for(user))


def commissioners_for(user):
    """Commissioners whose practices the user may see (used to fill filters)."""
    return Commissioner.objects.filter(pk__in=practices_for(user).values("commissioner")).order_by("name")
