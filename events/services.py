"""Writes of events, registrations, attendance and peer support.

Each service is atomic, checks its actor through events/access.py whatever the page showed, and raises DomainError
(core.errors) with a message for the person, saving nothing. A change carries the version it started from; a stale
one is refused with what changed (StaleEdit). Registering locks the event's row, so two people cannot both take the
last place."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotAllowed, StaleEdit
from core.versions import save_changes
from levels.models import Level
from levels.selectors import levels_of
from practices.models import Commissioner, Practice

from . import access
from .models import Event, PeerSupport, Registration
from .vocabulary import Attendance, AttendeeRole, Kind

STALE = ("Someone else changed {what} while you were changing it. Nothing of yours was saved; what they changed "
         "is shown below. Check it, then try again.")
UNCHANGED = "Nothing was changed, so nothing was saved."
EVENT_LABELS = {"title": "Title", "kind": "Kind", "description": "Description", "starts_at": "Starts",
                "ends_at": "Ends", "venue": "Venue", "online": "Online", "organiser": "Organiser",
                "places": "Places", "registration_closes_on": "Registration closes", "open_to_all": "Open to all"}
SUPPORTING_LEVELS = frozenset({Level.EXCELLENCE})
SUPPORTED_LEVELS = frozenset({Level.RESCUE, Level.RESILIENCE})


def _text(value, label, *, required=True, limit=200):
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {label}.")
    if len(value) > limit:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer.")
    return value


def _stale(locked, base_version, labels, what):
    if base_version is None or locked.version != base_version:
        changes = [(label, getattr(locked, f"get_{name}_display", lambda n=name: getattr(locked, n))())
                   for name, label in labels.items()]
        raise StaleEdit(STALE.format(what=what), changes)


# Events ----------------------------------------------------------------------------------------------------------

def _event_values(*, title, kind, description, starts_at, ends_at, venue, online, organiser, places,
                  registration_closes_on, open_to_all, invited_commissioners, invited_practices, taken=0):
    if kind not in Kind.values:
        raise DomainError("Select the kind of event.")
    if starts_at is None or ends_at is None:
        raise DomainError("Enter when the event starts and ends.")
    if ends_at < starts_at:
        raise DomainError("The event must end after it starts.")
    if places is None or places < 1:
        raise DomainError("Places must be 1 or more.")
    if places < taken:
        raise DomainError(f"Places cannot be fewer than the {taken} already taken: cancel registrations first.")
    closes = registration_closes_on or timezone.localtime(starts_at).date()
    if closes > timezone.localtime(starts_at).date():
        raise DomainError("Registration must close on or before the day the event starts.")
    venue = _text(venue, "the venue", required=False)
    if not venue and not online:
        raise DomainError("Enter the venue, or say that the event is online.")
    if not open_to_all and not invited_commissioners and not invited_practices:
        raise DomainError("Say who is invited: every practice, or choose commissioners or practices.")
    return {"title": _text(title, "a title"), "kind": kind,
            "description": _text(description, "the description", required=False, limit=10000),
            "starts_at": starts_at, "ends_at": ends_at, "venue": venue, "online": bool(online),
            "organiser": _text(organiser, "the organiser") if organiser is not None else "RCGP",
            "places": places, "registration_closes_on": closes, "open_to_all": bool(open_to_all)}


def _invitations(commissioners, practices):
    commissioners = list(Commissioner.objects.filter(pk__in=[getattr(c, "pk", c) for c in commissioners or []]))
    practices = list(Practice.objects.filter(pk__in=[getattr(p, "pk", p) for p in practices or []]))
    return commissioners, practices


@transaction.atomic
def event_create(*, actor, title, kind, starts_at, ends_at, places, description="", venue="", online=False,
                 organiser="RCGP", registration_closes_on=None, open_to_all=False, invited_commissioners=(),
                 invited_practices=()):
    """RCGP admin creates an event with its places and who is invited."""
    if not access.may_manage(actor):
        raise NotAllowed(access.MANAGE_REFUSAL)
    commissioners, practices = _invitations(invited_commissioners, invited_practices)
    values = _event_values(title=title, kind=kind, description=description, starts_at=starts_at, ends_at=ends_at,
                           venue=venue, online=online, organiser=organiser, places=places,
                           registration_closes_on=registration_closes_on, open_to_all=open_to_all,
                           invited_commissioners=commissioners, invited_practices=practices)
    event = Event(created_by=actor, **values)
    event._change_reason, event._history_user = "created", actor
    event.save()
    event.invited_commissioners.set(commissioners)
    event.invited_practices.set(practices)
    return event


@transaction.atomic
def event_update(*, event, actor, base_version, invited_commissioners=None, invited_practices=None, **fields):
    """RCGP admin changes an event, if nobody changed it since ``base_version``. Places cannot go below those
    taken."""
    if not access.may_manage(actor):
        raise NotAllowed(access.MANAGE_REFUSAL)
    unknown = set(fields) - set(EVENT_LABELS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    locked = Event.objects.select_for_update().get(pk=event.pk)
    _stale(locked, base_version, EVENT_LABELS, "this event")
    old_commissioners = list(locked.invited_commissioners.all())
    old_practices = list(locked.invited_practices.all())
    commissioners, practices = _invitations(
        old_commissioners if invited_commissioners is None else invited_commissioners,
        old_practices if invited_practices is None else invited_practices)
    taken = locked.registrations.filter(cancelled_at__isnull=True).count()
    merged = {name: fields.get(name, getattr(locked, name)) for name in EVENT_LABELS}
    values = _event_values(**merged, invited_commissioners=commissioners, invited_practices=practices, taken=taken)
    invitations_changed = ({c.pk for c in commissioners} != {c.pk for c in old_commissioners}
                           or {p.pk for p in practices} != {p.pk for p in old_practices})
    if invitations_changed:
        locked.invited_commissioners.set(commissioners)
        locked.invited_practices.set(practices)
        if not any(getattr(locked, name) != value for name, value in values.items()):
            locked.version += 1
            locked._change_reason, locked._history_user = "changed: invited", actor
            locked.save(update_fields=["version"])
            return locked
    return save_changes(locked, values, actor=actor, unchanged=UNCHANGED)


# Registrations ---------------------------------------------------------------------------------------------------

def _locked_event(event):
    return (Event.objects.select_for_update().prefetch_related("invited_practices", "invited_commissioners")
            .get(pk=event.pk))


def places_taken(event):
    return event.registrations.filter(cancelled_at__isnull=True).count()


@transaction.atomic
def registration_create(*, event, practice, actor, attendee_name, attendee_role, now=None):
    """A practice's user (for their own practice) or RCGP admin registers one person of an invited practice, while
    registration is open and a place is left."""
    now = now or timezone.now()
    event = _locked_event(event)
    if not access.may_register(actor, event):
        raise NotAllowed(access.REGISTER_REFUSAL)
    if practice is None:
        raise DomainError("Choose the practice the attendee works at.")
    practice = Practice.objects.select_related("commissioner").get(pk=getattr(practice, "pk", practice))
    if not access.sees_all.test(actor) and practice.pk != actor.practice_id:
        raise NotAllowed("You register people of your own practice only.")
    if not access.is_invited(event, practice):
        raise DomainError(f"{practice.name} is not invited to this event.")
    if now >= event.starts_at:
        raise DomainError("Registration has closed: the event has already started.")
    if timezone.localtime(now).date() > event.registration_closes_on:
        raise DomainError(f"Registration closed on {event.registration_closes_on:%-d %B %Y}.")
    name = _text(attendee_name, "the attendee's name")
    if attendee_role not in AttendeeRole.values:
        raise DomainError("Select the attendee's role.")
    taken = places_taken(event)
    if taken >= event.places:
        raise DomainError(f"The event is full: all {event.places} places are taken.")
    if event.registrations.filter(practice=practice, attendee_name__iexact=name, cancelled_at__isnull=True).exists():
        raise DomainError(f"{name} of {practice.name} is already registered for this event.")
    registration = Registration(event=event, practice=practice, attendee_name=name, attendee_role=attendee_role,
                                registered_by=actor)
    registration._change_reason, registration._history_user = "registered", actor
    registration.save()
    return registration


def _locked_registration(registration):
    return (Registration.objects.select_for_update(of=("self",))
            .select_related("event", "practice__commissioner").get(pk=getattr(registration, "pk", registration)))


@transaction.atomic
def registration_cancel(*, registration, actor, base_version, now=None):
    """The practice's user or RCGP admin cancels a registration before the event starts: the place is free again."""
    now = now or timezone.now()
    locked = _locked_registration(registration)
    if not access.may_cancel(actor, locked):
        raise NotAllowed(access.CANCEL_REFUSAL)
    _stale(locked, base_version, {"attendee_name": "Attendee", "attendance": "Attendance"}, "this registration")
    if locked.cancelled_at is not None:
        raise DomainError(f"{locked.attendee_name}'s registration is already cancelled.")
    if now >= locked.event.starts_at:
        raise DomainError("The event has started: a registration cannot be cancelled now. RCGP admin records "
                          "whether the person attended.")
    locked.cancelled_at, locked.cancelled_by = now, actor
    locked.version += 1
    locked._change_reason, locked._history_user = "cancelled", actor
    locked.save(update_fields=["cancelled_at", "cancelled_by", "version"])
    return locked


