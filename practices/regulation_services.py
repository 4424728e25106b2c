"""Writes of what CQC found and did, entered by hand from its reports (CQC's location records carry neither the
regulations breached nor the enforcement), and of what a practice told its patients (002 §44-48).

Every write checks its actor through practices/access.py whatever the page showed, carries the version it started
from (a stale one is refused with what changed), and keeps history with its reason (django-simple-history)."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotAllowed, NothingChanged, StaleEdit

from . import access
from .models import Inspection, SpecialMeasuresEpisode
from .ratings import Rating
from .regulation_models import Enforcement, PatientInformation
from .regulations import REGULATION_LABELS, EnforcementKind, PatientChannel, regulation_label, regulation_order

STALE = ("Someone else changed {what} while you were {doing}. Nothing of yours was saved; what they changed is "
         "shown below. Check it, then try again.")


def _require(actor, verb, practice):
    refusal = access.refusal(actor, verb, practice)
    if refusal:
        raise NotAllowed(refusal)


def _reason(reason, subject):
    text = (reason or "").strip()
    if not text:
        raise DomainError(f"Enter why you are {subject}")
    return text


def _today():
    return timezone.localdate()


def _date(value):
    return f"{value:%-d %B %Y}" if value else "none"


def regulation_labels(values):
    """CQC's labels for ``values`` (written any usual way: "Regulation 12 Safe care and treatment", "reg 12",
    "12"), without repeats, in CQC's order. Refuses wording that names none of the fundamental standards."""
    labels = []
    for value in values or ():
        label = regulation_label(str(value))
        if label is None:
            raise DomainError(f"“{value}” is not one of CQC's regulations. Use the regulation's number and name as "
                              f"CQC writes it, from {REGULATION_LABELS[0]} to {REGULATION_LABELS[-1]}.")
        if label not in labels:
            labels.append(label)
    return sorted(labels, key=regulation_order)


# Breached regulations ------------------------------------------------------------------------------------------

def breaches_version(inspection):
    """The version an edit of an inspection's breaches starts from: its latest history row (an Inspection has no
    version field of its own; every saved change of it, by import or by hand, writes a history row)."""
    return inspection.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


@transaction.atomic
def inspection_record_breaches(*, inspection, regulations, reason, actor, base_version):
    """Set the regulations ``inspection`` found breached (CQC's labels, in CQC's order), with ``reason``, if the
    inspection has not changed since ``base_version`` (``breaches_version``). A CQC import never touches them."""
    _require(actor, "record_breaches", inspection.practice)
    reason = _reason(reason, "changing the breached regulations")
    labels = regulation_labels(regulations)
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if base_version is None or breaches_version(locked) != base_version:
        raise StaleEdit(STALE.format(what="this inspection", doing="recording its breaches"),
                        [("Breached regulations", ", ".join(locked.breached_regulations) or "None recorded")])
    if locked.breached_regulations == labels:
        raise NothingChanged("The breached regulations are as they were: nothing was saved.")
    locked.breached_regulations = labels
    locked._change_reason, locked._history_user = f"breaches: {reason}"[:100], actor
    locked.save(update_fields=["breached_regulations"])
    inspection.breached_regulations = labels
    return locked


# Enforcement -----------------------------------------------------------------------------------------------------

ENFORCEMENT_FIELDS = ("kind", "regulations", "issued_on", "comply_by", "ended_on", "summary")
ENFORCEMENT_LABELS = {"kind": "Kind", "regulations": "Regulations", "issued_on": "Issued on",
                      "comply_by": "Comply by", "ended_on": "Ended on", "summary": "Summary"}
NOTICES = (EnforcementKind.REQUIREMENT_NOTICE, EnforcementKind.WARNING_NOTICE)


