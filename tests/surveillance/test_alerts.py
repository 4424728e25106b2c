"""Practice alerts: raised once for each recent change that matters, told to exactly the practice's audience through
the event-notification path, read back only by that audience (the notifications page, the practice page)."""

import datetime
import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.enquiry_models import Enquiry
from contracts.models import TeamMembership
from core.roles import Role
from forwardplans.delivery import unread_counts
from forwardplans.job_models import Notification, OutboxJob, ReminderItem, SentReminder
from practices.imports.ods import import_ods_practices
from practices.models import Commissioner, Practice
from practices.services import episode_correct
from surveillance.access import alerts_for
from surveillance.alerts import alerts_raise
from surveillance.audiences import alert_recipients
from surveillance.cqc_sync import sync_cqc
from surveillance.models import PracticeAlert
from surveillance.ods_sync import sync_ods

from ..conftest import ODS_SAMPLE
from ..factories import AdviserFactory, CommissionerFactory, ContractFactory, PracticeFactory, UserFactory, user_for
from ..practices.factories import InspectionFactory
from .conftest import ODS_BYTES, zipped

pytestmark = pytest.mark.django_db

K = PracticeAlert.Kind
R = Role
OURS = "1-11809806754"  # Chapel Street, P85019, in the recorded CQC files


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def people(db):
    """A hand-made world around one practice: who must hear of its alerts and who must not."""
    icb = CommissionerFactory(ods_code="QOP", kind=Commissioner.Kind.ICB)
    sub = CommissionerFactory(ods_code="14L", parent=icb)
    elsewhere = CommissionerFactory(ods_code="99C")
    practice = PracticeFactory(commissioner=sub, name="Chapel Street", ods_code="P85019")
    neighbour = PracticeFactory(commissioner=sub, name="Next Door")
    far = PracticeFactory(commissioner=elsewhere, name="Far Away")
    u = {
        "sub_lead": user_for(R.COMMISSIONER_LEAD, commissioner=sub, email="sub.lead@example.nhs.uk"),
        "sub_peer": user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=sub),
        "icb_lead": user_for(R.COMMISSIONER_LEAD, commissioner=icb),
        "icb_peer": user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=icb),
        "other_lead": user_for(R.COMMISSIONER_LEAD, commissioner=elsewhere),
        "other_peer": user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=elsewhere),
        "admin": user_for(R.RCGP_ADMIN, email="admin@example.nhs.uk"),
        "deputy": user_for(R.RCGP_DEPUTY_LEAD),
        "adviser": user_for(R.RCGP_ADVISER),
        "removed_adviser": user_for(R.RCGP_ADVISER),
        "group_deputy": user_for(R.RCGP_DEPUTY_LEAD),
        "group_adviser": user_for(R.RCGP_ADVISER),
        "ended_deputy": user_for(R.RCGP_DEPUTY_LEAD),
        "ended_adviser": user_for(R.RCGP_ADVISER),
        "idle_deputy": user_for(R.RCGP_DEPUTY_LEAD),
        "far_adviser": user_for(R.RCGP_ADVISER),
        "nhse": user_for(R.NHSE_REPORTING),
        "practice_lead": user_for(R.PRACTICE_LEAD, practice=practice),
        "practice_user": user_for(R.PRACTICE_USER, practice=practice),
        "neighbour_lead": user_for(R.PRACTICE_LEAD, practice=neighbour),
        "far_lead": user_for(R.PRACTICE_LEAD, practice=far),
        "inactive_lead": user_for(R.COMMISSIONER_LEAD, commissioner=sub, is_active=False),
        "inactive_practice_user": user_for(R.PRACTICE_USER, practice=practice, is_active=False),
    }

    def team(contract, *users, removed=()):
        for user in users:
            TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=user), added_by=u["admin"],
                                          removed_at=timezone.now() if user in removed else None)

    live = ContractFactory(practice=practice, deputy_lead=u["deputy"], state="scoping")
    team(live, u["adviser"], u["removed_adviser"], removed=[u["removed_adviser"]])
    group = ContractFactory(practice=neighbour, deputy_lead=u["group_deputy"], state="commissioned")
    group.practices.add(practice)  # a contract for a group of practices covers each of them
    team(group, u["group_adviser"])
    ended = ContractFactory(practice=practice, deputy_lead=u["ended_deputy"], state="closed")
    team(ended, u["ended_adviser"])
    team(ContractFactory(practice=far, deputy_lead=u["idle_deputy"], state="scoping"), u["far_adviser"])
    return {"practice": practice, "neighbour": neighbour, "far": far, "users": u, "live": live}


