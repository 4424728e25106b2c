"""Write operations on Diagnostic Reports (and their factual-accuracy corrections), Forward Plans and consent.

Edits carry the version they were based on. The row is locked (SELECT ... FOR UPDATE) and the
version compared before saving, so two people editing at once cannot overwrite each other: the
second, stale save raises StaleEdit with what changed in between, and nothing is lost.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from core.errors import DomainError, NothingChanged, StaleEdit  # noqa: F401  (raised here; views catch them)

from . import permissions
from .models import (
    REPORT_PARTS,
    ROOT_CAUSES_PART,
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
    SectionDraft,
)
from .uploads import validate_evidence_file
from .vocabulary import EDITABLE_REPORT_STATES, REPORT_SECTIONS, CorrectionAnswer, Rag, ReportState, RootCause

ACTION_FIELDS = ["key_question", "regulation", "problem", "underlying_issue", "action_planned", "lead_person",
                 "lead_user", "responsible", "accountable", "resources", "sources_of_support", "evidence_needed",
                 "eventual_goal", "planned_completion", "next_steps", "priority"]


def _require(predicate, actor, contract, message):
    if not predicate.test(actor, contract):
        raise DomainError(message)


# Diagnostic Report ------------------------------------------------------------------------------

def _part_heading(part):
    return "Root causes" if part == ROOT_CAUSES_PART else dict(REPORT_SECTIONS)[part]


def _part_shown(report, part):
    value = report.part_value(part)
    return ", ".join(RootCause(c).label for c in value) if part == ROOT_CAUSES_PART else value


def _clean_part(part, value):
    if part == ROOT_CAUSES_PART:
        unknown = set(value) - set(RootCause.values)
        if unknown:
            raise DomainError(f"Unknown root cause: {', '.join(sorted(unknown))}.")
        return sorted(set(value))
    return (value or "").strip()


@transaction.atomic
def report_part_save(*, report, actor, part, value, base_version):
    """Save one section of the report (``part``: a section name; or "root_causes" with a list of tags) if nobody else
    saved that section since ``base_version``. Each section has its own version: two advisers can write different
    sections at once, and a stale save of one is refused with that section's newer text. Saving clears the
    writer's draft of it."""
    _require(permissions.can_write_documents, actor, report.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin can edit the report.")
    if part not in REPORT_PARTS:
        raise DomainError("That is not a section of the report.")
    locked = _locked_report(report)
    if locked.state not in EDITABLE_REPORT_STATES:
        raise DomainError("The report can only be edited while it is a draft or back from the practice with "
                          "corrections.")
    heading = _part_heading(part)
    if base_version is None or locked.part_version(part) != base_version:
        raise StaleEdit(f"Someone else saved “{heading}” while you were editing it. Your text has not been saved: "
                        "it is still in the box below, beside what they saved. Compare the two, then save again.",
                        [(heading, _part_shown(locked, part))])
    value = _clean_part(part, value)
    if value == locked.part_value(part):
        raise NothingChanged(f"Nothing to save: “{heading}” is as it was.")
    if part == ROOT_CAUSES_PART:
        locked.root_causes = value
    else:
        setattr(locked, DiagnosticReport.field_for(part), value)
    locked.section_versions = {**locked.section_versions, part: base_version + 1}
    locked.revision += 1
    locked.updated_by = actor
    locked._change_reason = f"{part} edited"
    locked.save()
    SectionDraft.objects.filter(report=locked, user=actor, section=part).delete()
    return locked


@transaction.atomic
def section_draft_keep(*, report, actor, section, text, base_version):
    """Keep what a writer has typed in a section, unsaved, for them alone (autosaved while they type)."""
    _require(permissions.can_write_documents, actor, report.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin can edit the report.")
    report = _locked_report(report)  # after a save of the section, not before it
    if section not in dict(REPORT_SECTIONS) or report.state not in EDITABLE_REPORT_STATES:
        raise DomainError("Only the sections of a report being written can be kept as a draft.")
    if (text or "").strip() == report.part_value(section):
        SectionDraft.objects.filter(report=report, user=actor, section=section).delete()
        return None  # what is saved already: nothing to keep
    draft, _created = SectionDraft.objects.update_or_create(
        report=report, user=actor, section=section, defaults={"text": text or "", "base_version": base_version})
    return draft


def section_draft_discard(*, report, actor, section):
    SectionDraft.objects.filter(report=report, user=actor, section=section).delete()


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
    if to_state not in EDITABLE_REPORT_STATES:
        report.drafts.all().delete()  # unsaved text of a report nobody can edit now is kept no longer
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


# Every write to an action carries the version it started from. _locked_at takes the action's row lock and compares
# the version under it, so of several writes made from the same version exactly one is saved; _saved gives every
# saved change a new version (and so a new ETag), whether it changed a field, the RAG status, the progress log, a
# milestone or the evidence.

def _action_changes(action, base_version):
    """(label, value now) for what changed since ``base_version``: fields, then progress, milestones, evidence."""
    base = action.history.filter(version=base_version).order_by("-history_date").first()
    changes = []
    for name in [*ACTION_FIELDS, "rag_status"]:
        field = Action._meta.get_field(name)
        now = getattr(action, field.attname)
        if base is None or getattr(base, field.attname) != now:
            shown = getattr(action, f"get_{name}_display")() if field.choices else getattr(action, name)
            changes.append((capfirst(field.verbose_name), shown))
    if base is None:
        return changes
    since = base.history_date
    changes += [("Progress added", entry.text) for entry in action.progress.filter(created_at__gt=since)]
    changes += [("Milestone", f"{m.description}: {'done' if m.done_on else 'not done'}, due {m.due_on:%-d %B %Y}")
                for m in Milestone.history.filter(action_id=action.pk, history_date__gt=since)
                .order_by("history_date")]
    changes += [("Evidence uploaded", e.original_name) for e in action.evidence.filter(uploaded_at__gt=since)]
    return changes


def _locked_at(action, base_version, doing):
    """The action's row, locked for this transaction, if it is still at ``base_version`` (StaleEdit if not)."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    locked.plan = action.plan  # as the caller fetched it (through the access policy), with its contract
    if base_version is None or locked.version != base_version:
        raise StaleEdit(f"Someone else changed this action while you were {doing}. Nothing of yours was saved; what "
                        "they changed is shown below. Check it, then try again.",
                        _action_changes(locked, base_version))
    return locked


def _saved(locked, reason, fields=(), caller=None):
    """Save a change of the locked action with a new version; the caller's copy of it is left as saved too."""
    locked.version += 1
    locked._change_reason = reason[:100]
    locked.save(update_fields=[*fields, "version", "updated_at"])
    if caller is not None:
        for name in [*fields, "version", "updated_at"]:
            setattr(caller, name, getattr(locked, name))
    return locked


@transaction.atomic
def action_update(*, action, actor, base_version, **fields):
    """Change an action's fields if nobody else changed it since ``base_version``."""
    _require(permissions.can_write_documents, actor, action.plan.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin can edit actions.")
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise DomainError(f"Unknown action field(s): {', '.join(sorted(unknown))}.")
    locked = _locked_at(action, base_version, "editing it")
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if not changed:
        raise DomainError("Nothing to save: the action is as it was.")
    for name in changed:
        setattr(locked, name, fields[name])
    return _saved(locked, "edited", changed, action)


def _rag_change(locked, actor, to_status, reason, evidence_justification):
    if to_status not in Rag.values:
        raise DomainError("Choose Red, Amber or Green.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the RAG status is changing.")
    if locked.rag_status == to_status:
        raise DomainError(f"The action is already {Rag(to_status).label}.")
    justification = (evidence_justification or "").strip()
    if to_status == Rag.GREEN and not justification and not locked.evidence.exists():
        raise DomainError("Green means completed with evidence: upload the evidence, or explain where it is "
                          "or why none is needed.")
    RagChange.objects.create(action=locked, from_status=locked.rag_status, to_status=to_status, by=actor,
                             reason=reason, evidence_justification=justification)
    locked.rag_status = to_status
    return f"RAG {to_status}: {reason}"


def _progress_entry(locked, actor, text, entry_date=None):
    text = (text or "").strip()
    if not text:
        raise DomainError("Describe the progress.")
    entry_date = entry_date or timezone.localdate()
    if entry_date > timezone.localdate():
        raise DomainError("Progress cannot be dated in the future.")
    ProgressEntry.objects.create(action=locked, entry_date=entry_date, text=text, by=actor)
    return "progress added"


@transaction.atomic
def action_set_rag(*, action, actor, to_status, reason, base_version, evidence_justification=""):
    """Change an action's RAG status, keeping who, when, from, to and why. Green means completed with evidence:
    it needs uploaded evidence or a written justification. Returns the saved action."""
    _require(permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can change RAG status.")
    locked = _locked_at(action, base_version, "changing its RAG status")
    return _saved(locked, _rag_change(locked, actor, to_status, reason, evidence_justification), ["rag_status"],
                  action)


@transaction.atomic
def progress_add(*, action, actor, text, base_version, entry_date=None):
    """Add a dated entry to the action's progress log."""
    _require(permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can add progress.")
    locked = _locked_at(action, base_version, "adding progress")
    return _saved(locked, _progress_entry(locked, actor, text, entry_date), caller=action)


@transaction.atomic
def action_record_progress(*, action, actor, base_version, rag_status=None, reason="", note="",
                           evidence_justification=""):
    """A RAG change and/or a progress note in one write (the API's): both are saved or neither, under one version
    check. A RAG status the action already has is no change; with no note either, nothing is saved."""
    _require(permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can change RAG status or add progress.")
    locked = _locked_at(action, base_version, "updating it")
    note = (note or "").strip()
    changing_rag = bool(rag_status) and rag_status != locked.rag_status
    if not changing_rag and not note:
        raise DomainError(f"Nothing to save: the action is already {locked.get_rag_status_display()} and there is "
                          "no progress note.")
    done = []
    if changing_rag:
        done.append(_rag_change(locked, actor, rag_status, (reason or "").strip() or note, evidence_justification))
    if note:
        done.append(_progress_entry(locked, actor, note))
    return _saved(locked, "; ".join(done), ["rag_status"] if changing_rag else (), action)


@transaction.atomic
def milestone_set_done(*, milestone, actor, done, base_version):
    """Tick a milestone done (today, by the actor) or not done again."""
    _require(permissions.can_update_progress, actor, milestone.action.plan.contract,
             "Only the practice or the contract's RCGP team can tick milestones.")
    locked = _locked_at(milestone.action, base_version, "changing its milestones")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if bool(done) == (milestone.done_on is not None):
        raise DomainError(f"The milestone “{milestone.description}” is already {'done' if done else 'not done'}.")
    milestone.done_on, milestone.done_by = (timezone.localdate(), actor) if done else (None, None)
    milestone.save()
    return _saved(locked, f"milestone {'done' if done else 'not done'}: {milestone.description}",
                  caller=milestone.action)


@transaction.atomic
def milestone_add(*, action, actor, description, due_on, base_version):
    _require(permissions.can_write_documents | permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can add milestones.")
    [(description, due_on)] = _clean_milestones([(description, due_on)]) or [(None, None)]
    if not description:
        raise DomainError("Describe the milestone and give its due date.")
    locked = _locked_at(action, base_version, "adding a milestone")
    Milestone.objects.create(action=locked, description=description, due_on=due_on)
    return _saved(locked, f"milestone added: {description}", caller=action)


@transaction.atomic
def evidence_upload(*, action, actor, uploaded_file, base_version):
    """Store evidence checked by content (type and size) under a random name outside the web root."""
    _require(permissions.can_update_progress, actor, action.plan.contract,
             "Only the practice or the contract's RCGP team can upload evidence.")
    try:
        content_type, size, sha256 = validate_evidence_file(uploaded_file)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    uploaded_file.seek(0)
    locked = _locked_at(action, base_version, "uploading evidence")
    evidence = Evidence.objects.create(action=locked, file=uploaded_file, original_name=uploaded_file.name[:255],
                                       content_type=content_type, size=size, sha256=sha256, uploaded_by=actor)
    _saved(locked, f"evidence: {evidence.original_name}", caller=action)
    return evidence
