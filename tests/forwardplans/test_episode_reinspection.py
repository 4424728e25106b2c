"""The special-measures re-inspection deadline reads the current special-measures episode (forwardplans.deadlines
REINSPECTION): the sweep, the calendar feed and the notifications follow an extension and a correction, and stop
once the episode ends. Reminders sent before episodes (keyed by the inspection) still render."""

import datetime

import pytest
from icalendar import Calendar

from core.roles import Role
from forwardplans import deadlines, events, ical, reminders
from forwardplans.job_models import Notification, ReminderItem, ReminderKind, SentReminder
from practices.models import SpecialMeasuresEpisode
from practices.services import episode_correct

from ..factories import InspectionFactory, user_for

pytestmark = pytest.mark.django_db

R = Role
D = datetime.date
REMINDERS = Notification.objects.filter(event__isnull=True, reminder__item_type=ReminderItem.EPISODE_REINSPECTION)


def _current(practice):
    return SpecialMeasuresEpisode.objects.current().get(practice=practice)


def _told(today):
    """{(recipient role, item id, kind, due date)} the sweep of ``today`` sent about re-inspections."""
    before = set(REMINDERS.values_list("pk", flat=True))
    reminders.sweep(today, send_emails=False)
    return {(n.recipient.role, n.reminder.item_id, n.reminder.kind, n.reminder.due_on)
            for n in REMINDERS.exclude(pk__in=before).select_related("recipient", "reminder")}


def _shown(notification):
    [n] = events.present([Notification.objects.select_related("reminder").get(pk=notification.pk)],
                         notification.recipient)
    return n.shown_title, n.shown_body, n.shown_link


def _feed(user, today):
    return {(uid, day) for uid, day, *_rest in ical.entries_for(user, today) if uid.startswith("episode-")}


@pytest.fixture
def placed(world):
    """Own Practice rated Inadequate in a report published on 1 July 2025: re-inspection due by 1 January 2026."""
    own = world["practices"]["own"]
    InspectionFactory(practice=own, publication_date=D(2025, 7, 1), overall_rating="inadequate",
                      report_link_id="first")
    return world


def test_the_sweep_tells_the_commissioners_people_and_rcgp_admin_from_the_episode(placed):
    world = placed
    own, users = world["practices"]["own"], world["users"]
    episode = _current(own)
    assert episode.reinspection_due == D(2026, 1, 1)
    user_for(R.COMMISSIONER_LEAD, commissioner=world["other"])  # may not see Own Practice: never told
    assert _told(D(2025, 12, 1)) == set()  # 31 days ahead
    expected = {(role, episode.pk, ReminderKind.DUE_SOON, D(2026, 1, 1))
                for role in (R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.RCGP_ADMIN)}
    assert _told(D(2025, 12, 2)) == expected
    assert _told(D(2025, 12, 3)) == set()  # told once
    lead = REMINDERS.get(recipient=users[R.COMMISSIONER_LEAD])
    assert lead.title == f"Due soon: special-measures re-inspection of practice {own.ods_code}"  # neutral words
    title, body, link = _shown(lead)
    assert title == f"Due soon: special-measures re-inspection of Own Practice ({own.ods_code})"
    assert body == ("Own Practice has been in special measures since Tuesday 1 July 2025 (rated inadequate "
                    "overall); the re-inspection is due on Thursday 1 January 2026.")
    assert link == f"/practices/{own.ods_code}/"
    # The feed and the home page's deadlines read the same declaration.
    assert _feed(users[R.COMMISSIONER_LEAD], D(2025, 12, 2)) == {(f"episode-reinspection-{episode.pk}",
                                                                   D(2026, 1, 1))}
    assert _feed(users[R.PRACTICE_LEAD], D(2025, 12, 2)) == set()
    due = deadlines.needs_me(users[R.RCGP_ADMIN], D(2025, 12, 2))
    assert [(d.item_type, d.item_id, d.due_on) for d in due] == [("episode_reinspection", episode.pk, D(2026, 1, 1))]


def test_an_extension_moves_the_reminder_to_the_extended_date(placed):
    own, users = placed["practices"]["own"], placed["users"]
    # Re-inspected, still Inadequate: the episode goes on, re-inspection six months from this report.
    InspectionFactory(practice=own, publication_date=D(2025, 12, 20), overall_rating="inadequate",
                      report_link_id="second")
    episode = _current(own)
    assert (episode.reinspection_due, episode.extended_to) == (D(2026, 1, 1), D(2026, 6, 20))
    assert _told(D(2026, 1, 2)) == set()  # the first date no longer applies: nothing overdue
    told = _told(D(2026, 5, 21))
    assert {(item, kind, due) for _role, item, kind, due in told} == {(episode.pk, "due_soon", D(2026, 6, 20))}
    _title, body, _link = _shown(REMINDERS.get(recipient=users[R.RCGP_ADMIN]))
    assert body == ("Own Practice has been in special measures since Tuesday 1 July 2025 (rated inadequate "
                    "overall); the re-inspection is due on Saturday 20 June 2026.\n"
                    "CQC extended the re-inspection date to Saturday 20 June 2026 (first due by Thursday 1 "
                    "January 2026).")
    cal = Calendar.from_ical(ical.calendar_for(users[R.COMMISSIONER_PEER_SUPPORT], D(2026, 5, 21)))
    events_ = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    event = events_[f"episode-reinspection-{episode.pk}@{ical.DOMAIN}"]
    assert event.decoded("dtstart") == D(2026, 6, 20)
    assert str(event["SUMMARY"]) == f"Special-measures re-inspection due (practice {own.ods_code})"


