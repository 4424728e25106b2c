"""One deadline registry (forwardplans.deadlines): for the same data, the reminder sweep, the weekly digest, the
calendar feed and the home pages show the same items to the same people, kind by kind and role by role."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.roles import NHSE_ROLES, Role
from dashboards import dashboards
from forwardplans import deadlines, ical, reminder_texts, reminders
from forwardplans.job_models import Notification
from monitoring.services import monitoring_record_create

from ..cases import advance
from ..concerns.factories import ConcernFactory
from ..contractual.factories import NoticeFactory
from ..factories import ContractFactory, InspectionFactory, ReferralFactory, user_for

pytestmark = pytest.mark.django_db
R = Role
DAY = datetime.timedelta(days=1)


def _uid(item_type, pk):
    return f"{item_type.replace('_', '-')}-{pk}"


@pytest.fixture
def due(docs, world):
    """Something of every kind due around today, at both commissioners, with people of every role."""
    today = timezone.localdate()
    users, contract, action = docs["users"], docs["contract"], docs["action"]
    own, other = world["practices"]["own"], world["practices"]["other"]
    other_lead = user_for(R.COMMISSIONER_LEAD, commissioner=world["other"])
    other_peer = user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])

    # DOC-1's plan, shared with the commissioner: one milestone overdue, one due tomorrow, the action in five days.
    advance(contract, "review_meeting", users)
    contract.first_contact_on = contract.commissioned_on
    contract.save(update_fields=["first_contact_on"])
    action.refresh_from_db()
    action.lead_user = users[R.PRACTICE_LEAD]
    action.planned_completion = today + 5 * DAY
    action.save(update_fields=["lead_user", "planned_completion"])
    late, soon = action.milestones.order_by("due_on")
    late.due_on, soon.due_on = today - 3 * DAY, today + DAY
    late.save(update_fields=["due_on"])
    soon.save(update_fields=["due_on"])

    # First contact: one due tomorrow without a deputy lead, one three days late with one.
    waiting = ContractFactory(reference="FC-1", practice=own, commissioned_on=today - 6 * DAY)
    led = ContractFactory(reference="FC-2", practice=own, commissioned_on=today - 10 * DAY,
                          deputy_lead=users[R.RCGP_DEPUTY_LEAD], state="lead_appointed")
    # Referral acknowledgements at both commissioners.
    own_referral = ReferralFactory(practice=own, received_on=today - 10 * DAY, acknowledgement_due=today + 2 * DAY)
    other_referral = ReferralFactory(practice=other, received_on=today - 14 * DAY, acknowledgement_due=today - DAY)
    # A special-measures re-inspection due in about three weeks.
    InspectionFactory(practice=own, overall_rating="inadequate",
                      publication_date=today - relativedelta(months=6) + 20 * DAY)
    episode = own.episodes.get()
    # An agreement ending in ten days.
    ending = ContractFactory(reference="END-1", practice=world["practices"]["own_sibling"], state="scoping",
                             first_contact_on=datetime.date(2026, 1, 6), deputy_lead=users[R.RCGP_DEPUTY_LEAD],
                             mou_ends_on=today + 10 * DAY)

    # A concern under the duty to report, not acknowledged by the end of the next working day: its commissioner's
    # lead and, escalated, RCGP admin, whatever the practice has agreed to share.
    concern = ConcernFactory(contract=ending, raised_by=users[R.RCGP_DEPUTY_LEAD], acknowledgement_due=today - DAY)
    # A remedial notice served on the practice 15 days ago: its remedy date and its appeal window, to the
    # commissioner's leads and the practice's.
    notice = NoticeFactory(decision__case__practice=own, dated_on=today - 15 * DAY, served_on=today - 15 * DAY,
                           remedy_by=today + 12 * DAY)
    n_remedy, n_appeal = ("notice_remedy", notice.pk), ("notice_appeal", notice.pk)
    # A monitoring follow-up (monitoring/deadlines.py), owned by the commissioner's lead, due tomorrow.
    follow_up = monitoring_record_create(
        practice=own, actor=users[R.COMMISSIONER_LEAD], kind="visit", happened_on=today, summary="Visited.",
        follow_ups=[{"what": "Call back", "due_on": today + DAY, "owner": users[R.COMMISSIONER_LEAD]}],
    ).follow_ups.get()

    people = {**users, "other_lead": other_lead, "other_peer": other_peer}
    m, a = ("milestone", late.pk), ("action", action.pk)
    expected = {  # written out by hand from the audiences in forwardplans/deadlines.py
        R.PRACTICE_LEAD: {m, ("milestone", soon.pk), a, n_remedy, n_appeal},
        R.RCGP_DEPUTY_LEAD: {m, ("first_contact", led.pk), ("contract_end", ending.pk)},
        R.COMMISSIONER_PEER_SUPPORT: {m, ("episode_reinspection", episode.pk)},
        R.COMMISSIONER_LEAD: {("referral", own_referral.pk), ("episode_reinspection", episode.pk),
                              ("contract_end", ending.pk), ("concern", concern.pk), n_remedy, n_appeal,
                              ("follow_up", follow_up.pk)},
        R.RCGP_ADMIN: {("first_contact", waiting.pk), ("referral", own_referral.pk), ("referral", other_referral.pk),
                       ("episode_reinspection", episode.pk), ("concern", concern.pk)},
        "other_lead": {("referral", other_referral.pk)},
        R.RCGP_ADVISER: set(), R.PRACTICE_USER: set(), R.NHSE_REPORTING: set(), R.NHSE_REGIONAL: set(),
        "other_peer": set(),
    }
    return {"today": today, "people": people, "expected": expected, "action": action, "docs": docs}


def _swept(today):
    """{user id: {(item type, item id)}} the sweep would tell, after the access check."""
    candidates, _users = reminders.visible_only(reminders.collect(today))
    told = {}
    for c in candidates:
        told.setdefault(c.recipient_id, set()).add((c.item_type, c.item_id))
    return told, candidates


def _in_reminder_window(item_type, due_on, today):
    kind = deadlines.BY_TYPE[item_type]
    return today - datetime.timedelta(days=deadlines.OVERDUE_CATCH_UP) <= due_on <= today + datetime.timedelta(
        days=kind.ahead)


def _calendar(user, today):
    by_uid = {_uid(k.item_type, pk): (k.item_type, pk) for k in deadlines.KINDS
              for pk in k.items().values_list("pk", flat=True)}
    return {by_uid[uid] for uid, day, *_rest in ical.entries_for(user, today)
            if _in_reminder_window(by_uid[uid][0], day, today)}


def _home(user, today):
    return {(d.item_type, d.item_id) for d in dashboards.due_items(user, today)
            if _in_reminder_window(d.item_type, d.due_on, today)}


def test_sweep_calendar_and_home_page_show_the_same_items_to_the_same_people(due):
    today, people = due["today"], due["people"]
    told, _candidates = _swept(today)
    for who, user in people.items():
        swept = told.get(user.pk, set())
        assert swept == due["expected"][who], who
        assert _calendar(user, today) == swept, who
        assert _home(user, today) == swept, who


def test_the_pages_and_the_feed_read_the_registry_through_their_views(client, due):
    """The home page and the calendar URL themselves (not only the functions behind them) agree with the sweep."""
    today, people = due["today"], due["people"]
    told, _candidates = _swept(today)
    for who, user in people.items():
        wanted = {_uid(*item) for item in told.get(user.pk, set())}
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        if who not in NHSE_ROLES:  # figures only: no deadlines of its own
            assert {d.uid for d in response.context["due"]} == wanted, who
            for d in response.context["due"]:
                assert f'href="{d.link}"' in response.content.decode()
        client.logout()
        feed = client.get(reverse("jobs:calendar_feed", args=[ical.issue(user)]))
        uids = {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(feed.content).walk("VEVENT")}
        assert uids == wanted, who


def test_the_weekly_digest_lists_the_overdue_actions_the_sweep_tells_peer_support_of(due):
    today, people = due["today"], due["people"]
    _told, candidates = _swept(today)
    milestone_actions = dict(deadlines.MILESTONE.items().values_list("pk", "action_id"))
    for who in (R.COMMISSIONER_PEER_SUPPORT, "other_peer"):
        peer = people[who]
        overdue = {milestone_actions[c.item_id] if c.item_type == "milestone" else c.item_id
                   for c in candidates if c.recipient_id == peer.pk and c.kind == "overdue"
                   and c.item_type in ("milestone", "action")}
        assert set(reminders.digest_for(peer, today)["overdue"]) == overdue
    assert reminders.digest_for(people[R.COMMISSIONER_PEER_SUPPORT], today)["overdue"] == [due["action"].pk]
    # Once the practice withdraws consent, neither the sweep nor the digest (nor the feed) mention the plan.
    contract = due["docs"]["contract"]
    contract.consent.status = "withdrawn"
    contract.consent.save(update_fields=["status"])
    peer = people[R.COMMISSIONER_PEER_SUPPORT]
    told, _candidates = _swept(today)
    assert {t for t, _pk in told.get(peer.pk, set())} == {"episode_reinspection"}
    assert reminders.digest_for(peer, today)["overdue"] == []
    assert _calendar(peer, today) == told[peer.pk]


def test_who_hears_depends_on_the_stage_in_every_reader(due):
    """The deputy lead hears of the plan's milestone only once it is overdue: the day before it falls due, nobody
    but the lead has it, in the sweep, the feed or the home page."""
    today, people = due["today"], due["people"]
    late = due["action"].milestones.order_by("due_on").first()
    before = late.due_on - DAY
    told, _candidates = _swept(before)
    for who, user in people.items():
        has = ("milestone", late.pk) in told.get(user.pk, set())
        assert has == (who == R.PRACTICE_LEAD), who
        assert (("milestone", late.pk) in _calendar(user, before)) == has, who
        assert (("milestone", late.pk) in _home(user, before)) == has, who
    assert today > before


def test_every_declared_kind_is_swept_in_the_feed_on_a_home_page_and_rendered_when_read(due, client):
    today, people = due["today"], due["people"]
    declared = {kind.item_type for kind in deadlines.KINDS}
    assert len(declared) == len(deadlines.KINDS) and "contract_end" in declared
    told, _candidates = _swept(today)
    assert {t for items in told.values() for t, _pk in items} == declared
    assert {t for user in people.values() for t, _pk in _calendar(user, today)} == declared
    assert {t for user in people.values() for t, _pk in _home(user, today)} == declared
    assert declared <= set(reminder_texts.RENDERERS)
    # Sent for real, every kind's notification is rendered from its item, never left as its stored title.
    reminders.sweep(today, send_emails=False)
    for user in people.values():
        client.force_login(user)
        shown = client.get(reverse("jobs:notifications")).context["items"]
        reminders_shown = [n for n in shown if n.reminder_id and n.event_id is None]
        assert all(n.shown_title and n.shown_title != n.title for n in reminders_shown), user.role
    assert {n.reminder.item_type for n in Notification.objects.filter(event__isnull=True)} == declared


def test_the_registry_reads_each_kind_in_one_query_and_a_persons_deadlines_in_one(due, django_assert_num_queries):
    today, people = due["today"], due["people"]
    for kind in deadlines.KINDS:
        with django_assert_num_queries(1):
            kind.find(today - 14 * DAY, today + 30 * DAY)
    with django_assert_num_queries(1):
        assert deadlines.due_for(people[R.RCGP_ADMIN], today, since=today - 90 * DAY)
