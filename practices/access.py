"""Who may see which practices, their inspections and their commissioners (docs/architecture.md, "Access").

Every page, export, count and API view of practices starts here; ``get_practice_or_404`` fetches one so that a
hidden practice answers 404, as a missing one does. The rule is combined from the relations of core/relations.py;
practices and their ratings are register data, changed by imports only, so reading is their only verb, but for the
correction of special-measures episodes, the regulations an inspection found breached and CQC's enforcement (entered
by hand from the report: CQC's location records carry neither), and what a practice told its patients."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from core import relations
from core.roles import Role, Rule, is_commissioner_lead

from .models import Commissioner, Enforcement, Inspection, PatientInformation, Practice


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
# An NHSE regional team sees its region's practices (national NHSE every one: relations.SEES_ALL_PRACTICES).
VIEW_PRACTICE = (sees_all_practices | relations.own_commissioner("commissioner") | own | of_my_contracts
                 | relations.in_nhse_region("region"))
# Special-measures episodes are derived from the register; RCGP admin and the practice's commissioner leads
# correct them (with a reason, kept in their history).
CORRECT_EPISODES = relations.sees_all | (is_commissioner_lead & relations.own_commissioner("commissioner"))
# The regulations an inspection found breached and CQC's enforcement are public (CQC's reports), so whoever sees the
# practice reads them; the same people who correct episodes enter them from the report.
RECORD_REGULATION = CORRECT_EPISODES
# What a practice rated Inadequate or in special measures told its patients (002 §44-48): the practice's own
# people and its commissioner's (the area team supports the practice and names the senior responsible person, so
# either may record it); nobody else, RCGP admin included: the issue gives it to the commissioner and the practice.
PATIENT_INFORMATION = own | relations.own_commissioner("commissioner")

VERBS = {"view": VIEW_PRACTICE, "correct_episodes": CORRECT_EPISODES, "record_breaches": RECORD_REGULATION,
         "record_enforcement": RECORD_REGULATION, "patient_information": PATIENT_INFORMATION}
REFUSALS = {
    "correct_episodes": "Only RCGP admins and the practice's commissioner leads correct special measures.",
    "record_breaches": "Only RCGP admins and the practice's commissioner leads record the regulations breached.",
    "record_enforcement": "Only RCGP admins and the practice's commissioner leads record CQC's enforcement.",
    "patient_information": "Only the practice and its commissioner record what patients were told.",
}


def can(user, verb, practice):
    """May ``user`` do ``verb`` with ``practice``: "view", "correct_episodes" (special measures),
    "record_breaches", "record_enforcement", or "patient_information" (read and record what patients were told)."""
    return VERBS[verb].test(user, practice)


def refusal(user, verb, practice):
    """Why ``user`` may not do ``verb`` with ``practice`` (written for them), or None when they may."""
    return None if can(user, verb, practice) else REFUSALS.get(verb, "You cannot do that.")


def can_record_breaches(user, practice):
    return can(user, "record_breaches", practice)


def can_record_enforcement(user, practice):
    return can(user, "record_enforcement", practice)


def can_see_patient_information(user, practice):
    """The practice's users and its commissioner's users: they read and record what patients were told."""
    return can(user, "patient_information", practice)


can_record_patient_information = can_see_patient_information


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


def enforcements_for(user):
    """CQC enforcement of the practices the user may see (public, like the inspections it follows)."""
    return Enforcement.objects.filter(practice__in=practices_for(user))


def get_enforcement_or_404(user, practice, pk):
    """One enforcement action of ``practice``, if the user may see it (404 otherwise)."""
    return get_object_or_404(enforcements_for(user).filter(practice=practice), pk=pk)


def get_inspection_or_404(user, practice, pk):
    """One inspection of ``practice``, if the user may see it (404 otherwise)."""
    return get_object_or_404(inspections_for(user).filter(practice=practice), pk=pk)


def patient_information_for(user):
    """What patients were told, of the practices whose people or commissioner the user is of: no one else."""
    return PatientInformation.objects.filter(
        practice__in=PATIENT_INFORMATION.filter(user, practices_for(user)))


def get_patient_information_or_404(user, practice, pk):
    """One record of what ``practice``'s patients were told, if the user may see it (404 otherwise)."""
    return get_object_or_404(patient_information_for(user).filter(practice=practice), pk=pk)
