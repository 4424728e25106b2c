"""An RCGP workshop in headless Chromium, from its creation to its attendance as the commissioner sees it.

RCGP admin creates a workshop of three places for the practices of commissioner 01A and for one practice of
another commissioner, through the pages. The users of two of 01A's practices register one person each; the second
practice first sends the form without the attendee's name (the NHS error summary, the role kept), and a second
person of theirs is refused because the last place went to another practice while they typed (the reason shown,
what was typed kept, nothing saved). Once the event has started, RCGP admin records who attended. The commissioner's
lead sees the attendance of its own practices on the event page, by practice and by role, and never the other
commissioner's practice's attendee; the attendance page is not theirs. Every page visited is scanned (axe,
duplicate ids, console, phone widths)."""

import datetime
import re

import pytest
from django.utils import timezone

from core.roles import Role
from events.models import Event, Registration
from events.services import registration_create

from ..browser import Journey, log_in, unexpected_console_errors
from ..factories import PASSWORD, user_for

pytestmark = pytest.mark.django_db(transaction=True)
R = Role
TITLE = "Practice managers' workshop: rota planning"


def _as(page, live_server, user):
    page.context.clear_cookies()
    log_in(page, live_server, user.username, PASSWORD)
    return Journey(page, live_server).scan()


def _done(journey):
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(journey.page) == []


