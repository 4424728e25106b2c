"""The one access policy: which organisations' records a user may see, as querysets.

Every page, API view, export, PDF, search, count and notification gets its records from a
function here (DESIGN.md §4). A view never starts from ``Model.objects`` for confidential data;
it starts from ``practices_for(user)`` and friends, and fetches single objects with the
``get_*_or_404`` helpers so that a hidden object answers 404, not 403.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from contracts.models import Contract, Referral, TeamMembership
from contracts.workflow import State
from forwardplans.models import (
    Action,
    DiagnosticReport,
    Evidence,
    ForwardPlan,
    QuestionnaireInvitation,
    QuestionnaireResponse,
    ReportVersion,
)
from forwardplans.vocabulary import TEAM_ONLY_REPORT_STATES, ConsentStatus, ReportState
from practices.models import Commissioner, Inspection, Practice

from .roles import COMMISSIONER_ROLES, PRACTICE_ROLES, RCGP_ROLES, Role

# Practices and CQC ratings are public register data: the RCGP roles that work across England
# and NHSE's analysts see all of them.
_SEES_ALL_PRACTICES = frozenset({Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD, Role.NHSE_REPORTING})


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


def commissioner_scope(user, field="commissioner"):
    """Q for records whose ``field`` is the user's commissioner or one of its sub-ICB locations.

    An IN over the commissioners' ids (not an OR across a join to the commissioner table), so PostgreSQL
    can use the records' commissioner index instead of scanning every practice or contract (issue 9)."""
    ids = Commissioner.objects.filter(Q(pk=user.commissioner_id) | Q(parent_id=user.commissioner_id)).values("pk")
    return Q(**{f"{field}__in": ids})


def _of_practice_or_its_groups(model, groups, group_field, practice_id):
    """Q for ``model`` records of the practice itself or of a group it belongs to (``groups``: the group
    membership model, whose ``group_field`` names the record). One IN over a UNION of the two: an OR of them made
    PostgreSQL guess that half of all contracts match, and scan them (issue 9)."""
    own = model.objects.filter(practice_id=practice_id).order_by().values("pk")
    return Q(pk__in=own.union(groups.objects.filter(practice_id=practice_id).values(group_field)))


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
    if user.role == Role.RCGP_ADVISER:
        contracts = Contract.objects.filter(pk__in=_adviser_contract_ids(user)).order_by()
        return qs.filter(pk__in=contracts.values("practice").union(contracts.values("practices")))
    return qs.none()


def get_practice_or_404(user, ods_code):
    return get_object_or_404(practices_for(user), ods_code=ods_code)


def inspections_for(user):
    """Inspections of the practices the user may see."""
    return Inspection.objects.filter(practice__in=practices_for(user))


def commissioners_for(user):
    """Commissioners whose practices the user may see (used to fill filters)."""
    return Commissioner.objects.filter(pk__in=practices_for(user).values("commissioner")).order_by("name")


def _adviser_contract_ids(user):
    """Contracts the user is currently on the team of (removal ends access)."""
    return TeamMembership.objects.filter(adviser__user=user, removed_at__isnull=True).values("contract")


def contracts_for(user):
    """Contracts the user may see (DESIGN.md §4)."""
    qs = Contract.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role in (Role.RCGP_ADMIN, Role.NHSE_REPORTING):
        return qs
    if user.role == Role.RCGP_DEPUTY_LEAD:
        # The contracts they lead, and new contracts waiting for a lead ("asked to staff").
        return qs.filter(Q(deputy_lead=user) | Q(deputy_lead__isnull=True, state=State.COMMISSIONED))
    if user.role == Role.RCGP_ADVISER:
        return qs.filter(pk__in=_adviser_contract_ids(user))
    if user.role in COMMISSIONER_ROLES and user.commissioner_id:
        return qs.filter(commissioner_scope(user))
    if user.role in PRACTICE_ROLES and user.practice_id:
        return qs.filter(_of_practice_or_its_groups(Contract, Contract.practices.through, "contract",
                                                    user.practice_id))
    return qs.none()


def get_contract_or_404(user, reference):
    return get_object_or_404(contracts_for(user), reference=reference)


def can_see_contract_notes(user):
    """Adviser-only notes are for RCGP eyes."""
    return _active(user) and (user.is_superuser or user.role in RCGP_ROLES)


def can_read_objectives(user):
    """The agreement's objectives are for the contract's parties (its practice, its commissioner, the RCGP team:
    ``contracts_for`` gives them the contract), never NHSE, which reads figures only."""
    return _active(user) and (user.is_superuser or user.role != Role.NHSE_REPORTING)


def referrals_for(user):
    """Self-referrals the user may see: the commissioner's own, the practice's own, all for RCGP admin."""
    qs = Referral.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.RCGP_ADMIN:
        return qs
    if user.role in COMMISSIONER_ROLES and user.commissioner_id:
        return qs.filter(commissioner_scope(user))
    if user.role in PRACTICE_ROLES and user.practice_id:
        return qs.filter(_of_practice_or_its_groups(Referral, Referral.group_practices.through, "referral",
                                                    user.practice_id))
    return qs.none()