def _checked_enforcement(*, practice, inspection, kind, regulations, issued_on, comply_by, ended_on, summary):
    """The enforcement's values as saved, or DomainError saying what is wrong."""
    if kind not in EnforcementKind.values:
        raise DomainError("Choose the kind of enforcement from the list")
    if not isinstance(issued_on, datetime.date):
        raise DomainError("Enter the date CQC issued it")
    labels = regulation_labels(regulations)
    if kind in NOTICES and not labels:
        raise DomainError(f"A {EnforcementKind(kind).label.lower()} names the regulations it is about: select at "
                          "least one")
    if inspection is not None:
        if inspection.practice_id != practice.pk:
            raise NotAllowed("That inspection is of another practice.")
        breached = {regulation_label(text) for text in inspection.breached_regulations}
        missing = [label for label in labels if label not in breached]
        if missing:
            raise DomainError(f"{', '.join(missing)}: not among the regulations the report published "
                              f"{_date(inspection.publication_date)} found breached. Record the breach first.")
        if issued_on and inspection.inspection_date and issued_on < inspection.inspection_date:
            raise DomainError(f"The date issued must be on or after the inspection, "
                              f"{_date(inspection.inspection_date)}")
    if issued_on > _today():
        raise DomainError("The date issued must be today or in the past")
    if comply_by and comply_by < issued_on:
        raise DomainError("The date to comply by must be on or after the date issued")
    if ended_on and ended_on < issued_on:
        raise DomainError("The date it ended must be on or after the date issued")
    if ended_on and ended_on > _today():
        raise DomainError("The date it ended must be today or in the past")
    return {"kind": kind, "regulations": labels, "issued_on": issued_on, "comply_by": comply_by,
            "ended_on": ended_on, "summary": (summary or "").strip()}


@transaction.atomic
def enforcement_record(*, practice, actor, kind, issued_on, inspection=None, regulations=(), comply_by=None,
                       ended_on=None, summary="", reason=""):
    """Record one enforcement action CQC took (a requirement or warning notice, conditions, suspension,
    cancellation), from the report of ``inspection``. Its regulations must be among those found breached."""
    _require(actor, "record_enforcement", practice)
    values = _checked_enforcement(practice=practice, inspection=inspection, kind=kind, regulations=regulations,
                                  issued_on=issued_on, comply_by=comply_by, ended_on=ended_on, summary=summary)
    enforcement = Enforcement(practice=practice, inspection=inspection, recorded_by=actor, **values)
    enforcement._change_reason = (f"recorded: {reason.strip()}" if reason and reason.strip() else "recorded")[:100]
    enforcement._history_user = actor
    enforcement.save()
    return enforcement


def _enforcement_changes(locked, base_version):
    """(label, value now) for each field changed since ``base_version``."""
    base = locked.history.filter(version=base_version).order_by("-history_id").first()
    changes = []
    for name in ENFORCEMENT_FIELDS:
        now = getattr(locked, name)
        if base is None or getattr(base, name) != now:
            changes.append((ENFORCEMENT_LABELS[name], _shown(locked, name)))
    return changes


def _shown(enforcement, name):
    value = getattr(enforcement, name)
    if name == "kind":
        return enforcement.get_kind_display()
    if name == "regulations":
        return ", ".join(value) or "None"
    if isinstance(value, datetime.date):
        return _date(value)
    return value or "None"


def _locked_enforcement(enforcement, base_version, doing):
    try:
        locked = Enforcement.objects.select_for_update().get(pk=enforcement.pk)
    except Enforcement.DoesNotExist:
        raise StaleEdit(f"Someone else removed this enforcement while you were {doing}. Nothing of yours was saved.",
                        []) from None
    if base_version is None or locked.version != base_version:
        raise StaleEdit(STALE.format(what="this enforcement", doing=doing),
                        _enforcement_changes(locked, base_version))
    return locked


