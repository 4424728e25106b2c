"""Who may read which Diagnostic Reports, Forward Plans and their parts, questionnaires, notifications and stored
PDFs (docs/architecture.md, "Access").

A practice's documents are confidential: the RCGP team working on the contract reads them, the practice reads its
own, and its commissioner reads them only while the practice consents to share. NHSE reads figures only.

Who may read and who may change a contract's documents are rules (DOCUMENT_VERBS) combined from the relations of
core/relations.py; each gives both the contracts whose documents the user may do it with (``documents_where``,
and ``document_contracts_for`` for reading) and the check on one contract (``can``)."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.shortcuts import get_object_or_404

from contracts.access import contracts_for
from contracts.models import Contract
from core import relations
from core.relations import (
    commissioner_of_contract,
    led_by,
    on_team,
    practice_lead,
    practice_of_contract,
    rcgp_lead,
    rcgp_team,
    sees_all,
)
from core.roles import COMMISSIONER_ROLES, NHSE_ROLES, PRACTICE_ROLES, Rule

from .models import (
    Action,
    DiagnosticReport,
    Evidence,
    ForwardPlan,
    Notification,
    QuestionnaireInvitation,
    QuestionnaireResponse,
    ReportVersion,
    SectionDraft,
    StoredPdf,
)
from .vocabulary import TEAM_ONLY_REPORT_STATES, ConsentStatus, ReportState


def _reads_only_shared_states(user):
    """A practice (and, with consent, its commissioner) reads a report only while it is with the practice or final."""
    return relations.active(user) and (user.role in PRACTICE_ROLES or user.role in COMMISSIONER_ROLES)


def _shared(user, contract=None):
    if contract is None:
        return False
    try:
        return contract.consent.status == ConsentStatus.GIVEN
    except ObjectDoesNotExist:
        return False


# The practice consents to share its documents with its commissioner (a condition of the contract, not a relation).
shared_with_commissioner = Rule(_shared, "shared_with_commissioner",
                                q=lambda user: Q(consent__status=ConsentStatus.GIVEN))

# RCGP admin: all; a deputy lead: the contracts they lead; an adviser: the contracts they are on; a practice: its
# own; a commissioner: its own, and only while the practice consents to share. NHSE reads figures only.
READ_DOCUMENTS = (sees_all | led_by | on_team | practice_of_contract
                  | (commissioner_of_contract & shared_with_commissioner))

DOCUMENT_VERBS = {
    "read": READ_DOCUMENTS,
    "write": rcgp_team,                                   # the report's text, the plan's actions: the RCGP team
    "update_progress": rcgp_team | practice_of_contract,  # RAG, progress, milestones, evidence: and the practice
    "check_accuracy": practice_lead,                      # notes corrections while the report is with the practice
    "read_corrections": rcgp_team | practice_of_contract, # the factual-accuracy exchange: never the commissioner
    "run_questionnaire": rcgp_team,
    # Individual staff answers: the deputy lead who leads the contract and the advisers on its team, not even
    # RCGP admin.
    "read_answers": led_by | on_team,
    # Staff invitations (so their e-mail addresses): the contract's practice only. The RCGP team only ever sees
    # counts, so no one who reads the answers can hold a spare invitation.
    "invite_staff": practice_of_contract,
    "read_access_log": sees_all | led_by,
    "approve": rcgp_lead,                                 # sends the report to the practice (the lifecycle's move)
}
DOCUMENT_REFUSALS = {
    "write": "Only the contract's RCGP team can change its documents.",
    "update_progress": "Only the contract's RCGP team or its practice can update progress.",
    "check_accuracy": "Only the practice lead can check the report's factual accuracy.",
    "read_corrections": "Only the contract's RCGP team and its practice can read the corrections.",
    "run_questionnaire": "Only the contract's RCGP team can run the staff questionnaire.",
    "read_answers": "Only the contract's advisers and deputy lead can read individual answers.",
    "invite_staff": "Only the practice can invite its staff to the questionnaire.",
    "read_access_log": "Only the contract's deputy lead or RCGP admin can read the access log.",
    "approve": "Only the contract's deputy lead or RCGP admin can approve the report.",
}


def can(user, verb, contract):
    """May ``user`` do ``verb`` (a key of DOCUMENT_VERBS) with ``contract``'s documents?"""
    return DOCUMENT_VERBS[verb].test(user, contract)