def _fill_date(page, group_name, day):
    group = page.get_by_role("group", name=group_name, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _open_event(page, journey):
    journey.go("/events/")
    page.get_by_role("link", name=TITLE).click()
    journey.scan()


def _register(page, journey, name, role):
    page.get_by_label("Attendee's name").fill(name)
    page.get_by_role("group", name="Attendee's role").get_by_label(role, exact=True).check()
    page.get_by_role("button", name="Register").click()
    journey.scan()


def _rows(page, table_id):
    """The table's body rows as lists of cell texts, without the headings shown on phones."""
    return page.locator(f"#{table_id} tbody tr").evaluate_all("""(rows) => rows.map((row) =>
        [...row.querySelectorAll('td')].map((cell) => {
            const copy = cell.cloneNode(true);
            copy.querySelectorAll('.nhsuk-table-responsive__heading').forEach((heading) => heading.remove());
            return copy.textContent.replace(/\\s+/g, ' ').trim();
        }))""")


def test_a_workshop_is_created_registered_for_by_two_practices_and_its_attendance_seen_by_the_commissioner(
        live_server, page, world):
    users, practices = world["users"], world["practices"]
    own, sibling, other = practices["own"], practices["own_sibling"], practices["other"]
    sibling_user = user_for(R.PRACTICE_USER, practice=sibling)
    day = timezone.localdate() + datetime.timedelta(days=14)

    # 1. RCGP admin creates the workshop: three places, for 01A's practices and one practice of 02B.
    journey = _as(page, live_server, users[R.RCGP_ADMIN])
    journey.go("/events/")
    page.get_by_role("link", name="Create an event").click()
    journey.scan()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("radio", name="Workshop", exact=True).check()
    page.get_by_label("Description (optional)").fill("Planning a safe rota with fewer locums.")
    _fill_date(page, "Start date", day)
    page.get_by_label("Start time").fill("09:30")
    _fill_date(page, "End date", day)
    page.get_by_label("End time").fill("12:30")
    page.get_by_label("Venue (leave empty if online only)").fill("Oldham Civic Centre")
    page.get_by_role("group", name="Can people join online?").get_by_label("No", exact=True).check()
    page.get_by_label("Places", exact=True).fill("3")
    page.get_by_role("radio", name=re.compile("^The practices of chosen commissioners")).check()
    page.get_by_label("Invited commissioners (ODS codes, optional)").fill(world["own"].ods_code)
    page.get_by_label("Invited practices (ODS codes, optional)").fill(other.ods_code)
    page.get_by_role("button", name="Save").click()
    journey.scan()
    assert page.get_by_text("The event is saved.").is_visible()
    event = Event.objects.get()
    starts = timezone.localtime(event.starts_at)
    assert (event.title, event.kind, event.places, event.open_to_all, event.venue, event.online) == (
        TITLE, "workshop", 3, False, "Oldham Civic Centre", False)
    assert (starts.date(), f"{starts:%H:%M}", event.registration_closes_on) == (day, "09:30", day)
    assert list(event.invited_commissioners.all()) == [world["own"]]
    assert list(event.invited_practices.all()) == [other]
    assert "3 (0 taken, 3 left)" in page.locator("#event-details").inner_text()
    _done(journey)

    # 2. The own practice's user registers its practice manager.
    journey = _as(page, live_server, users[R.PRACTICE_USER])
    _open_event(page, journey)
    assert page.get_by_label("Practice", exact=True).count() == 0  # their own practice: no choice to make
    _register(page, journey, "Asha Patel", "Practice manager")
    assert page.get_by_text(f"Asha Patel is registered for {TITLE}.").is_visible()
    assert [r.attendee_name for r in Registration.objects.filter(practice=own)] == ["Asha Patel"]
    _done(journey)

    # 3. The sibling practice's user: the form sent without the name is refused, the role kept; then a GP is
    # registered.
    journey = _as(page, live_server, sibling_user)
    _open_event(page, journey)
    page.get_by_role("group", name="Attendee's role").get_by_label("GP", exact=True).check()
    page.get_by_role("button", name="Register").click()
    journey.scan()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "Enter the attendee's name" in summary.inner_text()
    assert summary.get_by_role("link").first.get_attribute("href") == "#id_attendee_name"
    assert page.get_by_role("group", name="Attendee's role").get_by_label("GP", exact=True).is_checked()
    assert Registration.objects.count() == 1
    _register(page, journey, "Ben Okafor", "GP")
    assert page.get_by_text(f"Ben Okafor is registered for {TITLE}.").is_visible()
    assert "3 (2 taken, 1 left)" in page.locator("#event-details").inner_text()

    # A nurse of theirs is typed in with one place left, but RCGP admin gives that place to the other
    # commissioner's practice before the form is sent (through the service: one browser page plays one user at a
    # time). The form is refused with the reason, what was typed kept, nothing saved.
    page.get_by_label("Attendee's name").fill("Cara Nwosu")
    page.get_by_role("group", name="Attendee's role").get_by_label("Nurse", exact=True).check()
    registration_create(event=event, practice=other, actor=users[R.RCGP_ADMIN], attendee_name="Dev Sharma",
                        attendee_role="practice_manager")
    page.get_by_role("button", name="Register").click()
    journey.scan()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "The event is full: all 3 places are taken" in summary.inner_text()
    assert page.get_by_label("Attendee's name").input_value() == "Cara Nwosu"
    assert page.get_by_role("group", name="Attendee's role").get_by_label("Nurse", exact=True).is_checked()
    assert not Registration.objects.filter(attendee_name="Cara Nwosu").exists()
    assert Registration.objects.filter(event=event).count() == 3
    # The practice's user sees their own practice's registration only.
    assert [row[1] for row in _rows(page, "registrations")] == ["Ben Okafor"]
    _done(journey)

    # 4. The event starts. A real clock cannot wait two weeks in a test, so the start (and end) are moved into the
    # past through the model, as if the day had come: the workshop began an hour ago and ends in two hours (its
    # registration date moves with it, as the service keeps it on or before the first day).
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(starts_at=now - datetime.timedelta(hours=1),
                                             ends_at=now + datetime.timedelta(hours=2),
                                             registration_closes_on=timezone.localdate(now - datetime.timedelta(
                                                 hours=1)))

    # RCGP admin records who attended: Asha and Dev came, Ben did not.
    journey = _as(page, live_server, users[R.RCGP_ADMIN])
    _open_event(page, journey)
    assert page.get_by_label("Attendee's name").count() == 0  # registration has closed: the event has started
    page.get_by_role("link", name="Record attendance").click()
    journey.scan()
    for legend, answer in ((f"Asha Patel ({own.name})", "Attended"), (f"Ben Okafor ({sibling.name})", "Did not attend"),
                           (f"Dev Sharma ({other.name})", "Attended")):
        page.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    journey.scan()
    assert page.get_by_text("Attendance is saved.").is_visible()
    assert dict(Registration.objects.values_list("attendee_name", "attendance")) == {
        "Asha Patel": "attended", "Ben Okafor": "did_not_attend", "Dev Sharma": "attended"}
    assert "2 attended, 1 did not attend" in page.locator("#event-details").inner_text()
    _done(journey)

    # 5. The commissioner's lead sees its two practices' attendance, not the other commissioner's practice's
    # attendee; recording attendance is not theirs.
    journey = _as(page, live_server, users[R.COMMISSIONER_LEAD])
    _open_event(page, journey)
    assert page.get_by_role("heading", name="Registrations of your practices").is_visible()
    registrations = [(row[0], row[1], row[4]) for row in _rows(page, "registrations")]
    assert registrations == [
        (f"{own.name} ({own.ods_code})", "Asha Patel", "Attended"),
        (f"{sibling.name} ({sibling.ods_code})", "Ben Okafor", "Did not attend")]
    assert _rows(page, "by-practice") == [
        [f"{own.name} ({own.ods_code})", "1", "1", "0"],
        [f"{sibling.name} ({sibling.ods_code})", "1", "0", "1"]]
    assert _rows(page, "by-role") == [
        ["Practice manager", "1", "1", "0"],
        ["GP", "1", "0", "1"]]
    assert "Dev Sharma" not in page.content()
    assert page.get_by_role("link", name="Record attendance").count() == 0
    journey.expect_not_found(f"/events/{event.pk}/attendance/")
    _done(journey)
