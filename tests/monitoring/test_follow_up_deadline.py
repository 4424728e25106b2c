"""A monitoring follow-up is a deadline (forwardplans.deadlines, registered by MonitoringConfig.ready): the sweep
tells its owner (or, with no owner, the commissioner's team, an ICB's included), the calendar feed and the home
page's "what needs me" show it to the same people, and nobody else hears of it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.roles import Role
from dashboards import dashboards
from forwardplans import deadlines, ical, reminders
from forwardplans.job_models import Notification, ReminderItem
from monitoring.services import follow_up_done
from tests.factories import UserFactory

from .factories import record

pytestmark = pytest.mark.django_db
R = Role
DAY = datetime.timedelta(days=1)
FOLLOW_UP = ReminderItem.FOLLOW_UP


@pytest.fixture
def follow_ups(world, icb):
    """Today's follow-ups on the own practice: one owned by the lead, one nobody owns (shared record)."""
    today = timezone.localdate()
    own, peer, lead = world["practices"]["own"], world["users"][R.COMMISSIONER_PEER_SUPPORT], \
        world["users"][R.COMMISSIONER_LEAD]
    owned = record(own, peer, follow_ups=[{"what": "Owned", "due_on": today + DAY, "owner": lead}]).follow_ups.get()
    unowned = record(own, peer, shared=True,
                     follow_ups=[{"what": "Unowned", "due_on": today + DAY}]).follow_ups.get()
    stranger = UserFactory(role=R.COMMISSIONER_LEAD, commissioner=world["other"])
    return {"today": today, "owned": owned, "unowned": unowned, "stranger": stranger, "icb": icb}


def _people(world, follow_ups):
    return {**world["users"], "icb_peer": follow_ups["icb"][R.COMMISSIONER_PEER_SUPPORT],
            "icb_lead": follow_ups["icb"][R.COMMISSIONER_LEAD], "stranger": follow_ups["stranger"]}


def _expected(who, follow_ups):
    team = {R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD, "icb_peer", "icb_lead"}
    wanted = set()
    if who == R.COMMISSIONER_LEAD:
        wanted.add(follow_ups["owned"].pk)
    if who in team:
        wanted.add(follow_ups["unowned"].pk)
    return wanted


def test_the_follow_up_is_registered_with_its_renderer():
    from forwardplans.reminder_texts import RENDERERS

    assert deadlines.BY_TYPE[FOLLOW_UP].item_type == FOLLOW_UP
    assert FOLLOW_UP in RENDERERS and "monitoring_record" in deadlines.SCOPES


def test_sweep_feed_and_home_page_tell_the_same_people(world, follow_ups, client):
    today = follow_ups["today"]
    reminders.sweep(today, send_emails=False)
    people = _people(world, follow_ups)
    for who, user in people.items():
        wanted = _expected(who, follow_ups)
        sent = {n.reminder.item_id for n in Notification.objects.filter(recipient=user, reminder__item_type=FOLLOW_UP)}
        assert sent == wanted, who
        in_feed = {uid for uid, *_rest in ical.entries_for(user, today) if uid.startswith("follow-up-")}
        assert in_feed == {f"follow-up-{pk}" for pk in wanted}, who
        on_home = {d.item_id for d in dashboards.due_items(user, today) if d.item_type == FOLLOW_UP}
        assert on_home == wanted, who
    # The home page and the calendar URL themselves, for the lead.
    lead = world["users"][R.COMMISSIONER_LEAD]
    client.force_login(lead)
    home = client.get(reverse("home"))
    links = {d.link for d in home.context["due"] if d.item_type == FOLLOW_UP}
    assert links == {reverse("monitoring:record", args=[f.record_id]) for f in (follow_ups["owned"],
                                                                               follow_ups["unowned"])}
    assert all(f'href="{link}"' in home.content.decode() for link in links)
    feed = client.get(reverse("jobs:calendar_feed", args=[ical.issue(lead)]))
    uids = {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert {f"follow-up-{follow_ups['owned'].pk}", f"follow-up-{follow_ups['unowned'].pk}"} <= uids


def test_the_reminder_is_rendered_when_read_and_hidden_once_it_cannot_be_seen(world, follow_ups, client):
    reminders.sweep(follow_ups["today"], send_emails=False)
    lead = world["users"][R.COMMISSIONER_LEAD]
    client.force_login(lead)
    shown = [n for n in client.get(reverse("jobs:notifications")).context["items"]
             if n.reminder_id and n.reminder.item_type == FOLLOW_UP]
    assert len(shown) == 2
    assert all("monitoring follow-up" in n.shown_title for n in shown)
    # Moved to another commissioner, the lead no longer sees the practice's records: the reminder says nothing.
    lead.commissioner = world["other"]
    lead.save(update_fields=["commissioner"])
    shown = [n for n in client.get(reverse("jobs:notifications")).context["items"]
             if n.reminder_id and n.reminder.item_type == FOLLOW_UP]
    assert shown and all("monitoring follow-up" not in (n.shown_title or "") for n in shown)


def test_a_done_follow_up_is_no_longer_due(world, follow_ups):
    follow_up_done(follow_up=follow_ups["owned"], actor=world["users"][R.COMMISSIONER_LEAD])
    lead = world["users"][R.COMMISSIONER_LEAD]
    assert {d.item_id for d in dashboards.due_items(lead, follow_ups["today"]) if d.item_type == FOLLOW_UP} == {
        follow_ups["unowned"].pk}
    reminders.sweep(follow_ups["today"], send_emails=False)
    assert not Notification.objects.filter(reminder__item_type=FOLLOW_UP, reminder__item_id=follow_ups["owned"].pk)
