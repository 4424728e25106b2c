"""Who may read which Diagnostic Reports, Forward Plans and their parts, questionnaires, notifications and stored
PDFs (docs/architecture.md, "Access").

A practice's documents are confidential: the RCGP team working on the contract reads them, the practice reads its
own, and its commissioner reads them only while the practice consents to share. NHSE reads figures only."""

from django.shortcuts import get_object_or_404

from contracts.access import contracts_for, practice_contracts_q
from contracts.models import Contract
from core import relations
from core.roles import COMMISSIONER_ROLES, PRACTICE_ROLES, Role
from practices.access import commissioner_scope

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


def document_contracts_for(user):
    """Contracts whose Diagnostic Report and Forward Plan the user may read.

    RCGP admin: all; a deputy lead: the contracts they lead; an adviser: the contracts they are on;
    a practice: its own; a commissioner: its own, and only while the practice consents to share.
    NHSE reads figures only, never the documents.
    """
    qs = Contract.objects.all()
    if not relations.active(user):
        return qs.none()
    if relations.is_rcgp_admin(user):
        return qs
    if user.role == Role.RCGP_DEPUTY_LEAD:
        return qs.filter(deputy_lead=user)
    if user.role == Role.RCGP_ADVISER:
        return qs.filter(pk__in=relations.team_contract_ids(user))
    if user.role in PRACTICE_ROLES:
        return contracts_for(user)
    if relations.of_commissioner(user):
        return qs.filter(commissioner_scope(user), consent__status=ConsentStatus.GIVEN)
    return qs.none()


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
    contract it may see; everyone else counts the plans they may read."""
    if relations.has_role(user, Role.NHSE_REPORTING):
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
    if relations.has_role(user, Role.RCGP_DEPUTY_LEAD):
        contracts = relations.led_contract_ids(user)
    elif relations.has_role(user, Role.RCGP_ADVISER):
        contracts = relations.team_contract_ids(user)
    else:
        return QuestionnaireResponse.objects.none()
    return QuestionnaireResponse.objects.filter(questionnaire__contract__in=contracts)


def questionnaire_invitations_for(user):
    """Staff invitations to a questionnaire, with their e-mail addresses: the contract's practice only. No RCGP,
    commissioner or NHSE user ever sees one, so no one who reads the answers can hold a spare invitation."""
    if not relations.of_practice(user):
        return QuestionnaireInvitation.objects.none()
    own = Contract.objects.filter(practice_contracts_q(user))
    return QuestionnaireInvitation.objects.filter(questionnaire__contract__in=own)


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
    plans = StoredPdf.objects.filter(document="plan", contract__in=plans_for(user).values("contract"))
    return reports | plans
