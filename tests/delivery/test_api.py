"""GET /api/v1/delivery-records/: each role lists what delivery.access gives it, the filters, the notes kept for
the team, the interview's headings as columns, CSV and XLSX, and a cost that does not grow with the list."""

import csv
import io

import pytest
from django.urls import reverse

from core.roles import Role

from .factories import meeting

pytestmark = pytest.mark.django_db
R = Role
TEAM = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}
PARTIES = {R.PRACTICE_USER, R.PRACTICE_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD}


def _expected(role):
    return {
        R.RCGP_ADMIN: {"private", "interview", "shared", "far"},
        R.RCGP_DEPUTY_LEAD: {"private", "interview", "shared"},
        R.RCGP_ADVISER: {"private", "interview", "shared"},
    }.get(role, {"shared"} if role in PARTIES else set())


def test_each_role_lists_and_reads_what_the_policy_gives(world, delivery, client):
    for role, user in world["users"].items():
        client.force_login(user)
        rows = client.get(reverse("api:delivery-record-list")).json()["results"]
        assert {row["id"] for row in rows} == {delivery[n].pk for n in _expected(role)}, role
        for name in ("private", "interview", "shared", "far"):
            status = client.get(reverse("api:delivery-record-detail", args=[delivery[name].pk])).status_code
            assert status == (200 if name in _expected(role) else 404), (role, name)


def test_the_filters_the_support_given_and_the_notes_for_the_team_only(world, delivery, client):
    client.force_login(world["users"][R.RCGP_ADMIN])
    rows = client.get(reverse("api:delivery-record-list") + "?contract=own-d&kind=interview").json()["results"]
    assert [row["id"] for row in rows] == [delivery["interview"].pk]
    assert rows[0]["answers"]["insight"] == "Denies the findings." and rows[0]["answers"]["magnitude"] is None
    assert rows[0]["interviewee_role"] == "Senior partner"
    private = client.get(reverse("api:delivery-record-detail", args=[delivery["private"].pk])).json()
    assert private["support_given"] == ["critical_friend", "prioritising"]
    assert private["notes"] == "Team only notes." and private["contract"] == "OWN-D"
    client.force_login(world["users"][R.PRACTICE_LEAD])
    shared = client.get(reverse("api:delivery-record-detail", args=[delivery["shared"].pk])).json()
    assert shared["notes"] is None and shared["decisions"] == "Agree the plan."
    assert shared["support_given"] == ["prioritising", "cqc_preparation"]


def test_csv_and_xlsx_export_every_match(world, delivery, client):
    client.force_login(world["users"][R.RCGP_DEPUTY_LEAD])
    response = client.get(reverse("api:delivery-record-list") + "?format=csv&contract=OWN-D")
    assert response.status_code == 200 and "delivery-records.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert "answers.insight" in rows[0] and "support_given" in rows[0]
    interview = next(row for row in rows if row["kind"] == "Structured interview")
    assert interview["answers.insight"] == "Denies the findings."
    xlsx = client.get(reverse("api:delivery-record-list") + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_list_costs_the_same_whatever_its_length(world, delivery, client, django_assert_max_num_queries):
    adviser = world["users"][R.RCGP_ADVISER]
    for i in range(15):
        meeting(delivery["own"], adviser, kind="visit", purpose=f"Visit {i}")
    client.force_login(adviser)
    client.get(reverse("api:delivery-record-list"))
    with django_assert_max_num_queries(6):
        rows = client.get(reverse("api:delivery-record-list")).json()["results"]
    assert len(rows) == 18