def refusal(user, verb, contract):
    """Why ``user`` may not do ``verb`` with ``contract``'s documents (None: they may)."""
    return None if can(user, verb, contract) else DOCUMENT_REFUSALS.get(verb, "You cannot do this.")


def documents_where(user, verb):
    """Contracts whose documents the user may do ``verb`` with: the queryset face of ``can``."""
    return DOCUMENT_VERBS[verb].filter(user, Contract.objects.all())


def document_contracts_for(user):
    """Contracts whose Diagnostic Report and Forward Plan the user may read (READ_DOCUMENTS)."""
    return documents_where(user, "read")


def reports_for(user):
    """Diagnostic reports the user may read. Drafts, and reports the advisers are correcting, are the RCGP team's:
    a practice (and, with consent, its commissioner) reads the report while it is with the practice and once it
    is final."""
    qs = DiagnosticReport.objects.filter(contract__in=document_contracts_for(user))
    if _reads_only_shared_states(user):
        qs = qs.exclude(state__in=TEAM_ONLY_REPORT_STATES)
    return qs


def report_versions_for(user):
    """Kept versions of the reports the user may read. The versions sent to the practice before it confirmed the
    report belong to the factual-accuracy exchange: a commissioner (with consent) reads only the final one."""
    qs = ReportVersion.objects.filter(report__in=reports_for(user))
    if relations.active(user) and user.role in COMMISSIONER_ROLES:
        qs = qs.filter(state=ReportState.FINAL)
    return qs


def section_drafts_for(user):
    """A writer's own unsaved section text, of reports they may still read: nobody else's, ever."""
    if not relations.active(user):
        return SectionDraft.objects.none()
    return SectionDraft.objects.filter(user=user, report__in=reports_for(user))


def plans_for(user):
    return ForwardPlan.objects.filter(contract__in=document_contracts_for(user))


def actions_for(user):
    return Action.objects.filter(plan__in=plans_for(user))


def plans_for_figures(user):
    """Plans the user may COUNT (never read). NHSE reads figures only: its counts cover the plans of every
    contract it may see (national NHSE every contract, a regional team its region's); everyone else counts the plans
    they may read."""
    if relations.has_role(user, *NHSE_ROLES):
        return ForwardPlan.objects.filter(contract__in=contracts_for(user))
    return plans_for(user)


def actions_for_figures(user):
    """Actions the user may COUNT (never read), on the same terms as plans_for_figures."""
    return Action.objects.filter(plan__in=plans_for_figures(user))


def evidence_for(user):
    return Evidence.objects.filter(action__in=actions_for(user))


def get_report_or_404(user, reference):
    return get_object_or_404(reports_for(user).select_related("contract__practice"), contract__reference=reference)


def get_plan_or_404(user, reference):
    return get_object_or_404(plans_for(user).select_related("contract__practice"), contract__reference=reference)


def get_action_or_404(user, pk):
    return get_object_or_404(actions_for(user).select_related("plan__contract__practice"), pk=pk)


def questionnaire_responses_for(user):
    """Individual staff answers: that contract's advisers and deputy lead only (not even RCGP admin)."""
    return QuestionnaireResponse.objects.filter(questionnaire__contract__in=documents_where(user, "read_answers"))


def questionnaire_invitations_for(user):
    """Staff invitations to a questionnaire, with their e-mail addresses: the contract's practice only. No RCGP,
    commissioner or NHSE user ever sees one, so no one who reads the answers can hold a spare invitation."""
    return QuestionnaireInvitation.objects.filter(questionnaire__contract__in=documents_where(user, "invite_staff"))


def notifications_for(user):
    """A person's own notifications. Nobody, not even RCGP admin, sees anyone else's."""
    if not relations.active(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def pdfs_for(user):
    """Stored PDFs the user may download: whoever may read the document now. A PDF made while the report was
    a draft stays with the RCGP team, as the draft does."""
    reports = StoredPdf.objects.filter(document="report", contract__in=reports_for(user).values("contract"))
    if _reads_only_shared_states(user):
        reports = reports.exclude(source_state__in=TEAM_ONLY_REPORT_STATES)
    plans = StoredPdf.objects.filter(document__in=["plan", "cqc_plan"], contract__in=plans_for(user).values("contract"))
    return reports | plans
