"""Write operations on Diagnostic Reports (and their factual-accuracy corrections), Forward Plans and consent.

Edits carry the version they were based on. The row is locked (SELECT ... FOR UPDATE) and the
version compared before saving, so two people editing at once cannot overwrite each other: the
second, stale save raises StaleEdit with what changed in between, and nothing is lost.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from core.errors import DomainError, NothingChanged, StaleEdit  # noqa: F401  (raised here; views catch them)
from practices.models import Inspection
from practices.regulations import REGULATION_LABELS, regulation_label

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
from .vocabulary import (
    EDITABLE_REPORT_STATES,
    KEY_QUESTION_CHOICES,
    REPORT_SECTIONS,
    CorrectionAnswer,
    Rag,
    ReportState,
    RootCause,
)

# ``regulation`` is not among them: it is the one line of text written from ``regulations`` and ``regulation_other``
# (_links). A caller may still pass it, as free text, as before: the regulations it names are ticked.
ACTION_FIELDS = ["key_question", "other_key_questions", "regulations", "regulation_other", "problem", "root_causes",
                 "underlying_issue", "action_planned", "lead_person", "lead_user", "responsible", "accountable",
                 "resources", "sources_of_support", "evidence_needed", "eventual_goal", "planned_completion",
                 "next_steps", "priority"]


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

def latest_rated_inspection(practice_id):
    """The practice's latest published inspection with an overall rating (what a new plan answers), or None."""
    return Inspection.objects.filter(practice_id=practice_id).rated().order_by(*Inspection.LATEST_FIRST).first()


def documents_start(*, contract):
    """Create the contract's diagnostic report (an empty draft) and forward plan, the plan answering the practice's
    latest rated inspection."""
    if DiagnosticReport.objects.filter(contract=contract).exists() or ForwardPlan.objects.filter(
            contract=contract).exists():
        raise DomainError("The report and plan of this contract have already been started.")
    return DiagnosticReport.objects.create(contract=contract), ForwardPlan.objects.create(
        contract=contract, inspection=latest_rated_inspection(contract.practice_id))


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


# What an action answers: its regulations (CQC's labels, CQC's order), other wording, and other key questions -----

KEY_QUESTIONS_ANSWERED = [key for key, _label in KEY_QUESTION_CHOICES if key != "other"]
# "Regulation 12", "Reg. 17", "Regs 12, 17 and 18": a mention, and the numbers listed after it.
_MENTION = re.compile(r"\breg(?:ulation)?s?\.?\s*(\d+[A-Za-z]?(?:\s*(?:,|&|/|\band\b)\s*\d+[A-Za-z]?)*)",
                      re.IGNORECASE)


def regulations_named(text):
    """(CQC labels, other wording) that free text names: "Regulation 12 Safe care and treatment" → the label of
    Regulation 12; "Regs 12 and 17" → both; text naming no fundamental standard stays as written (the other
    wording). Migration 0015 read the old field the same way."""
    text = " ".join((text or "").split())
    found = {regulation_label(text)} | {regulation_label(number) for listed in _MENTION.findall(text)
                                          for number in re.findall(r"\d+[A-Za-z]?", listed)}
    labels = sorted(found - {None}, key=REGULATION_LABELS.index)
    return labels, ("" if labels else text[:200])


def regulation_line(regulations, other):
    """The action's ``regulation``: what it answers as one line (copies, search, the API)."""
    return "; ".join([*regulations, *filter(None, [other])])


def _clean_regulations(values):
    labels = []
    for value in values or []:
        label = regulation_label(str(value))
        if label is None:
            raise DomainError(f"“{value}” is not one of CQC's fundamental standards: choose regulations from the "
                              "list, and write anything else under other regulation or standard.")
        labels.append(label)
    return sorted(set(labels), key=REGULATION_LABELS.index)


def clean_root_causes(values):
    """The root causes an action answers, checked against the RCGP method's list (RootCause) and in its order."""
    values = list(values or [])
    unknown = [str(value) for value in values if value not in RootCause.values]
    if unknown:
        raise DomainError(f"“{', '.join(unknown)}” is not one of the root causes: choose them from the list.")
    return [value for value in RootCause.values if value in values]


def _links(fields, current=None):
    """``fields`` with what the action answers made whole: regulations checked against CQC's list and ordered, other
    wording that names none of them, other key questions without the primary one, and the line ``regulation``.
    ``current``: the action as saved, for the parts an update leaves out."""
    fields = dict(fields)
    legacy = fields.pop("regulation", None)
    if legacy is not None and "regulations" not in fields and "regulation_other" not in fields:
        fields["regulations"], fields["regulation_other"] = regulations_named(legacy)
    had = {name: getattr(current, name) if current is not None else default for name, default in (
        ("regulations", []), ("regulation_other", ""), ("other_key_questions", []), ("key_question", ""))}
    if "regulations" in fields:
        fields["regulations"] = _clean_regulations(fields["regulations"])
    if "regulation_other" in fields:
        other = " ".join((fields["regulation_other"] or "").split())
        named = regulation_label(other)
        if named:
            raise DomainError(f"“{other}” is {named}: tick it in the list of regulations rather than writing it "
                              "under other regulation or standard.")
        fields["regulation_other"] = other
    if "other_key_questions" in fields or "key_question" in fields:
        others = fields.get("other_key_questions", had["other_key_questions"]) or []
        unknown = [key for key in others if key not in KEY_QUESTIONS_ANSWERED]
        if unknown:
            raise DomainError(f"Unknown key question(s): {', '.join(map(str, unknown))}.")
        primary = fields.get("key_question", had["key_question"])
        fields["other_key_questions"] = [key for key in KEY_QUESTIONS_ANSWERED if key in others and key != primary]
    if "root_causes" in fields:
        fields["root_causes"] = clean_root_causes(fields["root_causes"])
    if "regulations" in fields or "regulation_other" in fields:
        fields["regulation"] = regulation_line(fields.get("regulations", had["regulations"]),
                                               fields.get("regulation_other", had["regulation_other"]))
    return fields


