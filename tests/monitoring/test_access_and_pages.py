"""Who reads the commissioner's monitoring, on every door: the access module, the pages, the practice page's panel
and the API. The commissioner's users (and its ICB's) read all of it; the practice's users read only the records
shared with it; RCGP and NHSE read nothing (404 for a record)."""

import datetime
from itertools import product

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from monitoring import access
from monitoring.models import FollowUp, MonitoringRecord, ReadinessReview
from monitoring.services import readiness_review_record
from tests.factories import UserFactory

from .factories import checklist, record

pytestmark = pytest.mark.django_db
R = Role
COMMISSIONER = {R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD}
PRACTICE = {R.PRACTICE_USER, R.PRACTICE_LEAD}
DAY = datetime.timedelta(days=1)


@pytest.fixture
def records(world):
    """On the own practice: a private record with a follow-up, a shared one with a follow-up, and a readiness
    review; on another commissioner's practice: a shared record."""
    own, peer = world["practices"]["own"], world["users"][R.COMMISSIONER_PEER_SUPPORT]
    today = timezone.localdate()
    private = record(own, peer, summary="Private notes.", follow_ups=[{"what": "Private call", "due_on": today}])
    shared = record(own, peer, shared=True, summary="Shared notes.",
                    follow_ups=[{"what": "Shared visit", "due_on": today + DAY}])
    review = readiness_review_record(practice=own, actor=peer, reviewed_on=today, checklist=checklist(),
                                     readiness="ready")
    other_peer = UserFactory(role=R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])
    far = record(world["practices"]["other"], other_peer, shared=True, summary="Far notes.")
    return {"private": private, "shared": shared, "review": review, "far": far}


def _expected(role, name):
    if role in COMMISSIONER:
        return name in {"private", "shared"}
    return role in PRACTICE and name == "shared"


def test_each_role_reads_what_the_policy_gives_on_every_face(world, records, client):
    for (role, user), name in product(world["users"].items(), ("private", "shared", "far")):
        wanted = _expected(role, name)
        one = records[name]
        assert access.records_for(user).filter(pk=one.pk).exists() == wanted, (role, name)
        assert access.can(user, "view", MonitoringRecord.objects.get(pk=one.pk)) == wanted, (role, name)
        assert access.follow_ups_for(user).filter(record=one).exists() == (wanted and name != "far"), (role, name)
        client.force_login(user)
        response = client.get(reverse("monitoring:record", args=[one.pk]))
        assert response.status_code == (200 if wanted else 404), (role, name)
        api = client.get(reverse("api:monitoring-record-detail", args=[one.pk]))
        assert api.status_code == (200 if wanted else 404), (role, name)
    for role, user in world["users"].items():
        assert access.readiness_reviews_for(user).exists() == (role in COMMISSIONER), role
        client.force_login(user)
        status = client.get(reverse("monitoring:readiness", args=[records["review"].pk])).status_code
        assert status == (200 if role in COMMISSIONER else 404), role


def test_an_icb_reads_its_sub_icb_locations_records_and_not_another_commissioners(world, records, icb):
    for role in COMMISSIONER:
        seen = set(access.records_for(icb[role]).values_list("pk", flat=True))
        assert seen == {records["private"].pk, records["shared"].pk}
        assert access.readiness_reviews_for(icb[role]).count() == 1
        assert access.may_monitor(icb[role], world["practices"]["own"])
        assert not access.may_monitor(icb[role], world["practices"]["other"])


def test_the_api_lists_what_the_policy_gives_with_the_filters(world, records, client):
    listed = {}
    for role, user in world["users"].items():
        client.force_login(user)
        body = client.get(reverse("api:monitoring-record-list")).json()
        listed[role] = {row["id"] for row in body["results"]}
    for role in R.values:
        assert listed[role] == {records[n].pk for n in ("private", "shared", "far") if _expected(role, n)}, role
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    own = world["practices"]["own"].ods_code
    rows = client.get(reverse("api:monitoring-record-list") + f"?practice={own}&kind=visit").json()["results"]
    assert {row["id"] for row in rows} == {records["private"].pk, records["shared"].pk}
    assert client.get(reverse("api:monitoring-record-list") + "?kind=call").json()["results"] == []
    shared = next(row for row in rows if row["id"] == records["shared"].pk)
    assert shared["people"] == ["Dr A Patel", "Practice manager"]
    assert [f["what"] for f in shared["follow_ups"]] == ["Shared visit"]


def test_the_practice_list_and_its_pages_for_each_role(world, records, client):
    own = world["practices"]["own"]
    url = reverse("monitoring:practice", args=[own.ods_code])
    for role, user in world["users"].items():
        client.force_login(user)
        response = client.get(url)
        if role in COMMISSIONER:
            text = response.content.decode()
            assert response.status_code == 200
            assert "Private notes." in text and "Shared notes." in text and "Private call" in text
            assert reverse("monitoring:readiness", args=[records["review"].pk]) in text
        elif role in PRACTICE:
            text = response.content.decode()
            assert response.status_code == 200
            assert "Shared notes." in text and "Shared visit" in text
            assert "Private" not in text and "readiness" not in text.lower().replace("readiness-", "")
        else:
            assert response.status_code == 404, role
        for name in ("monitoring:record_new", "monitoring:readiness_new"):
            status = client.get(reverse(name, args=[own.ods_code])).status_code
            assert status == (200 if role in COMMISSIONER else 404), (role, name)