@transaction.atomic
def enforcement_update(*, enforcement, actor, base_version, reason, **fields):
    """Change an enforcement action (for example, record that it was met or lifted: ``ended_on``), with
    ``reason``, if nobody changed it since ``base_version``."""
    _require(actor, "record_enforcement", enforcement.practice)
    unknown = set(fields) - set(ENFORCEMENT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown enforcement field(s): {', '.join(sorted(unknown))}.")
    reason = _reason(reason, "changing it")
    locked = _locked_enforcement(enforcement, base_version, "changing it")
    merged = {name: fields.get(name, getattr(locked, name)) for name in ENFORCEMENT_FIELDS}
    values = _checked_enforcement(practice=enforcement.practice, inspection=locked.inspection, **merged)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        raise NothingChanged("The enforcement is as it was: nothing was saved.")
    for name in changed:
        setattr(locked, name, values[name])
    locked.version += 1
    locked._change_reason, locked._history_user = reason[:100], actor
    locked.save(update_fields=[*changed, "version"])
    return locked


@transaction.atomic
def enforcement_withdraw(*, enforcement, actor, base_version, reason):
    """Remove an enforcement action recorded in error, with ``reason`` (kept in its history), if nobody changed
    it since ``base_version``."""
    _require(actor, "record_enforcement", enforcement.practice)
    reason = _reason(reason, "removing it")
    locked = _locked_enforcement(enforcement, base_version, "removing it")
    locked._change_reason, locked._history_user = f"removed: {reason}"[:100], actor
    locked.delete()


# Informing patients ----------------------------------------------------------------------------------------------

PATIENT_FIELDS = ("told_on", "what", "channels", "senior_responsible_person")
PATIENT_LABELS = {"told_on": "Date patients were told", "what": "What patients were told",
                  "channels": "Where patients were told", "senior_responsible_person": "Senior responsible person"}


def _checked_patient_information(*, told_on, what, channels, senior_responsible_person):
    if not isinstance(told_on, datetime.date):
        raise DomainError("Enter the date patients were told")
    if told_on > _today():
        raise DomainError("The date patients were told must be today or in the past")
    if not (what or "").strip():
        raise DomainError("Enter what patients were told")
    unknown = [c for c in channels or () if c not in PatientChannel.values]
    if unknown:
        raise DomainError(f"“{unknown[0]}” is not a place patients are told: choose from the list")
    if not channels:
        raise DomainError("Select where patients were told")
    if not (senior_responsible_person or "").strip():
        raise DomainError("Enter the name of the senior responsible person")
    ordered = [c for c in PatientChannel.values if c in set(channels)]
    return {"told_on": told_on, "what": what.strip(), "channels": ordered,
            "senior_responsible_person": senior_responsible_person.strip()}


def _episode_on(practice, day):
    """The special-measures episode (or six-month window) open on ``day``, special measures first."""
    candidates = [e for e in practice.episodes.filter(started_on__lte=day)
                  if e.ended_on is None or e.ended_on >= day]
    candidates.sort(key=lambda e: (e.stage == SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES, e.started_on))
    return candidates[-1] if candidates else None


@transaction.atomic
def patient_information_record(*, practice, actor, told_on, what, channels, senior_responsible_person):
    """Record what the practice's patients were told, where and when, and the named senior responsible person.
    The practice records it, or its commissioner on its behalf."""
    _require(actor, "patient_information", practice)
    values = _checked_patient_information(told_on=told_on, what=what, channels=channels,
                                          senior_responsible_person=senior_responsible_person)
    record = PatientInformation(practice=practice, recorded_by=actor, episode=_episode_on(practice, told_on),
                                **values)
    record._change_reason, record._history_user = "recorded", actor
    record.save()
    return record


def _patient_changes(locked, base_version):
    base = locked.history.filter(version=base_version).order_by("-history_id").first()
    changes = []
    for name in PATIENT_FIELDS:
        now = getattr(locked, name)
        if base is None or getattr(base, name) != now:
            shown = (", ".join(PatientChannel(c).label for c in now) if name == "channels"
                     else _date(now) if name == "told_on" else now)
            changes.append((PATIENT_LABELS[name], shown))
    return changes


@transaction.atomic
def patient_information_update(*, record, actor, base_version, **fields):
    """Change a record of what patients were told, if nobody changed it since ``base_version``."""
    _require(actor, "patient_information", record.practice)
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    locked = PatientInformation.objects.select_for_update().get(pk=record.pk)
    if base_version is None or locked.version != base_version:
        raise StaleEdit(STALE.format(what="this record", doing="changing it"), _patient_changes(locked, base_version))
    values = _checked_patient_information(**{name: fields.get(name, getattr(locked, name)) for name in PATIENT_FIELDS})
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        raise NothingChanged("The record is as it was: nothing was saved.")
    for name in changed:
        setattr(locked, name, values[name])
    if "told_on" in changed:
        locked.episode = _episode_on(record.practice, locked.told_on)
        changed.append("episode")
    locked.version += 1
    locked._change_reason, locked._history_user = f"changed: {', '.join(changed)}"[:100], actor
    locked.save(update_fields=[*changed, "version"])
    return locked


def patients_to_be_told_since(practice, episodes, records):
    """The date from which the practice should have told its patients (002 §44), when no record in ``records``
    is dated on or after it; None when nothing is due. A read: ``episodes`` oldest first, as the practice page
    has them; ``practice`` carries ``current_rating`` and ``current_published_on``."""
    open_ones = [e for e in episodes if e.ended_on is None]
    measures = [e for e in open_ones if e.stage == SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES]
    if measures:
        since = measures[-1].started_on
    elif open_ones:  # rated Inadequate in a key question or population group: six months to improve
        since = open_ones[-1].started_on
    elif getattr(practice, "current_rating", None) == Rating.INADEQUATE:
        since = practice.current_published_on
    else:
        return None
    if since is None or any(r.told_on >= since for r in records):
        return None
    return since
