"""Writes of the commissioner's monitoring: records and their follow-ups, readiness reviews before re-inspection,
and review notes on a forward plan's actions after handover.

Each service is atomic, checks its actor through monitoring/access.py whatever the page showed, raises DomainError
(core.errors) with a message for the person, and keeps history with its reason. An edit carries the version it
started from; a stale one is refused with what changed."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotAllowed, StaleEdit
from core.models import User
from core.pii import find_identifiers
from core.roles import COMMISSIONER_ROLES
from core.versions import changed_fields, save_changes
from practices.models import SpecialMeasuresEpisode

from . import access
from .models import (
    AREA_KEYS,
    READINESS_AREAS,
    ActionReviewNote,
    AreaStatus,
    FollowUp,
    Kind,
    MonitoringRecord,
    Readiness,
    ReadinessReview,
)

STALE = ("Someone else changed {what} while you were changing it. Nothing of yours was saved; what they changed "
         "is shown below. Check it, then try again.")
RECORD_FIELDS = ("kind", "happened_on", "people", "summary", "shared_with_practice")
RECORD_UNCHANGED = "The record is as it was: nothing was saved."
RECORD_LABELS = {"kind": "Kind", "happened_on": "Date", "people": "Who was there", "summary": "Summary and notes",
                 "shared_with_practice": "Shared with the practice"}
REVIEW_FIELDS = ("reviewed_on", "checklist", "readiness", "notes")
REVIEW_LABELS = {"reviewed_on": "Date of the review", "checklist": "Checklist", "readiness": "Overall readiness",
                 "notes": "Notes"}


def _today():
    return timezone.localdate()


def _date(value):
    return f"{value:%-d %B %Y}" if value else "none"


def _require_monitor(actor, practice):
    if not access.may_monitor(actor, practice):
        raise NotAllowed(access.RECORD_REFUSALS["write"])


def _text(value, message):
    text = (value or "").strip()
    if not text:
        raise DomainError(message)
    return text


def _no_patient_data(texts, confirmed):
    if not confirmed and any(find_identifiers(text) for text in texts):
        raise DomainError("This looks like patient-identifiable information (an NHS number or a date of birth): "
                          "describe people by role, or confirm it is not patient data.")


def _checked_record(*, kind, happened_on, people, summary, shared_with_practice):
    if kind not in Kind.values:
        raise DomainError("Choose what kind of record this is")
    if not isinstance(happened_on, datetime.date):
        raise DomainError("Enter the date")
    if happened_on > _today():
        raise DomainError("The date must be today or in the past")
    people = "\n".join(line.strip() for line in (people or "").splitlines() if line.strip())
    summary = _text(summary, "Enter the summary and notes")
    return {"kind": kind, "happened_on": happened_on, "people": people, "summary": summary,
            "shared_with_practice": bool(shared_with_practice)}


def _checked_owner(owner, practice):
    """The follow-up's owner: an active user of the practice's commissioner (or of its ICB), or no one."""
    if owner is None:
        return None
    ok = (owner.is_active and owner.role in COMMISSIONER_ROLES and owner.commissioner_id
          and owner.commissioner_id in (practice.commissioner_id, practice.commissioner.parent_id))
    if not ok:
        raise DomainError("The follow-up's owner must be one of the commissioner's team")
    return owner


def commissioner_team(practice):
    """The active users who may own a practice's follow-ups: its commissioner's and its ICB's (one query)."""
    ids = [c for c in (practice.commissioner_id, practice.commissioner.parent_id) if c]
    return User.objects.filter(is_active=True, role__in=COMMISSIONER_ROLES, commissioner_id__in=ids).order_by(
        "first_name", "last_name", "username")


def _new_follow_up(record, *, what, due_on, owner=None):
    what = _text(what, "Enter what the follow-up is")
    if not isinstance(due_on, datetime.date):
        raise DomainError("Enter the date the follow-up is due")
    if due_on < record.happened_on:
        raise DomainError(f"The follow-up's due date must be on or after the record's date, "
                          f"{_date(record.happened_on)}")
    follow_up = FollowUp(record=record, what=what[:500], due_on=due_on,
                         owner=_checked_owner(owner, record.practice))
    follow_up._change_reason = "follow-up added"
    follow_up.save()
    return follow_up


@transaction.atomic
def monitoring_record_create(*, practice, actor, kind, happened_on, summary, people="", shared_with_practice=False,
                             follow_ups=(), confirmed_no_patient_data=False):
    """Record a visit, call, meeting, concern raised or support offered or given for ``practice`` (its
    commissioner's users), with its follow-ups (``follow_ups``: dicts of what, due_on and owner)."""
    _require_monitor(actor, practice)
    values = _checked_record(kind=kind, happened_on=happened_on, people=people, summary=summary,
                             shared_with_practice=shared_with_practice)
    _no_patient_data([values["summary"], values["people"], *(f.get("what", "") for f in follow_ups)],
                     confirmed_no_patient_data)
    record = MonitoringRecord(practice=practice, recorded_by=actor, **values)
    record._change_reason, record._history_user = "recorded", actor
    record.save()
    for follow_up in follow_ups:
        _new_follow_up(record, **follow_up)
    return record


def _record_changes(locked, base_version):
    base = locked.history.filter(version=base_version).order_by("-history_id").first()
    changes = []
    for name in RECORD_FIELDS:
        now = getattr(locked, name)
        if base is None or getattr(base, name) != now:
            shown = (locked.get_kind_display() if name == "kind" else _date(now) if name == "happened_on"
                     else ("Yes" if now else "No") if name == "shared_with_practice" else now)
            changes.append((RECORD_LABELS[name], shown))
    return changes


