"""Reads of events for pages and the API: places taken and left, and registrations and attendance counted by
practice and by role. They start from events/access.py's querysets."""

from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from . import access
from .models import Registration
from .vocabulary import Attendance, AttendeeRole

ACTIVE = Q(registrations__cancelled_at__isnull=True)


def with_counts(events):
    """``events`` with ``taken`` (registrations not cancelled), ``attended`` and ``did_not_attend`` (one query)."""
    return events.annotate(
        taken=Count("registrations", filter=ACTIVE),
        attended=Count("registrations", filter=ACTIVE & Q(registrations__attendance=Attendance.ATTENDED)),
        did_not_attend=Count("registrations",
                             filter=ACTIVE & Q(registrations__attendance=Attendance.DID_NOT_ATTEND)))


def places_left(event):
    return max(event.places - event.taken, 0)


def event_list(user, *, now=None):
    """(upcoming, past) events the user may see, with their counts: upcoming soonest first, past latest first."""
    now = now or timezone.now()
    events = list(with_counts(access.events_for(user)).order_by("starts_at", "pk"))
    for event in events:
        event.left = places_left(event)
    upcoming = [e for e in events if e.ends_at >= now]
    past = [e for e in events if e.ends_at < now][::-1]
    return upcoming, past


def registrations_of(user, event):
    """The event's registrations the user may see (cancelled ones too, last), with their practices."""
    return (access.registrations_for(user).filter(event=event)
            .select_related("practice__commissioner", "registered_by").order_by("cancelled_at", "practice__name",
                                                                                 "attendee_name", "pk"))


def counts(registrations):
    """Registrations not cancelled counted by practice and by role: {"by_practice": [(practice, registered,
    attended, did not attend)], "by_role": [(role label, registered, attended, did not attend)], "total": (...)}."""
    by_practice, by_role, practices = defaultdict(Counter), defaultdict(Counter), {}
    total = Counter()
    for registration in registrations:
        if registration.cancelled_at is not None:
            continue
        practices[registration.practice_id] = registration.practice
        for bucket in (by_practice[registration.practice_id], by_role[registration.attendee_role], total):
            bucket["registered"] += 1
            bucket[registration.attendance or "unknown"] += 1
    return {
        "by_practice": [(practices[pk], c["registered"], c[Attendance.ATTENDED], c[Attendance.DID_NOT_ATTEND])
                        for pk, c in sorted(by_practice.items(), key=lambda item: practices[item[0]].name)],
        "by_role": [(label, by_role[value]["registered"], by_role[value][Attendance.ATTENDED],
                     by_role[value][Attendance.DID_NOT_ATTEND]) for value, label in AttendeeRole.choices
                    if by_role[value]["registered"]],
        "total": (total["registered"], total[Attendance.ATTENDED], total[Attendance.DID_NOT_ATTEND]),
    }


def role_counts_of_event(event):
    """Counts by role only, over every registration of the event: what NHSE sees (no practice, no name)."""
    rows = (Registration.objects.filter(event=event, cancelled_at__isnull=True).order_by()
            .values("attendee_role", "attendance").annotate(n=Count("pk")))
    by_role = defaultdict(Counter)
    for row in rows:
        by_role[row["attendee_role"]]["registered"] += row["n"]
        by_role[row["attendee_role"]][row["attendance"] or "unknown"] += row["n"]
    return [(label, by_role[value]["registered"], by_role[value][Attendance.ATTENDED],
             by_role[value][Attendance.DID_NOT_ATTEND]) for value, label in AttendeeRole.choices
            if by_role[value]["registered"]]


def peer_support_list(user):
    return access.peer_support_for(user).select_related("supporting__commissioner", "supported__commissioner",
                                                         "recorded_by")


def peer_support_counts(records, *, today=None):
    """Pairings counted: current (not ended, or ending after today), ended, and practices supported."""
    today = today or timezone.localdate()
    current = [r for r in records if r.ended_on is None or r.ended_on >= today]
    return {"current": len(current), "ended": len(records) - len(current), "total": len(records),
            "practices_supported": len({r.supported_id for r in records}),
            "practices_supporting": len({r.supporting_id for r in records})}