def get_referral_or_404(user, pk):
    return get_object_or_404(referrals_for(user), pk=pk)


# Diagnostic reports and forward plans -------------------------------------------------------------

def document_contracts_for(user):
    """Contracts whose Diagnostic Report and Forward Plan the user may read.

    RCGP admin: all; a deputy lead: the contracts they lead; an adviser: the contracts they are on;
    a practice: its own; a commissioner: its own, and only while the practice consents to share.
    NHSE reads figures only, never the documents.
    """
    qs = Contract.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.RCGP_ADMIN:
        return qs
    if user.role == Role.RCGP_DEPUTY_LEAD:
        return qs.filter(deputy_lead=user)
    if user.role == Role.RCGP_ADVISER:
        return qs.filter(pk__in=_adviser_contract_ids(user))
    if user.role in PRACTICE_ROLES:
        return contracts_for(user)
    if user.role in COMMISSIONER_ROLES and user.commissioner_id:
        return qs.filter(commissioner_scope(user), consent__status=ConsentStatus.GIVEN)
    return qs.none()


def reports_for(user):
    """Diagnostic reports the user may read. Drafts, and reports the advisers are correcting, are the RCGP team's:
    a practice (and, with consent, its commissioner) reads the report while it is with the practice and once it
    is final."""
    qs = DiagnosticReport.objects.filter(contract__in=document_contracts_for(user))
    if _active(user) and (user.role in PRACTICE_ROLES or user.role in COMMISSIONER_ROLES):
        qs = qs.exclude(state__in=TEAM_ONLY_REPORT_STATES)
    return qs


def report_versions_for(user):
    """Kept versions of the reports the user may read. The versions sent to the practice before it confirmed the
    report belong to the factual-accuracy exchange: a commissioner (with consent) reads only the final one."""
    qs = ReportVersion.objects.filter(report__in=reports_for(user))
    if _active(user) and user.role in COMMISSIONER_ROLES:
        qs = qs.filter(state=ReportState.FINAL)
    return qs


def section_drafts_for(user):
    """A writer's own unsaved section text, of reports they may still read: nobody else's, ever."""
    from forwardplans.models import SectionDraft

    if not _active(user):
        return SectionDraft.objects.none()
    return SectionDraft.objects.filter(user=user, report__in=reports_for(user))


def plans_for(user):
    return ForwardPlan.objects.filter(contract__in=document_contracts_for(user))


def actions_for(user):
    return Action.objects.filter(plan__in=plans_for(user))


def plans_for_figures(user):
    """Plans the user may COUNT (never read). NHSE reads figures only: its counts cover the plans of every
    contract it may see; everyone else counts the plans they may read."""
    if _active(user) and user.role == Role.NHSE_REPORTING:
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
    if not _active(user):
        return QuestionnaireResponse.objects.none()
    if user.role == Role.RCGP_DEPUTY_LEAD:
        contracts = Contract.objects.filter(deputy_lead=user)
    elif user.role == Role.RCGP_ADVISER:
        contracts = Contract.objects.filter(pk__in=_adviser_contract_ids(user))
    else:
        return QuestionnaireResponse.objects.none()
    return QuestionnaireResponse.objects.filter(questionnaire__contract__in=contracts)


def questionnaire_invitations_for(user):
    """Staff invitations to a questionnaire, with their e-mail addresses: the contract's practice only. No RCGP,
    commissioner or NHSE user ever sees one, so no one who reads the answers can hold a spare invitation."""
    if not _active(user) or user.role not in PRACTICE_ROLES or not user.practice_id:
        return QuestionnaireInvitation.objects.none()
    own = Contract.objects.filter(_of_practice_or_its_groups(Contract, Contract.practices.through, "contract",
                                                             user.practice_id))
    return QuestionnaireInvitation.objects.filter(questionnaire__contract__in=own)


# Background jobs: notifications, stored PDFs, calendar entries (issue #6) -----------------------------

def notifications_for(user):
    """A person's own notifications. Nobody, not even RCGP admin, sees anyone else's."""
    from forwardplans.models import Notification

    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def pdfs_for(user):
    """Stored PDFs the user may download: whoever may read the document now. A PDF made while the report was
    a draft stays with the RCGP team, as the draft does."""
    from forwardplans.models import StoredPdf

    reports = StoredPdf.objects.filter(document="report", contract__in=reports_for(user).values("contract"))
    if _active(user) and (user.role in PRACTICE_ROLES or user.role in COMMISSIONER_ROLES):
        reports = reports.exclude(source_state__in=TEAM_ONLY_REPORT_STATES)
    plans = StoredPdf.objects.filter(document="plan", contract__in=plans_for(user).values("contract"))
    return reports | plans


# API tokens ---------------------------------------------------------------------------------------------------

def api_tokens_for(user):
    """API tokens the user may list and revoke: their own; RCGP admin, everyone's."""
    from .models import ApiToken

    if not _active(user):
        return ApiToken.objects.none()
    if user.role == Role.RCGP_ADMIN:
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)