EVERYONE = {"sub_lead", "sub_peer", "icb_lead", "icb_peer", "admin", "deputy", "adviser", "group_deputy",
            "group_adviser", "practice_lead", "practice_user"}
CORRECTORS = {"sub_lead", "icb_lead", "admin"}
AUDIENCE = {kind: CORRECTORS if kind == K.CORRECTION_DIFFERS else EVERYONE for kind in K.values}


def names(people, user_ids):
    by_id = {user.pk: name for name, user in people["users"].items()}
    return {by_id[pk] for pk in user_ids}


def told(people, alert):
    return names(people, SentReminder.objects.filter(item_type=ReminderItem.ALERT, item_id=alert.pk)
                 .values_list("recipient_id", flat=True))


def change(people, kind, *, on=None, key="k1", practice="practice"):
    return {"kind": kind, "practice_id": people[practice].pk, "on": on or today(), "key": key,
            "facts": {"started_on": (on or today()).isoformat()}}


@pytest.mark.parametrize("kind", K.values)
def test_each_kind_reaches_exactly_its_audience(people, kind):
    [alert] = alerts_raise(changes=[change(people, kind)])

    assert told(people, alert) == AUDIENCE[kind]
    assert Notification.objects.filter(reminder__item_id=alert.pk, reminder__item_type=ReminderItem.ALERT).count() \
        == len(AUDIENCE[kind])
    correctors_only = kind == K.CORRECTION_DIFFERS
    assert names(people, alert_recipients([people["practice"].pk], correctors_only=correctors_only)[
        people["practice"].pk]) == AUDIENCE[kind]


def test_what_each_user_may_read_is_what_they_were_sent(people):
    """The reading face (alerts_for) and the sending face (alert_recipients) are one definition."""
    raised = alerts_raise(changes=[change(people, kind, key=f"{kind}-{where}", practice=where)
                                   for kind in (K.RATING_FELL, K.CORRECTION_DIFFERS)
                                   for where in ("practice", "neighbour", "far")])
    assert len(raised) == 6
    sent = {(r.recipient_id, r.item_id) for r in SentReminder.objects.filter(item_type=ReminderItem.ALERT)}
    for name, user in people["users"].items():
        readable = set(alerts_for(user).values_list("pk", flat=True))
        assert readable == {pk for recipient, pk in sent if recipient == user.pk}, name
    everyone_far = alert_recipients([people["far"].pk])[people["far"].pk]
    assert names(people, everyone_far) == {"admin", "idle_deputy", "far_adviser", "far_lead", "other_lead",
                                           "other_peer"}


def test_the_e_mails_go_through_the_outbox_to_those_with_an_address(people):
    [alert] = alerts_raise(changes=[change(people, K.NEW_INSPECTION)])

    pending = SentReminder.objects.filter(item_id=alert.pk, email_status="pending")
    assert names(people, pending.values_list("recipient_id", flat=True)) == {"sub_lead", "admin"}
    job = OutboxJob.objects.get(task="forwardplans.tasks.send_reminder_emails")
    assert sorted(job.args[0]) == sorted(pending.values_list("pk", flat=True))
    notification = Notification.objects.get(reminder__in=pending, recipient=people["users"]["sub_lead"])
    assert notification.title == "CQC: new inspection report for Chapel Street (P85019)"
    assert notification.link == reverse("practices:detail", args=["P85019"])


