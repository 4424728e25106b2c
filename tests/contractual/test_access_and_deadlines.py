"""Who sees contractual action, on the pages, the practice page's panel, the letters and the API; and its deadlines
(the remedy date, the appeal window) in the reminder sweep, the home pages and the calendar feed."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from contractual import access
from contractual.models import ContractualCase, Notice
from contractual.selectors import open_notices_by_practice
from core.roles import Role
from demo.contractual import seed_contractual
from forwardplans import deadlines, ical, reminders

from ..factories import user_for
from .factories import NoticeFactory

pytestmark = pytest.mark.django_db
R = Role
D = datetime.date
RCGP = (R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER)


@pytest.fixture
def notices(world):
    own, other = world["practices"]["own"], world["practices"]["other"]
    served = NoticeFactory(decision__case__practice=own)
    unserved = NoticeFactory(decision__case=served.case, served_on=None, kind="breach", remedy_by=None)
    elsewhere = NoticeFactory(decision__case__practice=other)
    return {"served": served, "unserved": unserved, "elsewhere": elsewhere,
            "other_lead": user_for(R.COMMISSIONER_LEAD, commissioner=world["other"]),
            "other_practice_lead": user_for(R.PRACTICE_LEAD, practice=other)}


def _status(client, user, url):
    client.force_login(user)
    status = client.get(url).status_code
    client.logout()
    return status


def test_pages_per_role(client, world, notices):
    users, served, unserved = world["users"], notices["served"], notices["unserved"]
    ods = world["practices"]["own"].ods_code
    page = reverse("contractual:practice", args=[ods])
    expected = {R.COMMISSIONER_LEAD: (200, 200, 200, 200), R.NHSE_REPORTING: (200, 200, 200, 404),
                R.PRACTICE_LEAD: (200, 200, 404, 200), R.PRACTICE_USER: (200, 200, 404, 200),
                R.COMMISSIONER_PEER_SUPPORT: (404, 404, 404, 404),
                **dict.fromkeys(RCGP, (404, 404, 404, 404))}
    for role, (practice_page, served_page, unserved_page, letter) in expected.items():
        user = users[role]
        got = (_status(client, user, page), _status(client, user, reverse("contractual:notice", args=[served.pk])),
               _status(client, user, reverse("contractual:notice", args=[unserved.pk])),
               _status(client, user, reverse("contractual:notice_letter", args=[served.pk, "docx"])))
        assert got == (practice_page, served_page, unserved_page, letter), role
    for who in ("other_lead", "other_practice_lead"):
        assert _status(client, notices[who], reverse("contractual:notice", args=[served.pk])) == 404, who
        assert _status(client, notices[who], page) == 404, who


def test_nhse_sees_type_dates_and_outcome_never_text(client, world, notices):
    client.force_login(world["users"][R.NHSE_REPORTING])
    body = client.get(reverse("contractual:practice", args=[world["practices"]["own"].ods_code])).content.decode()
    assert "Remedial notice" in body and "SECRET" not in body
    body = client.get(reverse("contractual:notice", args=[notices["served"].pk])).content.decode()
    assert "29 June 2026" in body and "SECRET" not in body
    rows = client.get("/api/v1/contractual-actions/").json()["results"]
    assert {r["id"] for r in rows} == {notices["served"].case_id, notices["elsewhere"].case_id}
    assert "SECRET" not in str(rows) and "summary" not in rows[0]


def test_the_practice_sees_only_the_notices_served_on_it(client, world, notices):
    client.force_login(world["users"][R.PRACTICE_LEAD])
    rows = client.get("/api/v1/contractual-actions/").json()["results"]
    assert [[n["id"] for n in r["notices"]] for r in rows] == [[notices["served"].pk]]
    assert "SECRET-SUMMARY" not in str(rows) and "SECRET-TERMS" in str(rows)
    body = client.get(reverse("practices:detail", args=[world["practices"]["own"].ods_code])).content.decode()
    assert 'id="contractual-action"' in body
    assert reverse("contractual:notice", args=[notices["served"].pk]) in body
    assert reverse("contractual:notice", args=[notices["unserved"].pk]) not in body


@pytest.mark.parametrize("role", [*RCGP, R.COMMISSIONER_PEER_SUPPORT])
def test_rcgp_and_peer_support_see_no_contractual_action(client, world, notices, role):
    client.force_login(world["users"][role])
    assert client.get("/api/v1/contractual-actions/").json()["results"] == []
    body = client.get(reverse("practices:detail", args=[world["practices"]["own"].ods_code])).content.decode()
    assert 'id="contractual-action"' not in body


def test_the_commissioner_lead_reads_everything_and_downloads_the_letters(client, world, notices):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    rows = client.get("/api/v1/contractual-actions/").json()["results"]
    assert [r["id"] for r in rows] == [notices["served"].case_id]
    assert len(rows[0]["notices"]) == 2 and rows[0]["summary"].startswith("SECRET-SUMMARY")
    response = client.get(reverse("contractual:notice_letter", args=[notices["served"].pk, "docx"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Remedial notice" in text and "SECRET-TERMS clause 7.1" in text and "29 June 2026" in text
    assert "within a maximum of 28 days" in text and "by 30 June 2026" in text
    pdf = client.get(reverse("contractual:notice_letter", args=[notices["served"].pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_open_notices_by_practice_in_one_query(world, notices, django_assert_num_queries):
    own, other = world["practices"]["own"], world["practices"]["other"]
    with django_assert_num_queries(1):
        found = open_notices_by_practice([own.pk, other.pk])
    assert [n["id"] for n in found[own.pk]] == [notices["served"].pk, notices["unserved"].pk]
    assert found[own.pk][0]["appeal_by"] == D(2026, 6, 30) and "terms_breached" not in found[own.pk][0]


def _sweep(day, item_type, item_id):
    candidates, _users = reminders.visible_only(reminders.collect(day))
    return {(c.recipient_id, c.kind) for c in candidates if (c.item_type, c.item_id) == (item_type, item_id)}


def test_notice_deadlines_reach_the_leads_and_the_practice_lead_in_the_sweep_pages_and_feed(world, notices):
    users = world["users"]
    lead, practice_lead = users[R.COMMISSIONER_LEAD], users[R.PRACTICE_LEAD]
    # Served 2 June: the appeal window closes 30 June; the remedy date is 29 June.
    day, served = D(2026, 6, 20), notices["served"]
    told = {(lead.pk, "due_soon"), (practice_lead.pk, "due_soon")}
    assert _sweep(day, "notice_remedy", served.pk) == told
    assert _sweep(day, "notice_appeal", served.pk) == told
    # The unserved notice has no appeal window, and its practice hears nothing of it.
    assert _sweep(day, "notice_appeal", notices["unserved"].pk) == set()
    for user, seen in ((lead, True), (practice_lead, True), (users[R.RCGP_ADMIN], False),
                       (users[R.COMMISSIONER_PEER_SUPPORT], False), (notices["other_lead"], False)):
        due = {(d.item_type, d.item_id) for d in deadlines.needs_me(user, day)}
        assert (("notice_remedy", served.pk) in due) == seen, user.role
        assert (("notice_appeal", served.pk) in due) == seen, user.role
        feed = {(uid, on) for uid, on, *_rest in ical.entries_for(user, day)}
        assert ((f"notice-remedy-{served.pk}", D(2026, 6, 29)) in feed) == seen, user.role
        assert ((f"notice-appeal-{served.pk}", D(2026, 6, 30)) in feed) == seen, user.role
    served.outcome = "remedied"
    served.save()
    assert _sweep(day, "notice_remedy", served.pk) == set()
    assert _sweep(day, "notice_appeal", served.pk) == set()


def test_each_rule_gives_the_same_answer_for_one_record_as_its_queryset(world, notices):
    users = [*world["users"].values(), notices["other_lead"], notices["other_practice_lead"]]
    for rule, model in ((access.VIEW_CASE, ContractualCase), (access.ACT, ContractualCase),
                        (access.VIEW_NOTICE, Notice)):
        for user in users:
            listed = set(rule.filter(user, model.objects.all()).values_list("pk", flat=True))
            one_by_one = {record.pk for record in model.objects.all() if rule.test(user, record)}
            assert listed == one_by_one, (rule.name, user.role)


def test_the_commissioner_lead_records_a_concern_and_a_step_through_the_pages(client, world):
    lead, practice = world["users"][R.COMMISSIONER_LEAD], world["practices"]["own"]
    client.force_login(lead)
    page = reverse("contractual:practice", args=[practice.ods_code])
    assert client.get(page).status_code == 200
    response = client.post(reverse("contractual:open", args=[practice.ods_code]), {
        "received_on-day": "26", "received_on-month": "5", "received_on-year": "2026", "source": "cqc",
        "summary": "Unsafe prescribing."})
    assert response.status_code == 422 and "Enter the date of CQC" in response.content.decode()
    response = client.post(reverse("contractual:open", args=[practice.ods_code]), {
        "received_on-day": "26", "received_on-month": "5", "received_on-year": "2026", "source": "cqc",
        "cqc_visit_on-day": "22", "cqc_visit_on-month": "5", "cqc_visit_on-year": "2026",
        "summary": "Unsafe prescribing."})
    assert response.status_code == 302
    body = client.get(page).content.decode()
    assert "CQC notified within one working day: met" in body and "Record the risk assessment" in body
    case = ContractualCase.objects.get()
    response = client.post(reverse("contractual:step", args=[case.pk, "decide"]), {
        "version": case.version, "kind": "no_action", "decided_on-day": "1", "decided_on-month": "6",
        "decided_on-year": "2026"})
    assert response.status_code == 422  # no decision before the risk assessment
    assert "completed risk assessment" in response.content.decode()
    response = client.post(reverse("contractual:step", args=[case.pk, "assess_risk"]), {
        "version": case.version, "outcome": "low", "assessed_on-day": "27", "assessed_on-month": "5",
        "assessed_on-year": "2026"})
    assert response.status_code == 302
    response = client.post(reverse("contractual:step", args=[case.pk, "assess_risk"]), {
        "version": case.version, "outcome": "low", "assessed_on-day": "27", "assessed_on-month": "5",
        "assessed_on-year": "2026"})
    assert response.status_code == 409  # the version it started from has moved on


def test_the_demo_seeds_once(world):
    lead = world["users"][R.COMMISSIONER_LEAD]
    lead.username = "demo-commissioner_lead"
    lead.save()
    practice = world["practices"]["own"]
    practice.ods_code = "Y01124"
    practice.save()
    logged = []
    seed_contractual(logged.append)
    seed_contractual(logged.append)
    notice = Notice.objects.get()
    assert ContractualCase.objects.count() == 1 and notice.served_on is not None and notice.appeal_by is not None
    assert ContractualCase.objects.get().cqc_notified_within_one_working_day is True
    assert len(logged) == 1