def _action_fields(fields):
    unknown = set(fields) - {*ACTION_FIELDS, "regulation"}
    if unknown:
        raise DomainError(f"Unknown action field(s): {', '.join(sorted(unknown))}.")


@transaction.atomic
def action_create(*, plan, actor, milestones=(), **fields):
    """Add an action with every field of the improvement-plan template, and its milestones. ``regulation`` (free
    text, as before) may stand for ``regulations`` and ``regulation_other``: the regulations it names are taken."""
    _require(permissions.can_write_documents, actor, plan.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin can add actions.")
    _action_fields(fields)
    action = Action.objects.create(plan=plan, **_links(fields))
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
    key_questions = dict(KEY_QUESTION_CHOICES)
    for name in [*ACTION_FIELDS, "rag_status"]:
        field = Action._meta.get_field(name)
        now = getattr(action, field.attname)
        if base is None or getattr(base, field.attname) != now:
            shown = getattr(action, f"get_{name}_display")() if field.choices else getattr(action, name)
            if name == "other_key_questions":
                shown = ", ".join(key_questions.get(key, key) for key in now) or "none"
            elif name == "regulations":
                shown = "; ".join(now) or "none"
            elif name == "root_causes":
                shown = "; ".join(RootCause(cause).label for cause in now if cause in RootCause.values) or "none"
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
    _action_fields(fields)
    locked = _locked_at(action, base_version, "editing it")
    fields = _links(fields, locked)
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


# The plan itself: the inspection it answers ------------------------------------------------------------------

def locked_plan(plan, base_version, doing):
    """The plan's row, locked for this transaction, if it is still at ``base_version`` (StaleEdit if not, with what
    changed: the inspection it answers, the versions recorded since)."""
    locked = ForwardPlan.objects.select_for_update(of=("self",)).select_related("inspection").get(pk=plan.pk)
    locked.contract = plan.contract  # as the caller fetched it (through the access policy)
    if base_version is None or locked.version != base_version:
        changes = [("The inspection it answers", describe_inspection(locked.inspection))]
        changes += [(f"Version {v.number}", f"{v.describe()} by {v.by.get_full_name() or v.by.username}")
                    for v in locked.versions.select_related("by").only("number", "reason", "agreed_by", "by")
                    .order_by("number")]
        raise StaleEdit(f"Someone else changed the plan while you were {doing}. Nothing of yours was saved; the plan "
                        "as it is now is shown below. Check it, then try again.", changes)
    return locked


def describe_inspection(inspection):
    """"Inspection published 3 May 2025: Inadequate", for messages and lists."""
    if inspection is None:
        return "None chosen"
    when = inspection.publication_date or inspection.inspection_date
    rating = inspection.get_overall_rating_display() or "not rated"
    return f"Inspection {'published' if inspection.publication_date else 'of'} {when:%-d %B %Y}: {rating}"


def plan_inspections(plan):
    """The inspections a plan may answer: those of its contract's practice (and the practices of its group)."""
    contract = plan.contract
    practice_ids = [contract.practice_id, *contract.practices.values_list("pk", flat=True)]
    return Inspection.objects.filter(practice_id__in=practice_ids).order_by(*Inspection.LATEST_FIRST)


@transaction.atomic
def plan_set_inspection(*, plan, actor, inspection, base_version):
    """Tie the plan to the inspection it answers (one of its practice's), or to none; the RCGP team decides."""
    _require(permissions.can_write_documents, actor, plan.contract,
             "Only advisers on this contract, its deputy lead or RCGP admin choose the inspection the plan answers.")
    if inspection is not None and not plan_inspections(plan).filter(pk=inspection.pk).exists():
        raise DomainError("Choose one of the practice's own inspections.")
    locked = locked_plan(plan, base_version, "choosing its inspection")
    if locked.inspection_id == (inspection.pk if inspection else None):
        raise NothingChanged("Nothing to save: the plan already answers that inspection.")
    locked.inspection = inspection
    locked.version += 1
    locked._change_reason = f"answers: {describe_inspection(inspection)}"[:100]
    locked.save(update_fields=["inspection", "version", "updated_at"])
    plan.inspection, plan.version = locked.inspection, locked.version
    return locked
