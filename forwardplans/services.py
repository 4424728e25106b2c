"""Write operations on Diagnostic Reports (and their factual-accuracy corrections), Forward Plans and consent.

Edits carry the version they were based on. The row is locked (SELECT ... FOR UPDATE) and the
version compared before saving, so two people editing at once cannot overwrite each other: the
second, stale save raises StaleEdit with what changed in between, and nothing is lost.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

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
    ReportCorrection,
    ReportVersion,
)
from .uploads import validate_evidence_file
from .vocabulary import EDITABLE_REPORT_STATES, REPORT_SECTIONS, CorrectionAnswer, Rag, ReportState, RootCause

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
    locked = DiagnosticReport.objects.select_for_update().get(pk=report.pk)
    if locked.state not in EDITABLE_REPORT_STATES:
        raise DomainError("The report can only be edited while it is a draft or back from the practice with "
                          "corrections.")
    unknown = set(root_causes) - set(RootCause.values)
    if unknown:
        raise DomainError(f"Unknown root cause: {', '.join(sorted(unknown))}.")
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


def latest_version_number(report):
    return report.versions.order_by("-number").values_list("number", flat=True).first()


# Factual accuracy: the practice's corrections and the advisers' answers ----------------------------------

def _locked_report(report):
    return DiagnosticReport.objects.select_for_update(of=("self",)).select_related("contract").get(pk=report.pk)


def _clean_correction(section, passage, correction):
    if section not in dict(REPORT_SECTIONS):
        raise DomainError("Choose the section the correction is about.")
    passage, correction = (passage or "").strip(), (correction or "").strip()
    if not passage:
        raise DomainError("Copy the passage that is wrong.")
    if not correction:
        raise DomainError("Say what the passage should say.")
    return passage, correction


@transaction.atomic
def correction_add(*, report, actor, section, passage, correction):
    """The practice lead notes a factual error in one section (a draft until the report is returned)."""
    report = _locked_report(report)
    _require(permissions.can_check_accuracy, actor, report.contract,
             "Only the practice lead checks the report for factual accuracy.")
    if report.state != ReportState.WITH_PRACTICE:
        raise DomainError("Corrections can be added while the report is with the practice for factual accuracy.")
    passage, correction = _clean_correction(section, passage, correction)
    return ReportCorrection.objects.create(report=report, section=section, passage=passage, correction=correction,
                                           raised_by=actor)


@transaction.atomic
def correction_remove(*, correction, actor):
    """The practice lead removes a correction they have not returned yet."""
    report = _locked_report(correction.report)
    _require(permissions.can_check_accuracy, actor, report.contract,
             "Only the practice lead checks the report for factual accuracy.")
    correction = ReportCorrection.objects.select_for_update().get(pk=correction.pk)
    if not correction.is_draft:
        raise DomainError("A correction returned to the advisers stays on the record.")
    correction.delete()


@transaction.atomic
def correction_answer(*, correction, actor, answer, reason=""):
    """An adviser accepts a returned correction, or declines it with a reason (an answer can be changed until the
    report is resent)."""
    report = _locked_report(correction.report)
    _require(permissions.can_write_documents, actor, report.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin answer corrections.")
    correction = ReportCorrection.objects.select_for_update().get(pk=correction.pk)
    if report.state != ReportState.RETURNED or correction.returned_in != latest_version_number(report):
        raise DomainError("Only the corrections of the report the practice has returned can be answered.")
    if answer not in CorrectionAnswer.values:
        raise DomainError("Choose whether you accept or decline the correction.")
    reason = (reason or "").strip()
    if answer == CorrectionAnswer.DECLINED and not reason:
        raise DomainError("Say why the correction is declined: the practice will read it.")
    correction.answer, correction.answer_reason = answer, reason
    correction.answered_by, correction.answered_at = actor, timezone.now()
    correction._change_reason = f"answered: {answer}"
    correction.save()
    return correction


# Document moves of the case lifecycle -------------------------------------------------------------------
# casework.services.case_move makes these after checking the lifecycle table (who may make the move, at which
# stage, from which document state). Each does its document's part of a move, on rows the move has locked.

def documents_start(*, contract):
    """Create the contract's diagnostic report (an empty draft) and forward plan."""
    if DiagnosticReport.objects.filter(contract=contract).exists() or ForwardPlan.objects.filter(
            contract=contract).exists():
        raise DomainError("The report and plan of this contract have already been started.")
    return DiagnosticReport.objects.create(contract=contract), ForwardPlan.objects.create(contract=contract)


def report_change_state(*, report, to_state, actor, keep_version=False):
    """Move the report to ``to_state`` (keeping a version of it if asked). Sending it records the deputy lead's
    approval; returning it sends the practice's draft corrections to the advisers."""
    report = _locked_report(report)
    if to_state == ReportState.RETURNED:
        returned_in, now = latest_version_number(report), timezone.now()
        for correction in report.corrections.filter(returned_at__isnull=True):
            correction.returned_in, correction.returned_at = returned_in, now
            correction._change_reason = "returned to the advisers"
            correction.save(update_fields=["returned_in", "returned_at"])
    report.state = to_state
    report.revision += 1
    report._change_reason = f"→ {to_state}"
    if to_state == ReportState.WITH_PRACTICE:
        report.approved_by, report.approved_at = actor, timezone.now()
    report.save()
    if keep_version:
        _snapshot(report, actor)
    return report


def consent_start(*, contract):
    """Open the practice's decision on sharing the report and plan (not decided yet)."""
    return ConsentToShare.objects.create(contract=contract)


def consent_record(*, consent, status, actor, note=""):
    """Record the practice lead's decision (history keeps every one)."""
    consent = ConsentToShare.objects.select_for_update().get(pk=consent.pk)
    consent.status, consent.decided_by, consent.decided_at = status, actor, timezone.now()
    consent.note = (note or "").strip()
    consent._change_reason = status
    consent.save()
    return consent


# Forward Plan -----------------------------------------------------------------------------------

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


@transaction.atomic
def milestone_add(*, action, actor, description, due_on):
    _require(permissions.can_write_documents | permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can add milestones.")
    [(description, due_on)] = _clean_milestones([(description, due_on)]) or [(None, None)]
    if not description:
        raise DomainError("Describe the milestone and give its due date.")
    return Milestone.objects.create(action=action, description=description, due_on=due_on)
