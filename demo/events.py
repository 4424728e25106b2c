"""Demo events and peer support (issue 23): an upcoming practice managers' conference with registrations from Oldham
practices, a past leadership workshop with attendance recorded, a diploma place, a bursary, and one Excellence
practice supporting a Rescue one (the levels come from demo/levels.py, which runs first). Idempotent: each record
is found by its title (or pairing) before it is made."""

import datetime

from django.utils import timezone

from core.models import User
from events import services
from events.models import Event, PeerSupport, Registration
from levels.models import Level
from practices.models import Commissioner, Practice

OLDHAM = "00Y"


def _event(title, *, days, hours=6, log, **fields):
    found = Event.objects.filter(title=title).first()
    if found:
        return found, False
    admin = User.objects.get(username="demo-rcgp_admin")
    starts = (timezone.localtime() + datetime.timedelta(days=days)).replace(hour=9, minute=30, second=0,
                                                                           microsecond=0)
    event = Event.objects.create(title=title, starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours),
                                 registration_closes_on=starts.date(), created_by=admin, **fields)
    event.invited_commissioners.set(Commissioner.objects.filter(ods_code=OLDHAM))
    log(f"Event: {title}")
    return event, True


def seed_events(log=print):
    """The demo's events, registrations, attendance and peer support."""
    oldham = list(Practice.objects.filter(commissioner__ods_code=OLDHAM).order_by("ods_code")[:4])
    if not oldham:
        log("No Oldham practices: no demo events.")
        return
    admin = User.objects.get(username="demo-rcgp_admin")
    conference, new = _event("Practice managers' conference", kind="conference", days=30, places=40,
                             venue="Oldham Civic Centre", description="Resilience, workforce and digital access.",
                             log=log)
    if new:
        for practice, (name, role) in zip(oldham, [("Ann Shaw", "practice_manager"), ("Ravi Patel", "gp"),
                                                   ("Leigh Holt", "practice_manager"), ("Kim Dale", "nurse")],
                                          strict=False):
            services.registration_create(event=conference, practice=practice, actor=admin, attendee_name=name,
                                         attendee_role=role)
    workshop, new = _event("Leadership workshop for partners", kind="workshop", days=-20, hours=3, places=12,
                           venue="RCGP North West, Manchester", online=True, log=log)
    if new:
        marks = []
        for practice, (name, role, attended) in zip(oldham, [("Dr Amy Ford", "gp", "attended"),
                                                             ("Pat Cole", "practice_manager", "attended"),
                                                             ("Dr Sam Lee", "gp", "did_not_attend")], strict=False):
            # Registered before the workshop happened: written directly, as the service refuses a past event.
            registration = Registration.objects.create(event=workshop, practice=practice, attendee_name=name,
                                                       attendee_role=role, registered_by=admin)
            marks.append((registration.pk, attended, registration.version))
        services.attendance_record(event=workshop, actor=admin, marks=marks)
    _event("Diploma in primary care management: one funded place", kind="diploma_place", days=60, hours=2,
           places=1, online=True, log=log)
    _event("Practice development bursary", kind="bursary", days=45, hours=1, places=3, online=True,
           description="For practices at Excellence to share their good practice.", log=log)
    excellent = Practice.objects.filter(commissioner__ods_code=OLDHAM, support_level__level=Level.EXCELLENCE).first()
    rescue = Practice.objects.filter(commissioner__ods_code=OLDHAM, support_level__level=Level.RESCUE).first()
    if excellent and rescue and not PeerSupport.objects.filter(supporting=excellent, supported=rescue).exists():
        services.peer_support_create(supporting=excellent, supported=rescue, actor=admin,
                                     started_on=timezone.localdate() - datetime.timedelta(days=14),
                                     support="Sharing policies, a buddy practice manager and monthly visits.")
        log(f"Peer support: {excellent.name} supporting {rescue.name}")
