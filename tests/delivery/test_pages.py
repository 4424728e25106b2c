"""The delivery pages: the contract page's panel, the list, a record's page and the forms (the NHS error summary,
what was typed kept, nothing saved on bad input), with their query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from delivery.contract_panels import delivery_panel
from delivery.models import DeliveryRecord

from .factories import meeting

pytestmark = pytest.mark.django_db
R = Role
TEAM = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}
PARTIES = {R.PRACTICE_USER, R.PRACTICE_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD}


def _date(day, prefix="happened_on"):
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def _panel(rf, user, contract):
    request = rf.get("/")
    request.user = user
    return str(delivery_panel(request, contract))


def test_the_panel_for_each_role(world, delivery, rf):
    for role, user in world["users"].items():
        text = _panel(rf, user, delivery["own"])
        assert ('id="delivery"' in text) == (role in TEAM | PARTIES), role
        assert ("Scoping the practice." in text) == (role in TEAM), role
        assert ("Senior partner" in text) == (role in TEAM), role
        assert ("Agree the plan." in text) == (role in TEAM | PARTIES), role
        assert ("Record an interview" in text) == (role in TEAM), role
    assert _panel(rf, world["users"][R.PRACTICE_LEAD], delivery["other"]) == ""


def test_the_panel_is_on_the_contract_page(world, delivery, client):
    client.force_login(world["users"][R.RCGP_DEPUTY_LEAD])
    text = client.get(reverse("contracts:detail", args=[delivery["own"].reference])).content.decode()
    assert 'id="delivery"' in text and "Record a visit or meeting" in text and "Record a review meeting" in text


def test_the_panel_counts_the_support_delivered(world, delivery, rf):
    text = _panel(rf, world["users"][R.RCGP_DEPUTY_LEAD], delivery["own"])
    assert "Support delivered" in text
    section = text[text.index('id="support-delivered"'):]
    five, two = (timezone.localdate() - datetime.timedelta(days=n) for n in (5, 2))
    rows = {kind: section[section.index(f'id="support-{kind}"'):][:600] for kind in
            ("critical_friend", "prioritising", "cqc_preparation")}
    assert "</span>2</td>" in rows["critical_friend"] and f"{five:%-d %B %Y}" in rows["critical_friend"]
    assert "</span>2</td>" in rows["prioritising"] and f"{two:%-d %B %Y}" in rows["prioritising"]
    assert "</span>1</td>" in rows["cqc_preparation"]
    text = _panel(rf, world["users"][R.PRACTICE_LEAD], delivery["own"])  # the shared review meeting's only
    assert 'id="support-critical_friend"' not in text and 'id="support-prioritising"' in text


def test_the_panel_costs_one_or_two_queries_and_none_for_nhse(world, delivery, rf, django_assert_num_queries):
    from contracts.models import Contract

    own = Contract.objects.get(pk=delivery["own"].pk)
    for role, queries in ((R.RCGP_DEPUTY_LEAD, 1), (R.RCGP_ADVISER, 2), (R.PRACTICE_USER, 1),
                          (R.COMMISSIONER_LEAD, 1), (R.NHSE_REPORTING, 0)):
        request = rf.get("/")
        request.user = world["users"][role]
        with django_assert_num_queries(queries):
            delivery_panel(request, own)


def test_the_list_and_record_pages_for_each_role(world, delivery, client):
    own = delivery["own"]
    for role, user in world["users"].items():
        client.force_login(user)
        response = client.get(reverse("delivery:contract", args=[own.reference]))
        assert response.status_code == (200 if role in TEAM | PARTIES else 404), role
        if role in TEAM | PARTIES:
            text = response.content.decode()
            assert ("Senior partner" in text) == (role in TEAM)
            assert "Agree the plan." in text
        for name in ("private", "interview", "shared"):
            page = client.get(reverse("delivery:record", args=[delivery[name].pk]))
            seen = role in TEAM or (role in PARTIES and name == "shared")
            assert page.status_code == (200 if seen else 404), (role, name)
            if seen and name == "shared":
                assert ("Team only" in page.content.decode()) is False
        interview = client.get(reverse("delivery:record", args=[delivery["interview"].pk])).content.decode()
        if role in TEAM:
            assert "Denies the findings." in interview and "Insight into CQC&#39;s findings" in interview
        for name in ("delivery:meeting_new", "delivery:interview_new", "delivery:review_new"):
            assert client.get(reverse(name, args=[own.reference])).status_code == (200 if role in TEAM else 404)


def test_notes_for_the_rcgp_team_stay_with_the_team_on_a_shared_record(world, delivery, client):
    shared = meeting(delivery["own"], world["users"][R.RCGP_ADVISER], shared=True, notes="Partners quarrel.")
    client.force_login(world["users"][R.PRACTICE_LEAD])
    assert "Partners quarrel." not in client.get(reverse("delivery:record", args=[shared.pk])).content.decode()
    client.force_login(world["users"][R.RCGP_ADVISER])
    assert "Partners quarrel." in client.get(reverse("delivery:record", args=[shared.pk])).content.decode()


def test_a_visit_is_recorded_and_changed_through_the_pages(world, delivery, client):
    own, adviser = delivery["own"], world["users"][R.RCGP_ADVISER]
    client.force_login(adviser)
    today = timezone.localdate()
    response = client.post(reverse("delivery:meeting_new", args=[own.reference]), {
        "kind": "remote_meeting", **_date(today), "attendees": "Practice manager", "purpose": "Rota review.",
        "support_kinds": ["staffing", "prioritising"], "notes": "", "shared": "no"})
    created = DeliveryRecord.objects.get(purpose="Rota review.")
    assert response.status_code == 302 and response["Location"] == reverse("delivery:record", args=[created.pk])
    assert (created.kind, created.support_kinds, created.recorded_by) == ("remote_meeting",
                                                                          ["prioritising", "staffing"], adviser)
    edit = reverse("delivery:record_edit", args=[created.pk])
    assert client.get(edit).status_code == 200
    values = {"kind": "remote_meeting", **_date(today), "attendees": "Practice manager", "purpose": "Rota review.",
              "support_kinds": ["staffing"], "shared": "yes", "version": "1"}
    assert client.post(edit, values).status_code == 302
    stale = client.post(edit, {**values, "purpose": "Mine."})
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "What the other person saved" in text and "Mine." in text
    created.refresh_from_db()
    assert (created.version, created.shared, created.purpose, created.support_kinds) == (
        2, True, "Rota review.", ["staffing"])


def test_an_interview_and_a_review_meeting_through_their_pages(world, delivery, client):
    own = delivery["own"]
    client.force_login(world["users"][R.RCGP_DEPUTY_LEAD])
    today = timezone.localdate()
    response = client.post(reverse("delivery:interview_new", args=[own.reference]), {
        **_date(today), "interviewee_role": "Practice manager", "attendees": "An adviser",
        "answer_practice_management": "Not allowed to manage.", "support_kinds": ["critical_friend"]})
    interview = DeliveryRecord.objects.get(interviewee_role="Practice manager")
    assert response.status_code == 302
    assert (interview.kind, interview.answers, interview.shared) == (
        "interview", {"practice_management": "Not allowed to manage."}, False)
    response = client.post(reverse("delivery:review_new", args=[own.reference]), {
        **_date(today), "attendees": "All parties", "decisions": "Hand over in March.",
        "support_plan": "Two more visits.", "support_kinds": ["meetings_facilitated"], "shared": "yes"})
    assert response.status_code == 302
    assert DeliveryRecord.objects.get(decisions="Hand over in March.").support_plan == "Two more visits."


@pytest.mark.parametrize(("form", "data", "messages"), [
    ("delivery:meeting_new", {"purpose": "Typed purpose."},
     ["Select what kind of visit or meeting it was", "Enter the date", "Select whether to share this record"]),
    ("delivery:meeting_new", {"kind": "visit", **_date(datetime.date(2025, 12, 1)), "purpose": "Typed purpose.",
                              "shared": "no"},
     ["The date must be on or after the day the contract was commissioned, 5 January 2026"]),
    ("delivery:meeting_new", {"kind": "visit", **_date(timezone.localdate() + datetime.timedelta(days=3)),
                              "purpose": "Typed purpose.", "shared": "no"},
     ["The date must be today or in the past"]),
    ("delivery:meeting_new", {"kind": "visit", **_date(timezone.localdate()), "purpose": "Typed purpose.",
                              "shared": "no", "support_kinds": ["tea_making"]}, ["the support given"]),
    ("delivery:interview_new", {**_date(timezone.localdate()), "interviewee_role": "Partner",
                                "attendees": "Typed purpose."}, ["Answer at least one of the interview's headings"]),
    ("delivery:review_new", {**_date(timezone.localdate()), "purpose": "Typed purpose.", "shared": "yes"},
     ["Enter the decisions"]),
])
def test_bad_input_shows_the_error_summary_keeps_what_was_typed_and_saves_nothing(world, delivery, client, form,
                                                                                  data, messages):
    before = DeliveryRecord.objects.count()
    client.force_login(world["users"][R.RCGP_ADVISER])
    response = client.post(reverse(form, args=[delivery["own"].reference]), data)
    text = response.content.decode().replace("&#39;", "'")
    assert response.status_code == 422
    assert "There is a problem" in text and 'class="nhsuk-error-summary' in text
    for message in messages:
        assert message in text, message
    assert "Typed purpose." in text
    assert DeliveryRecord.objects.count() == before


def test_a_party_who_sees_the_contract_is_refused_a_write_with_the_reason(world, delivery, client):
    client.force_login(world["users"][R.PRACTICE_LEAD])
    own = delivery["own"]
    refused = client.post(reverse("delivery:meeting_new", args=[own.reference]), {"kind": "visit"})
    assert refused.status_code == 403
    assert client.post(reverse("delivery:record_edit", args=[delivery["shared"].pk]), {}).status_code == 403
    assert client.post(reverse("delivery:record_edit", args=[delivery["private"].pk]), {}).status_code == 404
    assert DeliveryRecord.objects.count() == 4


def test_the_list_costs_the_same_whatever_its_length(world, delivery, client, django_assert_max_num_queries):
    own, adviser = delivery["own"], world["users"][R.RCGP_ADVISER]
    client.force_login(adviser)
    url = reverse("delivery:contract", args=[own.reference])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # the session's first request costs more
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(12):
        meeting(own, adviser, kind="visit", purpose=f"Visit {i}", shared=i % 2 == 0)
    with CaptureQueriesContext(connection) as many:
        text = client.get(url).content.decode()
    assert "Visit 11" in text
    assert len(many) == len(few)
    with django_assert_max_num_queries(12):
        client.get(url)
