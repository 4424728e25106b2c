"""Access-matrix rows of events, training and peer support (events/access.py). OWN's event invites OWN's
commissioner; OTHER's invites the other commissioner. RCGP and NHSE see every event; the invited practices' and
commissioner's users see theirs. Registrations: the practice, its commissioner and RCGP (NHSE counts only). Peer
support: both practices, their commissioners, RCGP, NHSE (a regional team its region's)."""

import datetime

from django.utils import timezone

from tests.test_access_matrix import AD, ADM, ALL, CL, CPS, DL, NHSE, NR, PL, PU, R  # noqa: F401

SEE_ALL_EVENTS = frozenset({ADM, DL, AD, NHSE, NR})
ADMIN = frozenset({ADM})

MATRIX = {
    "events:list": (None, {"own": ALL}, 404, 302),
    "events:new": (None, {"own": ADMIN}, 404, 302),
    "events:peer_support": (None, {"own": ALL}, 404, 302),
    "events:detail": ("event", {"own": ALL, "other": SEE_ALL_EVENTS}, 404, 302),
    "events:edit": ("event", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "events:attendance": ("event", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "events:registration_cancel": ("registration", {"own": frozenset()}, 405, 302),   # POST only
    "events:peer_support_end": ("peer_support", {"own": frozenset()}, 405, 302),      # POST only
    "api:event-list": (None, {"own": ALL}, 403, 401),
    "api:event-attendance-list": (None, {"own": ALL}, 403, 401),
    "api:peer-support-list": (None, {"own": ALL}, 403, 401),
}


def _event_data(o, s):
    start = timezone.localtime() + datetime.timedelta(days=20)
    return {"title": "Changed", "kind": "workshop", "starts_on": start.date().isoformat(), "start_time": "09:30",
            "ends_on": start.date().isoformat(), "end_time": "12:00", "venue": "Oldham", "online": "no",
            "organiser": "RCGP", "places": "10", "invited": "chosen", "commissioners": o[s]["commissioner_code"],
            "practices": "", "version": "1"}


def _sees(ok, refused=403, *, roles):
    return {role: "ok" if role in ok else refused for role in roles}


OWN_EVENT = frozenset(ALL)
OTHER_EVENT = SEE_ALL_EVENTS
SEE_REG_OWN = frozenset({ADM, DL, AD, CPS, CL, PU, PL})
SEE_REG_OTHER = frozenset({ADM, DL, AD})
SEE_PEER_OWN = frozenset(ALL)
SEE_PEER_OTHER = frozenset({ADM, DL, AD, NHSE})

WRITES = {
    "events:new": (None, lambda o, s: {k: v for k, v in _event_data(o, s).items() if k != "version"},
                   {"own": {ADM: "ok"}}),
    "events:edit": ("event", _event_data, {"own": _sees({ADM}, roles=OWN_EVENT),
                                           "other": _sees({ADM}, roles=OTHER_EVENT)}),
    "events:detail": ("event", lambda o, s: {"attendee_name": "New person", "attendee_role": "gp",
                                             "practice": str(o[s]["practice_pk"])},
                      {"own": _sees({ADM, PU, PL}, roles=OWN_EVENT), "other": _sees({ADM}, roles=OTHER_EVENT)}),
    "events:attendance": ("past_event", lambda o, s: {f"attendance_{o[s]['past_registration']}": "attended",
                                                      f"version_{o[s]['past_registration']}": "1"},
                          {"own": _sees({ADM}, roles=OWN_EVENT), "other": _sees({ADM}, roles=OTHER_EVENT)}),
    "events:registration_cancel": ("registration", lambda o, s: {"registration": o[s]["registration"][0],
                                                                 "version": "1"},
                                   {"own": _sees({ADM, PU, PL}, roles=SEE_REG_OWN),
                                    "other": _sees({ADM}, roles=SEE_REG_OTHER)}),
    "events:peer_support": (None, lambda o, s: {"supporting": o[s]["supporting_code"],
                                                "supported": o[s]["supported_code"],
                                                "started_on": timezone.localdate().isoformat(),
                                                "support": "Buddying"},
                            {"own": _sees({ADM, CL}, roles=ALL)}),
    "events:peer_support_end": ("peer_support", lambda o, s: {"ended_on": timezone.localdate().isoformat(),
                                                              "version": "1"},
                                {"own": _sees({ADM, CL}, roles=SEE_PEER_OWN),
                                 "other": _sees({ADM}, roles=SEE_PEER_OTHER)}),
}
RECORD_WRITES = {"events:new", "events:edit", "events:detail", "events:attendance", "events:registration_cancel",
                 "events:peer_support", "events:peer_support_end"}


def add_objects(world, objects):
    """Per scope: an upcoming event inviting the scope's commissioner with one registration of its practice; a
    started one with a registration (for attendance); the practice's sibling at Excellence supporting it at
    Rescue (a pairing, and the ODS codes for recording another)."""
    from events.models import Event, PeerSupport, Registration  # noqa: PLC0415 (after the apps are ready)
    from tests.events.factories import set_level  # noqa: PLC0415
    from tests.factories import PracticeFactory  # noqa: PLC0415

    now = timezone.now()
    for scope in ("own", "other"):
        commissioner = world[scope]
        practice, sibling = world["practices"][scope], world["practices"][f"{scope}_sibling"]
        made = {}
        for key, starts in (("event", now + datetime.timedelta(days=10)),
                            ("past_event", now - datetime.timedelta(hours=1))):
            event = Event.objects.create(title=f"{scope} {key}", kind="workshop", starts_at=starts,
                                         ends_at=starts + datetime.timedelta(hours=3), venue="Oldham", places=20,
                                         registration_closes_on=timezone.localtime(starts).date())
            event.invited_commissioners.set([commissioner])
            made[key] = event
        registration = Registration.objects.create(event=made["event"], practice=practice, attendee_name="Reg",
                                                   attendee_role="gp")
        past = Registration.objects.create(event=made["past_event"], practice=practice, attendee_name="Past",
                                           attendee_role="nurse")
        set_level(sibling, "excellence")
        set_level(practice, "rescue")
        pairing = PeerSupport.objects.create(supporting=sibling, supported=practice, supporting_level="excellence",
                                             supported_level="rescue", started_on=timezone.localdate(),
                                             support="Shared policies")
        newcomer = PracticeFactory(commissioner=commissioner, region=practice.region)  # for a new pairing
        set_level(newcomer, "resilience")
        objects[scope].update({
            "event": [made["event"].pk], "past_event": [made["past_event"].pk], "registration": [registration.pk],
            "past_registration": past.pk, "peer_support": [pairing.pk], "practice_pk": practice.pk,
            "commissioner_code": commissioner.ods_code, "supporting_code": sibling.ods_code,
            "supported_code": newcomer.ods_code})
