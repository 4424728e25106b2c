"""Events: capacity, registration, cancellation and attendance counted on a hand-made set; every refusal saves
nothing; who sees what; peer support's level checks."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed, StaleEdit
from core.roles import Role
from events import access, selectors, services
from events.models import Event, PeerSupport, Registration
from tests.factories import CommissionerFactory, user_for

from .factories import event, registration, set_level

pytestmark = pytest.mark.django_db
R = Role
LATER = datetime.timedelta(hours=5)


def test_capacity_and_attendance_counts_on_a_hand_made_set(world):
    """Three places. Own registers A (practice manager) and B (GP); Sibling registers C (nurse): full (3 taken,
    0 left), so Sibling's D is refused. Own cancels B: 2 taken, 1 left; Sibling registers D (GP): 3 taken again.
    After the start, attendance: A attended, C did not, D attended.
    By practice: Own 1 registered (A), 1 attended; Sibling 2 (C, D), 1 attended, 1 did not.
    By role: practice manager 1/1/0, GP 1/1/0 (D: B was cancelled), nurse 1/0/1. Totals 3 registered, 2 attended,
    1 did not."""
    admin = world["users"][R.RCGP_ADMIN]
    own, sibling = world["practices"]["own"], world["practices"]["own_sibling"]
    ev = event(places=3)
    a = services.registration_create(event=ev, practice=own, actor=admin, attendee_name="A",
                                     attendee_role="practice_manager")
    b = services.registration_create(event=ev, practice=own, actor=world["users"][R.PRACTICE_USER],
                                     attendee_name="B", attendee_role="gp")
    c = services.registration_create(event=ev, practice=sibling, actor=admin, attendee_name="C", attendee_role="nurse")
    counted = selectors.with_counts(Event.objects.filter(pk=ev.pk)).get()
    assert (counted.taken, selectors.places_left(counted)) == (3, 0)
    with pytest.raises(DomainError, match="full: all 3 places"):
        services.registration_create(event=ev, practice=sibling, actor=admin, attendee_name="D", attendee_role="gp")
    assert Registration.objects.count() == 3
    services.registration_cancel(registration=b, actor=world["users"][R.PRACTICE_LEAD], base_version=b.version)
    counted = selectors.with_counts(Event.objects.filter(pk=ev.pk)).get()
    assert (counted.taken, selectors.places_left(counted)) == (2, 1)
    d = services.registration_create(event=ev, practice=sibling, actor=admin, attendee_name="D", attendee_role="gp")
    after = ev.starts_at + LATER
    services.attendance_record(event=ev, actor=admin, now=after, marks=[
        (a.pk, "attended", 1), (c.pk, "did_not_attend", 1), (d.pk, "attended", 1)])
    counted = selectors.with_counts(Event.objects.filter(pk=ev.pk)).get()
    assert (counted.taken, counted.attended, counted.did_not_attend) == (3, 2, 1)
    counts = selectors.counts(list(selectors.registrations_of(admin, ev)))
    assert [(p.name, *n) for p, *n in counts["by_practice"]] == [("Own Practice", 1, 1, 0),
                                                                 ("Sibling Practice", 2, 1, 1)]
    assert counts["by_role"] == [("Practice manager", 1, 1, 0), ("GP", 1, 1, 0), ("Nurse", 1, 0, 1)]
    assert counts["total"] == (3, 2, 1)
    # The practice's user sees its own registrations only; the commissioner's both practices'; NHSE none.
    assert {r.attendee_name for r in selectors.registrations_of(world["users"][R.PRACTICE_USER], ev)} == {"A", "B"}
    assert {r.attendee_name for r in selectors.registrations_of(world["users"][R.COMMISSIONER_LEAD], ev)} == {
        "A", "B", "C", "D"}
    assert not access.registrations_for(world["users"][R.NHSE_REPORTING]).exists()


def _nothing_saved(ev, count):
    assert Registration.objects.filter(event=ev).count() == count


def test_registration_refusals_save_nothing(world):
    admin, user = world["users"][R.RCGP_ADMIN], world["users"][R.PRACTICE_USER]
    own, other = world["practices"]["own"], world["practices"]["other"]
    ev = event(places=1, open_to_all=False, commissioners=[world["own"]])
    with pytest.raises(DomainError, match="not invited"):
        services.registration_create(event=ev, practice=other, actor=admin, attendee_name="X", attendee_role="gp")
    with pytest.raises(DomainError, match="already started"):
        services.registration_create(event=ev, practice=own, actor=user, attendee_name="X", attendee_role="gp",
                                     now=ev.starts_at + LATER)
    late = event(closes=timezone.localdate())
    with pytest.raises(DomainError, match="Registration closed on"):
        services.registration_create(event=late, practice=own, actor=user, attendee_name="X", attendee_role="gp",
                                     now=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(DomainError, match="Enter the attendee's name"):
        services.registration_create(event=ev, practice=own, actor=user, attendee_name=" ", attendee_role="gp")
    with pytest.raises(DomainError, match="Select the attendee's role"):
        services.registration_create(event=ev, practice=own, actor=user, attendee_name="X", attendee_role="boss")
    with pytest.raises(NotAllowed):
        services.registration_create(event=ev, practice=world["practices"]["own_sibling"], actor=user,
                                     attendee_name="X", attendee_role="gp")
    with pytest.raises(NotAllowed):  # another commissioner's practice is not invited: the event is not its own
        services.registration_create(event=ev, practice=other,
                                     actor=user_for(R.PRACTICE_USER, practice=other), attendee_name="X",
                                     attendee_role="gp")
    _nothing_saved(ev, 0)
    services.registration_create(event=ev, practice=own, actor=user, attendee_name="X", attendee_role="gp")
    with pytest.raises(DomainError, match="full"):
        services.registration_create(event=ev, practice=own, actor=user, attendee_name="Y", attendee_role="gp")
    _nothing_saved(ev, 1)


def test_attendance_refusals_and_cancelling(world):
    admin = world["users"][R.RCGP_ADMIN]
    own = world["practices"]["own"]
    ev, elsewhere = event(), event(title="Another")
    kept = registration(ev, own, "Kept")
    gone = registration(ev, own, "Gone")
    stranger = registration(elsewhere, own, "Stranger")
    with pytest.raises(DomainError, match="once the event has started"):
        services.attendance_record(event=ev, actor=admin, marks=[(kept.pk, "attended", 1)])
    services.registration_cancel(registration=gone, actor=admin, base_version=1)
    after = ev.starts_at + LATER
    for marks, message in (([(stranger.pk, "attended", 1)], "registered for this event"),
                           ([(kept.pk, "attended", 1), (gone.pk, "attended", 2)], "cancelled their registration"),
                           ([(kept.pk, "maybe", 1)], "Select whether Kept attended"),
                           ([], "at least one")):
        with pytest.raises(DomainError, match=message):
            services.attendance_record(event=ev, actor=admin, marks=marks, now=after)
        assert not Registration.objects.exclude(attendance="").exists()
    with pytest.raises(StaleEdit):
        services.attendance_record(event=ev, actor=admin, marks=[(kept.pk, "attended", 7)], now=after)
    with pytest.raises(NotAllowed):
        services.attendance_record(event=ev, actor=world["users"][R.RCGP_DEPUTY_LEAD],
                                   marks=[(kept.pk, "attended", 1)], now=after)
    with pytest.raises(DomainError, match="has started"):
        services.registration_cancel(registration=kept, actor=admin, base_version=1, now=after)
    with pytest.raises(StaleEdit):
        services.registration_cancel(registration=kept, actor=admin, base_version=9)
    assert Registration.objects.get(pk=kept.pk).cancelled_at is None


def test_who_sees_an_event(world):
    users = world["users"]
    own_only = event(open_to_all=False, practices=[world["practices"]["own_sibling"]])
    by_icb_parent = CommissionerFactory(ods_code="QOP", kind="icb")
    world["own"].parent = by_icb_parent
    world["own"].save()
    icb = event(open_to_all=False, commissioners=[by_icb_parent])
    other = event(open_to_all=False, commissioners=[world["other"]])
    for role, wanted in ((R.PRACTICE_USER, {icb}), (R.COMMISSIONER_LEAD, {own_only, icb}),
                         (R.RCGP_ADVISER, {own_only, icb, other}), (R.NHSE_REGIONAL, {own_only, icb, other})):
        user = users[role]
        user.refresh_from_db()
        assert set(access.events_for(user)) == wanted, role
        assert {e for e in (own_only, icb, other) if access.VIEW_EVENT.test(user, e)} == wanted, role
    sibling_user = user_for(R.PRACTICE_USER, practice=world["practices"]["own_sibling"])
    assert set(access.events_for(sibling_user)) == {own_only, icb}


def test_event_create_and_update_refusals(world):
    admin = world["users"][R.RCGP_ADMIN]
    start = timezone.now() + datetime.timedelta(days=3)
    base = {"title": "Leadership course", "kind": "leadership_course", "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=2), "places": 2, "venue": "Manchester"}
    with pytest.raises(NotAllowed):
        services.event_create(actor=world["users"][R.COMMISSIONER_LEAD], open_to_all=True, **base)
    with pytest.raises(DomainError, match="who is invited"):
        services.event_create(actor=admin, **base)
    with pytest.raises(DomainError, match="end after"):
        services.event_create(actor=admin, open_to_all=True, **{**base, "ends_at": start - LATER})
    assert not Event.objects.exists()
    ev = services.event_create(actor=admin, open_to_all=True, **base)
    assert ev.registration_closes_on == timezone.localtime(start).date()
    registration(ev, world["practices"]["own"], "A")
    registration(ev, world["practices"]["own"], "B")
    with pytest.raises(DomainError, match="fewer than the 2 already taken"):
        services.event_update(event=ev, actor=admin, base_version=1, places=1)
    with pytest.raises(StaleEdit):
        services.event_update(event=ev, actor=admin, base_version=0, places=5)
    assert Event.objects.get(pk=ev.pk).places == 2
    services.event_update(event=ev, actor=admin, base_version=1, places=5)
    assert Event.objects.get(pk=ev.pk).version == 2


def test_peer_support_checks_the_levels(world):
    admin, lead = world["users"][R.RCGP_ADMIN], world["users"][R.COMMISSIONER_LEAD]
    own, sibling, other = (world["practices"][k] for k in ("own", "own_sibling", "other"))
    today = timezone.localdate()
    set_level(own, "improvement")
    set_level(sibling, "rescue")
    with pytest.raises(DomainError, match="only a practice at Excellence"):
        services.peer_support_create(supporting=own, supported=sibling, started_on=today, support="Buddying",
                                     actor=admin)
    set_level(own, "excellence")
    set_level(sibling, "improvement")
    with pytest.raises(DomainError, match="for practices at Rescue or Resilience"):
        services.peer_support_create(supporting=own, supported=sibling, started_on=today, support="Buddying",
                                     actor=admin)
    set_level(sibling, "resilience")
    with pytest.raises(NotAllowed):  # the lead of another commissioner's practice
        services.peer_support_create(supporting=own, supported=sibling, started_on=today, support="Buddying",
                                     actor=user_for(R.COMMISSIONER_LEAD, commissioner=world["other"]))
    with pytest.raises(DomainError, match="itself"):
        services.peer_support_create(supporting=own, supported=own, started_on=today, support="x", actor=admin)
    assert not PeerSupport.objects.exists()
    record = services.peer_support_create(supporting=own, supported=sibling, started_on=today, support="Buddying",
                                          actor=lead)
    assert (record.supporting_level, record.supported_level) == ("excellence", "resilience")
    with pytest.raises(DomainError, match="already supporting"):
        services.peer_support_create(supporting=own, supported=sibling, started_on=today, support="Again",
                                     actor=admin)
    assert selectors.peer_support_counts(list(selectors.peer_support_list(admin)))["current"] == 1
    assert set(access.peer_support_for(user_for(R.PRACTICE_USER, practice=other))) == set()
    assert set(access.peer_support_for(world["users"][R.PRACTICE_USER])) == {record}
    services.peer_support_end(peer_support=record, actor=admin, ended_on=today, base_version=1)
    assert PeerSupport.objects.get().ended_on == today


def test_pages_and_bad_input_keep_what_was_typed(client, world):
    admin = world["users"][R.RCGP_ADMIN]
    client.force_login(admin)
    response = client.post(reverse("events:new"), {"title": "Workshop", "kind": "workshop", "starts_on": "2030-01-10",
                                                   "start_time": "9.30", "ends_on": "2030-01-10",
                                                   "end_time": "12:00", "online": "no", "venue": "Oldham",
                                                   "organiser": "RCGP", "places": "0", "invited": "chosen",
                                                   "commissioners": "ZZZ"})
    assert response.status_code == 422
    text = response.content.decode()
    for message in ("Enter the start time on the 24-hour clock", "Number of places must be 1 or more",
                    "no commissioner has the ODS code ZZZ"):
        assert message in text
    assert 'value="Workshop"' in text and not Event.objects.exists()
    ev = event(places=1)
    registration(ev, world["practices"]["own_sibling"], "Full")
    client.force_login(world["users"][R.PRACTICE_USER])
    response = client.post(reverse("events:detail", args=[ev.pk]), {"attendee_name": "Late", "attendee_role": "gp"})
    assert response.status_code == 422 and "The event is full" in response.content.decode()
    assert 'value="Late"' in response.content.decode()
    assert Registration.objects.count() == 1


def test_list_pages_and_api_query_counts(client, world, django_assert_max_num_queries):
    own, sibling = world["practices"]["own"], world["practices"]["own_sibling"]
    for n in range(6):
        ev = event(title=f"Event {n}", open_to_all=n % 2 == 0, practices=[own, sibling])
        for practice in (own, sibling):
            registration(ev, practice, f"P{n}")
    set_level(own, "excellence")
    set_level(sibling, "rescue")
    PeerSupport.objects.create(supporting=own, supported=sibling, supporting_level="excellence",
                               supported_level="rescue", started_on=timezone.localdate(), support="x")
    for role in (R.RCGP_ADMIN, R.PRACTICE_USER, R.COMMISSIONER_LEAD, R.NHSE_REPORTING):
        client.force_login(world["users"][role])
        for name in ("events:list", "events:peer_support", "api:event-list", "api:event-attendance-list",
                     "api:peer-support-list"):
            with django_assert_max_num_queries(14):
                response = client.get(reverse(name))
            assert response.status_code == 200, (role, name)
        with django_assert_max_num_queries(20):
            assert client.get(reverse("events:detail", args=[ev.pk])).status_code == 200
        assert client.get(reverse("api:event-attendance-list") + "?format=csv").status_code == 200
    client.force_login(world["users"][R.RCGP_ADMIN])
    rows = client.get(reverse("api:event-attendance-list") + f"?event={ev.pk}&practice={own.ods_code}").json()
    assert [row["practice"] for row in rows["results"]] == [own.ods_code]
    assert client.get(reverse("api:event-list")).json()["results"][0]["taken"] == 2