def test_a_record_is_made_and_changed_through_its_pages(world, client):
    own, peer = world["practices"]["own"], world["users"][R.COMMISSIONER_PEER_SUPPORT]
    client.force_login(peer)
    today = timezone.localdate()
    response = client.post(reverse("monitoring:record_new", args=[own.ods_code]), {
        "kind": "visit", "happened_on-day": today.day, "happened_on-month": today.month,
        "happened_on-year": today.year, "people": "Dr A Patel", "summary": "Walked round.", "shared": "no",
        "follow_up_what": "Send the audit template", "follow_up_due": (today + DAY).isoformat(),
        "follow_up_owner": str(peer.pk)})
    created = MonitoringRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:record", args=[created.pk])
    assert created.follow_ups.get().owner == peer
    edit = reverse("monitoring:record_edit", args=[created.pk])
    values = {"kind": "visit", "happened_on": today.isoformat(), "people": "Dr A Patel", "summary": "Walked round.",
              "shared": "yes", "version": "1"}
    assert client.post(edit, values).status_code == 302
    stale = client.post(edit, {**values, "summary": "Mine."})
    assert stale.status_code == 409
    assert "What the other person saved" in stale.content.decode()
    created.refresh_from_db()
    assert (created.version, created.shared_with_practice, created.summary) == (2, True, "Walked round.")


def test_a_bad_record_shows_the_error_summary_and_saves_nothing(world, client):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    response = client.post(reverse("monitoring:record_new", args=[world["practices"]["own"].ods_code]), {
        "kind": "visit", "happened_on-day": "31", "happened_on-month": "2", "happened_on-year": "2026",
        "summary": "", "shared": "no", "follow_up_what": "Call"})
    text = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in text and "Date must be a real date" in text
    assert "Enter the summary and notes" in text and "Enter the follow-up due date" in text
    assert not MonitoringRecord.objects.exists()


def test_a_follow_up_is_marked_done_and_added_through_the_pages(world, records, client):
    follow_up = records["shared"].follow_ups.get()
    client.force_login(world["users"][R.PRACTICE_LEAD])  # reads it, may not mark it
    assert client.get(reverse("monitoring:follow_up_done", args=[follow_up.pk])).status_code == 404
    assert client.post(reverse("monitoring:follow_up_done", args=[follow_up.pk]), {}).status_code == 403
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    assert client.post(reverse("monitoring:follow_up_done", args=[follow_up.pk]), {}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_on == timezone.localdate()
    response = client.post(reverse("monitoring:follow_up_add", args=[records["shared"].pk]),
                           {"what": "Visit again", "due_on": (timezone.localdate() + 9 * DAY).isoformat()})
    assert response.status_code == 302
    assert FollowUp.objects.filter(what="Visit again", owner=None).exists()


def test_a_readiness_review_through_its_pages(world, client):
    own = world["practices"]["own"]
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    today = timezone.localdate().isoformat()
    answers = {f"area_{key}": value["status"] for key, value in checklist("partly").items()}
    missing = client.post(reverse("monitoring:readiness_new", args=[own.ods_code]),
                          {"reviewed_on": today, "readiness": "partly"})
    assert missing.status_code == 422 and "Answer ‘Is staffing stable and sufficient?’" in missing.content.decode()
    response = client.post(reverse("monitoring:readiness_new", args=[own.ods_code]),
                           {"reviewed_on": today, "readiness": "partly", "note_staffing": "One GP short.", **answers})
    review = ReadinessReview.objects.get()
    assert response.status_code == 302 and review.checklist["staffing"] == {"status": "partly",
                                                                           "note": "One GP short."}
    page = client.get(reverse("monitoring:readiness", args=[review.pk])).content.decode()
    assert "One GP short." in page and "Partly ready" in page
    edit = client.post(reverse("monitoring:readiness_edit", args=[review.pk]),
                       {"reviewed_on": today, "readiness": "ready", "version": "1", **answers})
    assert edit.status_code == 302
    review.refresh_from_db()
    assert (review.readiness, review.version) == ("ready", 2)


def test_the_practice_pages_monitoring_panel(world, records, client, django_assert_max_num_queries):
    own = world["practices"]["own"]
    url = reverse("practices:detail", args=[own.ods_code])
    for role, user in world["users"].items():
        client.force_login(user)
        text = client.get(url).content.decode()
        assert ('id="monitoring"' in text) == (role in COMMISSIONER | PRACTICE), role
        assert ("Private notes." in text) == (role in COMMISSIONER), role
        assert ("Shared notes." in text) == (role in COMMISSIONER | PRACTICE), role


def test_the_panel_costs_one_query_and_none_for_rcgp(world, records, rf, django_assert_num_queries):
    from monitoring.practice_panels import monitoring_panel
    from practices.models import Practice

    own = Practice.objects.select_related("commissioner").get(pk=world["practices"]["own"].pk)
    for role, queries in ((R.COMMISSIONER_PEER_SUPPORT, 1), (R.PRACTICE_USER, 1), (R.RCGP_ADMIN, 0),
                          (R.NHSE_REPORTING, 0)):
        request = rf.get("/")
        request.user = world["users"][role]
        with django_assert_num_queries(queries):
            monitoring_panel(request, own)


def test_the_lists_cost_the_same_whatever_their_length(world, client, django_assert_max_num_queries):
    own, peer = world["practices"]["own"], world["users"][R.COMMISSIONER_PEER_SUPPORT]
    for i in range(12):
        record(own, peer, shared=i % 2 == 0, follow_ups=[{"what": f"Call {i}", "due_on": timezone.localdate()}])
    client.force_login(peer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("monitoring:practice", args=[own.ods_code])).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(reverse("api:monitoring-record-list"))
    assert len(response.json()["results"]) == 12