@transaction.atomic
def monitoring_record_update(*, record, actor, base_version, confirmed_no_patient_data=False, **fields):
    """Change a monitoring record if nobody changed it since ``base_version``."""
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    locked = MonitoringRecord.objects.select_for_update().get(pk=record.pk)
    locked.practice = record.practice
    if not access.can(actor, "write", locked):
        raise NotAllowed(access.RECORD_REFUSALS["write"])
    if base_version is None or locked.version != base_version:
        raise StaleEdit(STALE.format(what="this record"), _record_changes(locked, base_version))
    values = _checked_record(**{name: fields.get(name, getattr(locked, name)) for name in RECORD_FIELDS})
    changed = changed_fields(locked, values, unchanged=RECORD_UNCHANGED)
    _no_patient_data([values[name] for name in ("summary", "people") if name in changed], confirmed_no_patient_data)
    return save_changes(locked, values, actor=actor, unchanged=RECORD_UNCHANGED)


@transaction.atomic
def follow_up_add(*, record, actor, what, due_on, owner=None, confirmed_no_patient_data=False):
    """Add a follow-up to a monitoring record."""
    if not access.can(actor, "write", record):
        raise NotAllowed(access.RECORD_REFUSALS["write"])
    _no_patient_data([what], confirmed_no_patient_data)
    return _new_follow_up(record, what=what, due_on=due_on, owner=owner)


@transaction.atomic
def follow_up_done(*, follow_up, actor, done_on=None):
    """Mark a follow-up done (today, or ``done_on``): its reminders stop."""
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    locked.record = follow_up.record
    if not access.can(actor, "write", locked.record):
        raise NotAllowed(access.RECORD_REFUSALS["write"])
    if locked.done_on is not None:
        raise DomainError(f"This follow-up was already marked done on {_date(locked.done_on)}.")
    done_on = done_on or _today()
    if done_on > _today():
        raise DomainError("The date it was done must be today or in the past")
    if done_on < locked.record.happened_on:
        raise DomainError(f"The date it was done must be on or after the record's date, "
                          f"{_date(locked.record.happened_on)}")
    locked.done_on, locked.done_by = done_on, actor
    locked._change_reason, locked._history_user = "done", actor
    locked.save(update_fields=["done_on", "done_by"])
    return locked


# Readiness reviews ----------------------------------------------------------------------------------------------

def _checked_review(*, reviewed_on, checklist, readiness, notes):
    if not isinstance(reviewed_on, datetime.date):
        raise DomainError("Enter the date of the review")
    if reviewed_on > _today():
        raise DomainError("The date of the review must be today or in the past")
    checklist = checklist or {}
    unknown = set(checklist) - set(AREA_KEYS)
    if unknown:
        raise DomainError(f"Unknown area(s): {', '.join(sorted(unknown))}.")
    cleaned = {}
    for key, question in READINESS_AREAS:
        answer = checklist.get(key) or {}
        status = answer.get("status")
        if status not in AreaStatus.values:
            raise DomainError(f"Answer ‘{question}’")
        cleaned[key] = {"status": status, "note": (answer.get("note") or "").strip()}
    if readiness not in Readiness.values:
        raise DomainError("Select the overall readiness")
    return {"reviewed_on": reviewed_on, "checklist": cleaned, "readiness": readiness, "notes": (notes or "").strip()}


def _review_changes(locked, base_version):
    base = locked.history.filter(version=base_version).order_by("-history_id").first()
    changes = []
    for name in REVIEW_FIELDS:
        now = getattr(locked, name)
        if base is None or getattr(base, name) != now:
            shown = (locked.get_readiness_display() if name == "readiness" else _date(now) if name == "reviewed_on"
                     else "changed" if name == "checklist" else now)
            changes.append((REVIEW_LABELS[name], shown))
    return changes


@transaction.atomic
def readiness_review_record(*, practice, actor, reviewed_on, checklist, readiness, notes="", review=None,
                            base_version=None):
    """Record a review of ``practice``'s preparedness before CQC re-inspects it (002 §43), or, with ``review``,
    change one if nobody changed it since ``base_version``. A new review is tied to the practice's current
    special-measures episode, if it has one."""
    _require_monitor(actor, practice)
    values = _checked_review(reviewed_on=reviewed_on, checklist=checklist, readiness=readiness, notes=notes)
    if review is None:
        episode = SpecialMeasuresEpisode.objects.filter(practice=practice).current().order_by("-started_on").first()
        created = ReadinessReview(practice=practice, episode=episode, recorded_by=actor, **values)
        created._change_reason, created._history_user = "recorded", actor
        created.save()
        return created
    if review.practice_id != practice.pk:
        raise NotAllowed("That review is of another practice.")
    locked = ReadinessReview.objects.select_for_update().get(pk=review.pk)
    if base_version is None or locked.version != base_version:
        raise StaleEdit(STALE.format(what="this review"), _review_changes(locked, base_version))
    return save_changes(locked, values, actor=actor, unchanged="The review is as it was: nothing was saved.")


# Review notes on a forward plan's actions ------------------------------------------------------------------------

@transaction.atomic
def action_review_note_add(*, action, actor, note, confirmed_no_patient_data=False):
    """The commissioner's team notes its ongoing support against ``action`` after handover. The action itself is
    not touched: not its RAG status, not its version (the practice's open forms stay current)."""
    contract = action.plan.contract
    refused = access.note_refusal(actor, "write", contract)
    if refused:
        raise NotAllowed(refused)
    note = _text(note, "Enter the review note")
    _no_patient_data([note], confirmed_no_patient_data)
    created = ActionReviewNote(action=action, note=note, recorded_by=actor)
    created._change_reason, created._history_user = "noted", actor
    created.save()
    return created