def test_a_rerun_raises_nothing_new_and_tells_nobody_twice(people):
    changes = [change(people, K.RATING_FELL), change(people, K.NEW_INSPECTION)]
    first = alerts_raise(changes=changes)
    notifications = Notification.objects.count()

    again = alerts_raise(changes=changes)

    assert len(first) == 2 and again == []
    assert PracticeAlert.objects.count() == 2
    assert Notification.objects.count() == notifications
    assert OutboxJob.objects.count() == 1


@override_settings(ALERT_RECENT_DAYS=60)
def test_only_changes_within_the_recent_days_raise_alerts(people):
    raised = alerts_raise(changes=[change(people, K.NEW_INSPECTION, on=days_ago(61), key="old"),
                                   change(people, K.NEW_INSPECTION, on=days_ago(60), key="edge"),
                                   change(people, "first_rating", key="not-an-alert")])

    assert [a.key for a in raised] == ["edge"]
    assert not SentReminder.objects.filter(item_id__in=PracticeAlert.objects.filter(key="old").values("pk")).exists()


def test_an_actor_is_not_told_of_their_own_change(people):
    [alert] = alerts_raise(changes=[change(people, K.CORRECTION_DIFFERS)], actor=people["users"]["sub_lead"])
    assert told(people, alert) == CORRECTORS - {"sub_lead"}


# Special-measures episodes ---------------------------------------------------------------------------------------

def inspect(practice, on, overall="good", **ratings):
    return InspectionFactory(practice=practice, publication_date=on, inspection_date=on - datetime.timedelta(days=30),
                             overall_rating=overall, report_link_id=f"report-{on}-{practice.pk}", **ratings)


def kinds(practice):
    return sorted(PracticeAlert.objects.filter(practice=practice).values_list("kind", "key"))


def test_entering_special_measures_raises_the_alert_and_opens_the_offer(people, django_capture_on_commit_callbacks):
    practice = people["practice"]
    inspect(practice, days_ago(400))  # Good, long ago: nothing
    with django_capture_on_commit_callbacks(execute=True):
        inspect(practice, days_ago(10), overall="inadequate")

    started = days_ago(10).isoformat()
    assert kinds(practice) == [(K.ENTERED_SPECIAL_MEASURES, started)]
    alert = PracticeAlert.objects.get()
    assert told(people, alert) == EVERYONE
    assert alert.detail["route"] == "overall_inadequate" and alert.detail["started_on"] == started
    offer = Enquiry.objects.get()
    assert offer.episode == practice.episodes.get() and offer.practice == practice

    with django_capture_on_commit_callbacks(execute=True):  # derived again, nothing new: no alert, no second offer
        inspect(practice, days_ago(9), overall="inadequate")
    assert kinds(practice) == [(K.ENTERED_SPECIAL_MEASURES, started)]
    assert Enquiry.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        inspect(practice, days_ago(2), overall="good")
    assert kinds(practice) == [(K.ENTERED_SPECIAL_MEASURES, started), (K.LEFT_SPECIAL_MEASURES, started)]
    left = PracticeAlert.objects.get(kind=K.LEFT_SPECIAL_MEASURES)
    assert (left.on, left.detail["outcome"], left.detail["exit_rating"]) == (days_ago(2), "exited", "good")


def test_an_inadequate_key_question_opens_the_window(people, django_capture_on_commit_callbacks):
    practice = people["practice"]
    with django_capture_on_commit_callbacks(execute=True):
        inspect(practice, days_ago(5), overall="requires_improvement", safe="inadequate")

    assert kinds(practice) == [(K.WINDOW_OPENED, days_ago(5).isoformat())]
    assert PracticeAlert.objects.get().detail["domains"] == ["safe"]
    assert not Enquiry.objects.exists()


def test_old_history_raises_nothing_and_opens_no_offer(people, django_capture_on_commit_callbacks):
    practice = people["practice"]
    with django_capture_on_commit_callbacks(execute=True):
        inspect(practice, datetime.date(2024, 3, 1), overall="inadequate")
        inspect(practice, datetime.date(2024, 9, 1), overall="inadequate")

    assert practice.episodes.current().exists()
    assert not PracticeAlert.objects.exists()
    assert not Enquiry.objects.exists()
    assert not SentReminder.objects.exists()


