"""Write operations on Diagnostic Reports, Forward Plans and consent to share.

Edits carry the version they were based on. The row is locked (SELECT ... FOR UPDATE) and the
version compared before saving, so two people editing at once cannot overwrite each other: the
second, stale save raises StaleEdit with what changed in between, and nothing is lost.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from contracts.models import Contract
from resilience.errors import DomainError

from . import permissions
from .models import (
    Action,
    ConsentToShare,
    DiagnosticReport,
    Evidence,
    ForwardPlan,
    Milestone,
    ProgressEntry,
    RagChange,
    ReportVersion,
)
from .uploads import validate_evidence_file
from .vocabulary import REPORT_SECTIONS, ConsentStatus, Rag, ReportState, RootCause

ACTION_FIELDS = ["key_question", "regulation", "problem", "underlying_issue", "action_planned", "lead_person",
                 "lead_user", "responsible", "accountable", "resources", "sources_of_support", "evidence_needed",
                 "eventual_goal", "planned_completion", "next_steps", "priority"]


class StaleEdit(DomainError):
    """Someone else saved first. ``changes`` lists (field label, value now saved) for what they changed."""

    def __init__(self, message, changes):
        super().__init__(message)
        self.changes = changes


def _require(predicate, actor, contract, message):
    if not predicate.test(actor, contract):
        raise DomainError(message)


# Diagnostic Report ------------------------------------------------------------------------------

def report_for_contract(contract):
    report, _created = DiagnosticReport.objects.get_or_create(contract=contract)
    return report


def _report_changes(report, base_revision):
    """Sections changed since ``base_revision`` (from the report's history)."""
    base = report.history.filter(revision=base_revision).order_by("-history_date").first()
    changes = []
    for section, heading in REPORT_SECTIONS:
        field = DiagnosticReport.field_for(section)
        now = getattr(report, field)
        if base is None or getattr(base, field) != now:
            changes.append((heading, now))
    if base is None or base.root_causes != report.root_causes:
        changes.append(("Root causes", ", ".join(RootCause(c).label for c in report.root_causes)))
    return changes


@transaction.atomic
def report_save(*, report, actor, sections, root_causes, base_revision):
    """Save the report's sections and root-cause tags if nobody else saved since ``base_revision``."""
    _require(permissions.can_write_documents, actor, report.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin can edit the report.")
    if report.state != ReportState.DRAFT:
        raise DomainError("The report can only be edited while it is a draft.")
    unknown = set(root_causes) - set(RootCause.values)
    if unknown:
        raise DomainError(f"Unknown root cause: {', '.join(sorted(unknown))}.")
    locked = DiagnosticReport.objects.select_for_update().get(pk=report.pk)
    if locked.revision != base_revision:
        raise StaleEdit("Someone else saved this report while you were editing it. Your changes have not been "
                        "saved: they are still in the form below. Compare them with what was saved, then save again.",
                        _report_changes(locked, base_revision))
    for name, _heading in REPORT_SECTIONS:
        setattr(locked, DiagnosticReport.field_for(name), (sections.get(name) or "").strip())
    locked.root_causes = sorted(set(root_causes))
    locked.updated_by = actor
    locked.revision += 1
    locked._change_reason = "edited"
    locked.save()
    return locked


def _snapshot(report, actor):
    number = (report.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return ReportVersion.objects.create(
        report=report, number=number, state=report.state, sections=report.section_values(),
        root_causes=report.root_causes, created_by=actor)


def _move_report(report, actor, allowed_from, to_state, predicate, refusal, keep_version=False):
    report = DiagnosticReport.objects.select_for_update().select_related("contract").get(pk=report.pk)
    _require(predicate, actor, report.contract, refusal)
    if report.state not in allowed_from:
        raise DomainError(f"The report is “{report.get_state_display()}”: it cannot become "
                          f"“{ReportState(to_state).label}” now.")
    report.state = to_state
    report.revision += 1
    report._change_reason = f"→ {to_state}"
    if to_state == ReportState.FINAL:
        report.approved_by, report.approved_at = actor, timezone.now()
    report.save()
    if keep_version:
        _snapshot(report, actor)
    return report


@transaction.atomic
def report_send_to_practice(*, report, actor):
    """The deputy lead approves the draft and sends it to the practice for factual accuracy (a version is kept)."""
    if not any((report.section_values() or {}).values()):
        raise DomainError("Write at least one section before sending the report.")
    return _move_report(report, actor, {ReportState.DRAFT}, ReportState.WITH_PRACTICE, permissions.can_approve_report,
                        "Only the contract's deputy lead or RCGP admin can approve and send the report.",
                        keep_version=True)


@transaction.atomic
def report_return_to_draft(*, report, actor):
    """The practice found factual errors (or the team withdraws it): back to draft for correction."""
    return _move_report(report, actor, {ReportState.WITH_PRACTICE}, ReportState.DRAFT,
                        permissions.can_check_accuracy | permissions.can_write_documents,
                        "Only the practice lead or the contract's RCGP team can return the report.")


@transaction.atomic
def report_confirm_accuracy(*, report, actor):
    return _move_report(report, actor, {ReportState.WITH_PRACTICE}, ReportState.ACCURACY_CONFIRMED,
                        permissions.can_check_accuracy,
                        "Only the practice lead (or the contract's deputy lead) can confirm factual accuracy.")


@transaction.atomic
def report_finalise(*, report, actor):
    """The deputy lead approves the checked report as final (a version is kept)."""
    return _move_report(report, actor, {ReportState.ACCURACY_CONFIRMED}, ReportState.FINAL,
                        permissions.can_approve_report,
                        "Only the contract's deputy lead or RCGP admin can make the report final.", keep_version=True)


# Forward Plan -----------------------------------------------------------------------------------

def plan_for_contract(contract):
    plan, _created = ForwardPlan.objects.get_or_create(contract=contract)
    return plan


def _clean_milestones(milestones):
    cleaned = []
    for description, due_on in milestones:
        description = (description or "").strip()
        if description and not due_on:
            raise DomainError(f"Give a due date for the milestone “{description}”.")
        if due_on and not description:
            raise DomainError("Describe each milestone that has a due date.")
        if description:
            cleaned.append((description, due_on))
    return cleaned


@transaction.atomic
def action_create(*, plan, actor, milestones=(), **fields):
    """Add an action with every field of the improvement-plan template, and its milestones."""
    _require(permissions.can_write_documents, actor, plan.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin can add actions.")
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise DomainError(f"Unknown action field(s): {', '.join(sorted(unknown))}.")
    action = Action.objects.create(plan=plan, **fields)
    Milestone.objects.bulk_create(
        [Milestone(action=action, description=d, due_on=due) for d, due in _clean_milestones(milestones)])
    return action


def _action_changes(action, base_version):
    base = action.history.filter(version=base_version).order_by("-history_date").first()
    changes = []
    for name in [*ACTION_FIELDS, "rag_status"]:
        field = Action._meta.get_field(name)
        now = getattr(action, field.attname)
        if base is None or getattr(base, field.attname) != now:
            shown = getattr(action, f"get_{name}_display")() if field.choices else getattr(action, name)
            changes.append((capfirst(field.verbose_name), shown))
    return changes


def _stale(action, base_version, what):
    return StaleEdit(f"Someone else changed this action while you were {what}. Nothing of yours was saved; "
                     "what they changed is shown below. Check it, then try again.",
                     _action_changes(action, base_version))


@transaction.atomic
def action_update(*, action, actor, base_version, **fields):
    """Change an action's fields if nobody else changed it since ``base_version``."""
    _require(permissions.can_write_documents, actor, action.plan.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin can edit actions.")
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise DomainError(f"Unknown action field(s): {', '.join(sorted(unknown))}.")
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.version != base_version:
        raise _stale(locked, base_version, "editing it")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked._change_reason = "edited"
    locked.save()
    return locked


@transaction.atomic
def action_set_rag(*, action, actor, to_status, reason, base_version, evidence_justification=""):
    """Change an action's RAG status, keeping who, when, from, to and why.

    Green means completed with evidence: it needs uploaded evidence or a written justification. Returns the saved
    action; ``action`` itself is left with the new status and version too.
    """
    _require(permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can change RAG status.")
    if to_status not in Rag.values:
        raise DomainError("Choose Red, Amber or Green.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the RAG status is changing.")
    justification = (evidence_justification or "").strip()
    if to_status == Rag.GREEN and not justification and not action.evidence.exists():
        raise DomainError("Green means completed with evidence: upload the evidence, or explain where it is "
                          "or why none is needed.")
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.version != base_version:
        raise _stale(locked, base_version, "changing its RAG status")
    if locked.rag_status == to_status:
        raise DomainError(f"The action is already {Rag(to_status).label}.")
    RagChange.objects.create(action=locked, from_status=locked.rag_status, to_status=to_status, by=actor,
                             reason=reason, evidence_justification=justification)
    locked.rag_status = to_status
    locked.version += 1
    locked._change_reason = f"RAG {to_status}: {reason}"
    locked.save(update_fields=["rag_status", "version", "updated_at"])
    action.rag_status, action.version = locked.rag_status, locked.version  # the caller's copy, as saved
    return locked


@transaction.atomic
def progress_add(*, action, actor, text, entry_date=None):
    _require(permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can add progress.")
    text = (text or "").strip()
    if not text:
        raise DomainError("Describe the progress.")
    entry_date = entry_date or timezone.localdate()
    if entry_date > timezone.localdate():
        raise DomainError("Progress cannot be dated in the future.")
    return ProgressEntry.objects.create(action=action, entry_date=entry_date, text=text, by=actor)


@transaction.atomic
def milestone_set_done(*, milestone, actor, done):
    _require(permissions.can_update_progress, actor, milestone.action.plan.contract,
             "Only the practice or the contract's RCGP team can tick milestones.")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if done and milestone.done_on is None:
        milestone.done_on, milestone.done_by = timezone.localdate(), actor
    elif not done:
        milestone.done_on, milestone.done_by = None, None
    milestone.save()
    return milestone


@transaction.atomic
def evidence_upload(*, action, actor, uploaded_file):
    """Store evidence checked by content (type and size) under a random name outside the web root."""
    _require(permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can upload evidence.")
    try:
        content_type, size, sha256 = validate_evidence_file(uploaded_file)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    uploaded_file.seek(0)
    return Evidence.objects.create(action=action, file=uploaded_file, original_name=uploaded_file.name[:255],
                                   content_type=content_type, size=size, sha256=sha256, uploaded_by=actor)


# Consent to share -------------------------------------------------------------------------------

CONSENT_MOVES = {
    ConsentStatus.GIVEN: {ConsentStatus.NOT_DECIDED, ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN},
    ConsentStatus.REFUSED: {ConsentStatus.NOT_DECIDED},
    ConsentStatus.WITHDRAWN: {ConsentStatus.GIVEN},
}


def consent_for_contract(contract):
    consent, _created = ConsentToShare.objects.get_or_create(contract=contract)
    return consent


@transaction.atomic
def consent_decide(*, contract, actor, status, note=""):
    """The practice lead gives, refuses or withdraws consent to share the DR and FP with the commissioner."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require(permissions.can_decide_consent, actor, contract,
             "Only the practice lead can decide whether to share the report and plan.")
    consent = consent_for_contract(contract)
    if status not in CONSENT_MOVES:
        raise DomainError("Choose to give, refuse or withdraw consent.")
    if consent.status not in CONSENT_MOVES[status]:
        raise DomainError(f"Consent is “{consent.get_status_display()}”: it cannot become "
                          f"“{ConsentStatus(status).label}”.")
    consent.status, consent.decided_by, consent.decided_at = status, actor, timezone.now()
    consent.note = (note or "").strip()
    consent._change_reason = status
    consent.save()
    return consent



@transaction.atomic
def milestone_add(*, action, actor, description, due_on):
    _require(permissions.can_write_documents | permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can add milestones.")
    [(description, due_on)] = _clean_milestones([(description, due_on)]) or [(None, None)]
    if not description:
        raise DomainError("Describe the milestone and give its due date.")
    return Milestone.objects.create(action=action, description=description, due_on=due_on)