def test_a_corrected_date_is_followed_and_the_old_one_forgotten(placed):
    own, users = placed["practices"]["own"], placed["users"]
    episode = _current(own)
    episode_correct(practice=own, episode=episode, actor=users[R.RCGP_ADMIN], reason="CQC agreed a later visit",
                    extended_to=D(2026, 3, 2))
    assert _told(D(2025, 12, 31)) == set()  # the day before the old date
    assert _feed(users[R.COMMISSIONER_LEAD], D(2026, 2, 1)) == {(f"episode-reinspection-{episode.pk}",
                                                                  D(2026, 3, 2))}
    told = _told(D(2026, 2, 1))
    assert {(item, kind, due) for _role, item, kind, due in told} == {(episode.pk, "due_soon", D(2026, 3, 2))}
    # Corrected again (after this reminder went): the page tells the reader the date that now applies.
    episode.refresh_from_db()
    episode_correct(practice=own, episode=episode, actor=users[R.RCGP_ADMIN], reason="Visit moved",
                    extended_to=D(2026, 3, 16))
    _title, body, _link = _shown(REMINDERS.get(recipient=users[R.COMMISSIONER_LEAD]))
    assert body.endswith("The re-inspection date is now Monday 16 March 2026.")
    assert "CQC extended the re-inspection date to Monday 16 March 2026" in body


def test_nothing_is_due_once_the_episode_ends(placed):
    own, users = placed["practices"]["own"], placed["users"]
    episode = _current(own)
    assert _told(D(2025, 12, 2))  # told while it lasted
    told_before = REMINDERS.get(recipient=users[R.COMMISSIONER_LEAD])
    InspectionFactory(practice=own, publication_date=D(2025, 12, 15), overall_rating="good", report_link_id="exit")
    assert not SpecialMeasuresEpisode.objects.current().filter(practice=own).exists()
    for day in (D(2025, 12, 31), D(2026, 1, 2), D(2026, 1, 10)):  # the day before, and overdue
        assert _told(day) == set()
        assert _feed(users[R.RCGP_ADMIN], day) == set()
        assert [d for d in deadlines.needs_me(users[R.RCGP_ADMIN], day) if d.item_type == "episode_reinspection"] \
            == []
    # The reminder already sent names an episode derivation has since replaced: it says so, for a reader who may
    # still see the practice, and points to the practice's page.
    assert not SpecialMeasuresEpisode.objects.filter(pk=episode.pk).exists()
    title, body, link = _shown(told_before)
    assert title == f"Due soon: special-measures re-inspection of Own Practice ({own.ods_code})"
    assert body.startswith("This reminder was about a re-inspection that was due on Thursday 1 January 2026.")
    assert link == f"/practices/{own.ods_code}/"
    # Someone who may no longer see the practice sees only that there was a notification.
    told_before.recipient.commissioner = placed["other"]
    told_before.recipient.save(update_fields=["commissioner"])
    assert _shown(told_before) == (events.HIDDEN_TITLE, "", "")


def test_a_closed_practice_is_not_reminded_of(placed):
    own = placed["practices"]["own"]
    own.status = "closed"
    own.save(update_fields=["status"])
    assert _told(D(2025, 12, 2)) == set()


def test_a_reminder_sent_before_episodes_still_renders(placed):
    own, users = placed["practices"]["own"], placed["users"]
    inspection = own.inspections.get()
    lead = users[R.COMMISSIONER_LEAD]
    # What the sweep sent before this change: keyed by the Inadequate inspection.
    reminders.claim([reminders.Candidate(lead.pk, ReminderItem.REINSPECTION, inspection.pk, ReminderKind.DUE_SOON,
                                         D(2026, 1, 1), "practice", own.pk,
                                         f"Due soon: special-measures re-inspection of practice {own.ods_code}", "",
                                         f"/practices/{own.ods_code}/")], email=False)
    old = Notification.objects.get(reminder__item_type=ReminderItem.REINSPECTION)
    assert SentReminder.objects.get(item_type=ReminderItem.REINSPECTION).item_id == inspection.pk
    title, body, link = _shown(old)
    assert title == f"Due soon: special-measures re-inspection of Own Practice ({own.ods_code})"
    assert body == ("Own Practice was rated Inadequate (special measures) in a report published on Tuesday 1 July "
                    "2025; re-inspection within six months is due on Thursday 1 January 2026.")
    assert link == f"/practices/{own.ods_code}/"