def test_a_correction_that_differs_goes_to_those_who_correct(people, django_capture_on_commit_callbacks):
    practice = people["practice"]
    inspect(practice, days_ago(10), overall="inadequate")
    episode = practice.episodes.get()
    with django_capture_on_commit_callbacks(execute=True):
        episode_correct(practice=practice, episode=episode, actor=people["users"]["admin"],
                        reason="CQC's letter gives another date", started_on=days_ago(12),
                        reinspection_due=days_ago(12) + datetime.timedelta(days=182))

    episode.refresh_from_db()
    assert episode.differs_from_derived
    alert = PracticeAlert.objects.get()
    assert (alert.kind, alert.key) == (K.CORRECTION_DIFFERS, f"{episode.pk}:{today().isoformat()}")
    assert told(people, alert) == CORRECTORS
    assert not Enquiry.objects.exists()  # the practice was in special measures already: not an entry


def test_a_cqc_placement_recorded_by_hand_enters_special_measures(people, django_capture_on_commit_callbacks):
    practice = people["practice"]
    inspect(practice, days_ago(20), overall="requires_improvement", well_led="inadequate")
    with django_capture_on_commit_callbacks(execute=True):
        episode = episode_correct(practice=practice, actor=people["users"]["sub_lead"], reason="CQC letter",
                                  route="placed_by_cqc", started_on=days_ago(3),
                                  reinspection_due=days_ago(3) + datetime.timedelta(days=182))

    assert (K.ENTERED_SPECIAL_MEASURES, days_ago(3).isoformat()) in kinds(practice)
    assert Enquiry.objects.get().episode == episode


# Sync runs -------------------------------------------------------------------------------------------------------

def test_a_cqc_sync_raises_its_alerts_once(source, django_capture_on_commit_callbacks, people):
    _base, served = source
    practice = people["practice"]
    practice.cqc_location_id = OURS
    practice.save()
    InspectionFactory(practice=practice, cqc_location_id=OURS, report_link_id="old-report",
                      publication_date=days_ago(700), overall_rating="good")
    record = json.loads(served.locations[OURS])
    published = days_ago(7).isoformat()
    record["currentRatings"]["overall"].update(rating="Inadequate", reportDate=published, reportLinkId="new-report")
    record["currentRatings"]["reportDate"] = published
    served.locations[OURS] = json.dumps(record).encode()
    served.changes = [OURS]

    with django_capture_on_commit_callbacks(execute=True):
        run = sync_cqc(now=timezone.now())

    alerts = PracticeAlert.objects.filter(practice=practice)
    assert sorted(alerts.values_list("kind", "key")) == sorted([
        (K.NEW_INSPECTION, "new-report"), (K.RATING_FELL, "new-report"), (K.ENTERED_SPECIAL_MEASURES, published)])
    assert set(alerts.exclude(kind=K.ENTERED_SPECIAL_MEASURES).values_list("sync_run", flat=True)) == {run.pk}
    fell = alerts.get(kind=K.RATING_FELL)
    assert fell.detail == {"from": "good", "to": "inadequate", "published_on": published, "report": "new-report"}
    assert told(people, fell) == EVERYONE
    # The record's older reports are new to us too, but history: no alert for them.
    assert {c["kind"] for c in run.changes} >= {"new_inspection", "rating_fell"}
    assert Enquiry.objects.filter(practice=practice).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = sync_cqc(now=timezone.now() + datetime.timedelta(hours=1))
    assert again.changes == []
    assert PracticeAlert.objects.count() == 3