@transaction.atomic
def attendance_record(*, event, actor, marks, now=None):
    """RCGP admin records, once the event has started, who attended: ``marks`` is [(registration id, attendance,
    base version)]. Every mark must be of a registration of this event that is not cancelled; one bad mark saves
    none of them. Returns the registrations changed."""
    now = now or timezone.now()
    if not access.may_manage(actor):
        raise NotAllowed(access.MANAGE_REFUSAL)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if now < event.starts_at:
        raise DomainError("Attendance is recorded once the event has started.")
    if not marks:
        raise DomainError("Select attended or did not attend for at least one person.")
    wanted = {int(pk) for pk, _value, _version in marks}
    rows = {r.pk: r for r in Registration.objects.select_for_update().filter(pk__in=wanted, event=event)}
    changed = []
    for pk, value, version in marks:
        registration = rows.get(int(pk))
        if registration is None:
            raise DomainError("Attendance can only be recorded for people registered for this event.")
        if registration.cancelled_at is not None:
            raise DomainError(f"{registration.attendee_name} cancelled their registration: they are not registered "
                              "for this event.")
        if value not in Attendance.values:
            raise DomainError(f"Select whether {registration.attendee_name} attended.")
        _stale(registration, version, {"attendance": "Attendance"}, f"{registration.attendee_name}'s attendance")
        if registration.attendance == value:
            continue
        registration.attendance, registration.attendance_recorded_by = value, actor
        registration.version += 1
        registration._change_reason, registration._history_user = "attendance", actor
        registration.save(update_fields=["attendance", "attendance_recorded_by", "version"])
        changed.append(registration)
    return changed


