"""Who may see which practices, their inspections and their commissioners (docs/architecture.md, "Access").

Every page, export, count and API view of practices starts here; ``get_practice_or_404`` fetches one so that a
hidden practice answers 404, as a missing one does. The rule is combined from the relations of core/relations.py;
practices and their ratings are register data, changed by imports only, so reading is their only verb, but for the
correction of special-measures episodes."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from core import relations
from core.roles import Role, Rule, is_commissioner_lead

from .models import Commissioner, Inspection, Practice


def _sees_all_practices(user, record=None):
    return relations.active(user) and (user.is_superuser or user.role in relations.SEES_ALL_PRACTICES)


def _is_own(user, record=None):
    return record is not None and relations.of_practice(user) and record.pk == user.practice_id


def _of_my_contracts(user, record=None):
    return (record is not None and relations.has_role(user, Role.RCGP_ADVISER)
            and Practice.objects.filter(pk=record.pk, pk__in=relations.team_practice_ids(user)).exists())


sees_all_practices = Rule(_sees_all_practices, "sees_all_practices", q=_sees_all_practices)
own = Rule(_is_own, "own_practice", q=lambda user: Q(pk=user.practice_id) if relations.of_practice(user) else False)
of_my_contracts = Rule(_of_my_contracts, "practice_of_my_contracts",
                       q=lambda user: (Q(pk__in=relations.team_practice_ids(user))
                                       if relations.has_role(user, Role.RCGP_ADVISER) else False))
VIEW_PRACTICE = sees_all_practices | relations.own_commissioner("commissioner") | own | of_my_contracts
# Special-measures episodes are derived from the register; RCGP admin and the practice's commissioner leads
# correct them (with a reason, kept in their history).
CORRECT_EPISODES = relations.sees_all | (is_commissioner_lead & relations.own_commissioner("commissioner"))


def can(user, verb, practice):
    """May ``user`` do ``verb`` with ``practice``: "view", or "correct_episodes" (special measures)."""
    return {"view": VIEW_PRACTICE, "correct_episodes": CORRECT_EPISODES}[verb].test(user, practice)


def practices_for(user):
    """Practices the user may see."""
    return VIEW_PRACTICE.filter(user, Practice.objects.all())


def get_practice_or_404(user, ods_code):
    return get_object_or_404(practices_for(user), ods_code=ods_code)


def inspections_for(user):
    """Inspections of the practices the user may see."""
    return Inspection.objects.filter(practice__in=practices_for(user))


def commissioners_for(user):
    """Commissioners whose practices the user may see (used to fill filters)."""
    return Commissioner.objects.filter(pk__in=practices_for(user).values("commissioner")).order_by("name")
