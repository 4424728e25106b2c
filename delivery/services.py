"""Writes of the delivery record: a visit, meeting, interview or review meeting recorded, and changed.

Each service is atomic, checks its actor through delivery/access.py whatever the page showed, raises DomainError
(core.errors) with a message for the person and saves nothing then, and keeps history with its reason. An edit
carries the version it started from; a stale one is refused with what changed."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotAllowed, StaleEdit
from core.versions import save_changes

from . import access
from .models import DeliveryRecord
from .vocabulary import HEADING_KEYS, HEADINGS, RecordKind, SupportKind

STALE = ("Someone else changed this record while you were changing it. Nothing of yours was saved; what they "
         "changed is shown below. Check it, then try again.")
FIELDS = ("kind", "happened_on", "attendees", "purpose", "notes", "interviewee_role", "answers", "decisions",
          "support_plan", "support_kinds", "shared")
LABELS = {"kind": "Kind", "happened_on": "Date", "attendees": "Who attended", "purpose": "Purpose",
          "notes": "Notes for the RCGP team", "interviewee_role": "The person's role", "answers": "Answers",
          "decisions": "Decisions", "support_plan": "Agreed support plan", "support_kinds": "Support given",
          "shared": "Shared with the practice and commissioner"}


def _today():
    return timezone.localdate()


def _date(value):
    return f"{value:%-d %B %Y}" if value else "none"


def _lines(text):
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def _checked(contract, *, kind, happened_on, attendees="", purpose="", notes="", interviewee_role="", answers=None,
             decisions="", support_plan="", support_kinds=(), shared=False):
    """The record's values, cleaned, or a DomainError naming the first thing wrong."""
    if kind not in RecordKind.values:
        raise DomainError("Choose what kind of record this is")
    if not isinstance(happened_on, datetime.date):
        raise DomainError("Enter the date")
    if happened_on > _today():
        raise DomainError("The date must be today or in the past")
    if happened_on < contract.commissioned_on:
        raise DomainError(f"The date must be on or after the day the contract was commissioned, "
                          f"{_date(contract.commissioned_on)}")
    support_kinds = list(dict.fromkeys(support_kinds or ()))
    unknown = [value for value in support_kinds if value not in SupportKind.values]
    if unknown:
        raise DomainError(f"Unknown kind of support: {', '.join(map(str, unknown))}. Choose from the list")
    values = {"kind": kind, "happened_on": happened_on, "attendees": _lines(attendees),
              "purpose": (purpose or "").strip(), "notes": (notes or "").strip(), "interviewee_role": "",
              "answers": {}, "decisions": "", "support_plan": "",
              "support_kinds": [value for value in SupportKind.values if value in support_kinds],
              "shared": bool(shared)}
    if kind == RecordKind.INTERVIEW:
        if shared:
            raise DomainError("An interview is confidential to the RCGP team: it cannot be shared")
        answers = answers or {}
        unknown = set(answers) - set(HEADING_KEYS)
        if unknown:
            raise DomainError(f"Unknown heading(s): {', '.join(sorted(unknown))}.")
        role = (interviewee_role or "").strip()
        if not role:
            raise DomainError("Enter the person's role")
        cleaned = {key: (answers.get(key) or "").strip() for key in HEADING_KEYS if (answers.get(key) or "").strip()}
        if not cleaned:
            raise DomainError("Answer at least one of the interview's headings")
        values.update(interviewee_role=role[:200], answers=cleaned)
    elif kind == RecordKind.REVIEW_MEETING:
        values.update(decisions=(decisions or "").strip(), support_plan=(support_plan or "").strip())
        if not values["decisions"]:
            raise DomainError("Enter the decisions made at the review meeting")
    elif not values["purpose"]:
        raise DomainError("Enter the purpose of the visit or meeting")
    return values


@transaction.atomic
def delivery_record_create(*, contract, actor, **fields):
    """Record a visit, meeting, interview or review meeting of ``contract`` (its RCGP team; RCGP admin only once it
    has ended)."""
    refused = access.record_refusal(actor, contract)
    if refused:
        raise NotAllowed(refused)
    record = DeliveryRecord(contract=contract, recorded_by=actor, **_checked(contract, **fields))
    record._change_reason, record._history_user = "recorded", actor
    record.save()
    return record


def _shown(record, name):
    value = getattr(record, name)
    if name == "kind":
        return record.get_kind_display()
    if name == "happened_on":
        return _date(value)
    if name == "shared":
        return "Yes" if value else "No"
    if name == "support_kinds":
        return ", ".join(record.support_labels) or "none"
    if name == "answers":
        return "; ".join(HEADINGS.get(key, key) for key in value) or "none"
    return value


def _changes(locked, base_version):
    base = locked.history.filter(version=base_version).order_by("-history_id").first()
    return [(LABELS[name], _shown(locked, name)) for name in FIELDS
            if base is None or getattr(base, name) != getattr(locked, name)]


@transaction.atomic
def delivery_record_update(*, record, actor, base_version, **fields):
    """Change a delivery record if nobody changed it since ``base_version``. Its kind stays what it was."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    locked = DeliveryRecord.objects.select_for_update().select_related("contract").get(pk=record.pk)
    refused = access.refusal(actor, "write", locked)
    if refused:
        raise NotAllowed(refused)
    if base_version is None or locked.version != base_version:
        raise StaleEdit(STALE, _changes(locked, base_version))
    if fields.get("kind", locked.kind) != locked.kind:
        raise DomainError("A record's kind cannot be changed: record it again as the other kind")
    values = _checked(locked.contract, **{name: fields.get(name, getattr(locked, name)) for name in FIELDS})
    return save_changes(locked, values, actor=actor, unchanged="The record is as it was: nothing was saved.")