def test_an_ods_sync_raises_a_recent_closure_but_not_an_old_one(source, settings, people):
    base, served = source
    settings.ODS_EPRACCUR_URL = f"{base}/ods/epraccur.zip"
    import_ods_practices(ODS_SAMPLE)
    lines = ODS_BYTES.decode().splitlines(keepends=True)
    codes = [line.split('","')[0].strip('"') for line in lines if line.split('","')[25] == "4"
             and line.split('","')[12] == "A"][:2]
    recent, old = codes
    changed = []
    for line in lines:
        fields = line.split('","')
        code = fields[0].strip('"')
        if code == recent:
            fields[12], fields[11] = "C", days_ago(3).strftime("%Y%m%d")
        if code == old:
            fields[12], fields[11] = "C", "20200101"
        changed.append('","'.join(fields))
    served.files["/ods/epraccur.zip"] = zipped("epraccur.csv", "".join(changed).encode())
    closed_user = user_for(R.PRACTICE_LEAD, practice=Practice.objects.get(ods_code=recent))

    run = sync_ods()

    assert {c["practice"] for c in run.changes if c["kind"] == "practice_closed"} == {recent, old}
    alert = PracticeAlert.objects.get()
    assert (alert.practice.ods_code, alert.kind, alert.on, alert.sync_run) == (recent, K.PRACTICE_CLOSED,
                                                                               days_ago(3), run)
    assert SentReminder.objects.filter(item_id=alert.pk, recipient=closed_user).exists()
    assert sync_ods().changes == [] and PracticeAlert.objects.count() == 1


# Reading ---------------------------------------------------------------------------------------------------------

def test_the_notifications_page_shows_the_alert_and_hides_it_from_who_lost_access(client, people):
    alerts_raise(changes=[{"kind": K.RATING_FELL, "practice_id": people["practice"].pk, "on": days_ago(4),
                           "key": "r1", "facts": {"from": "good", "to": "inadequate",
                                                  "published_on": days_ago(4).isoformat()}}])
    adviser = people["users"]["adviser"]
    client.force_login(adviser)
    page = client.get(reverse("jobs:notifications")).content.decode()
    assert "CQC: rating fell for Chapel Street (P85019)" in page
    assert "The overall CQC rating fell from Good to Inadequate" in page

    TeamMembership.objects.filter(adviser__user=adviser).update(removed_at=timezone.now())
    page = client.get(reverse("jobs:notifications")).content.decode()
    assert "Chapel Street" not in page
    assert "A notification about something you can no longer see" in page


def test_the_practice_page_shows_the_alerts_to_their_audience_only(client, people):
    alerts_raise(changes=[change(people, K.NEW_INSPECTION), change(people, K.CORRECTION_DIFFERS)])
    url = reverse("practices:detail", args=["P85019"])
    for name, sees in (("practice_lead", {K.NEW_INSPECTION}), ("icb_lead", {K.NEW_INSPECTION, K.CORRECTION_DIFFERS}),
                       ("nhse", set()), ("other_lead", None), ("idle_deputy", set())):
        client.force_login(people["users"][name])
        response = client.get(url)
        if sees is None:
            assert response.status_code == 404
            continue
        page = response.content.decode()
        assert ('id="practice-alerts"' in page) == bool(sees), name
        for kind in (K.NEW_INSPECTION, K.CORRECTION_DIFFERS):
            assert (K(kind).label in page) == (kind in sees), (name, kind)


def test_the_practice_page_costs_the_same_queries_for_one_alert_or_many(client, people,
                                                                        django_assert_num_queries):
    client.force_login(people["users"]["sub_peer"])
    url = reverse("practices:detail", args=["P85019"])
    alerts_raise(changes=[change(people, K.NEW_INSPECTION, key="one")])
    client.get(url)
    # Both measured pages count the unread notifications afresh (alerts were delivered before each).
    unread_counts.forget([people["users"]["sub_peer"].pk])
    with CaptureQueriesContext(connection) as one:
        assert 'id="alert-' in client.get(url).content.decode()
    alerts_raise(changes=[change(people, kind, key=f"many-{n}") for kind in (K.NEW_INSPECTION, K.RATING_ROSE)
                          for n in range(6)])
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('id="alert-') == 10  # the latest ten


def test_recipients_cost_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    practices = [people["practice"].pk, people["neighbour"].pk, people["far"].pk,
                 *(PracticeFactory().pk for _ in range(5))]
    with django_assert_max_num_queries(5):
        found = alert_recipients(practices)
    assert len(found) == 8
    UserFactory(role=R.RCGP_ADMIN)
    with django_assert_max_num_queries(2):
        alert_recipients(practices, correctors_only=True)