# Peer support ----------------------------------------------------------------------------------------------------

def _level_label(level):
    return Level(level).label if level else "no level recorded"


@transaction.atomic
def peer_support_create(*, supporting, supported, started_on, support, actor, ended_on=None):
    """RCGP admin or the supported practice's commissioner lead records an Excellence practice supporting a Rescue
    or Resilience one; the levels are checked (levels.selectors) and kept as they were when it started."""
    if supporting is None or supported is None:
        raise DomainError("Choose the supporting practice and the supported practice.")
    supporting = Practice.objects.select_related("commissioner").get(pk=getattr(supporting, "pk", supporting))
    supported = Practice.objects.select_related("commissioner").get(pk=getattr(supported, "pk", supported))
    if not access.may_record_peer_support(actor, supported):
        raise NotAllowed(access.PEER_SUPPORT_REFUSAL)
    if supporting.pk == supported.pk:
        raise DomainError("A practice cannot support itself: choose two different practices.")
    if started_on is None:
        raise DomainError("Enter the date the support started.")
    if ended_on is not None and ended_on < started_on:
        raise DomainError("The support must end on or after the day it started.")
    levels = levels_of([supporting.pk, supported.pk])
    giving, receiving = levels.get(supporting.pk), levels.get(supported.pk)
    if giving not in SUPPORTING_LEVELS:
        raise DomainError(f"{supporting.name} is at {_level_label(giving)}: only a practice at Excellence supports "
                          "other practices.")
    if receiving not in SUPPORTED_LEVELS:
        raise DomainError(f"{supported.name} is at {_level_label(receiving)}: peer support is for practices at "
                          "Rescue or Resilience.")
    if PeerSupport.objects.filter(supporting=supporting, supported=supported, ended_on__isnull=True).exists():
        raise DomainError(f"{supporting.name} is already supporting {supported.name}.")
    record = PeerSupport(supporting=supporting, supported=supported, supporting_level=giving,
                         supported_level=receiving, started_on=started_on, ended_on=ended_on,
                         support=_text(support, "what the support is", limit=5000), recorded_by=actor)
    record._change_reason, record._history_user = "recorded", actor
    record.save()
    return record


@transaction.atomic
def peer_support_end(*, peer_support, actor, ended_on, base_version):
    """RCGP admin or the supported practice's commissioner lead records the day the support ended."""
    locked = (PeerSupport.objects.select_for_update(of=("self",)).select_related("supported__commissioner")
              .get(pk=peer_support.pk))
    if not access.RECORD_PEER_SUPPORT.test(actor, locked):
        raise NotAllowed(access.PEER_SUPPORT_REFUSAL)
    _stale(locked, base_version, {"ended_on": "Ended on", "support": "What the support is"}, "this peer support")
    if locked.ended_on is not None:
        raise DomainError(f"This support already ended on {locked.ended_on:%-d %B %Y}.")
    if not isinstance(ended_on, datetime.date):
        raise DomainError("Enter the date the support ended.")
    if ended_on < locked.started_on:
        raise DomainError("The support must end on or after the day it started.")
    return save_changes(locked, {"ended_on": ended_on}, actor=actor, unchanged=UNCHANGED, reason="ended")
