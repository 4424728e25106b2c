"""GET /api/v1/agreements/: the agreement in full for the contract's parties, filtered by whether it is signed, in a
fixed number of queries however many agreements there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services
from core.roles import Role
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db
R = Role


def test_the_agreement_in_full_with_its_money_as_decimal_strings(world, agreement, client):
    lead = world["users"][R.COMMISSIONER_LEAD]
    services.contribution_add(agreement=agreement, actor=lead, base_version=agreement.version, theme="coaching",
                              description="Mentoring", commissioner_amount="2500.00", practice_in_kind="Time")
    client.force_login(world["users"][R.PRACTICE_USER])
    body = client.get(reverse("api:agreement-detail", args=["AG-1"])).json()
    assert body["contract"] == "AG-1" and body["signed_on"] is None
    assert (body["starts_on"], body["ends_on"]) == ("2026-02-01", "2026-08-31")
    assert body["contributions"] == [{"theme": "coaching", "description": "Mentoring", "commissioner_amount": "2500.00",
                                      "commissioner_detail": "", "practice_in_kind": "Time", "rcgp_amount": None,
                                      "rcgp_detail": ""}]
    assert sorted(o["objective"] for o in body["objectives"]) == [
        "Recruit a salaried GP", "Stabilise the rota", "Weekly clinical meeting"]
    assert {s["party"] for s in body["signatures"]} == {"practice", "commissioner", "rcgp"}
    assert "three months' notice" in body["termination_terms"]


def test_the_list_filters_by_signed_and_costs_the_same_queries_for_more_agreements(world, agreement, client):
    admin = world["users"][R.RCGP_ADMIN]
    client.force_login(admin)
    url = reverse("api:agreement-list")
    client.get(url)  # the first request of a session also refreshes it
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(4):
        contract = ContractFactory(practice=world["practices"]["own"], mou_starts_on=datetime.date(2026, 3, 1),
                                   mou_ends_on=datetime.date(2026, 9, 1))
        made = services.agreement_draft(contract=contract, actor=admin)
        services.objective_add(agreement=made, actor=admin, base_version=made.version, group="ways_of_working",
                               objective=f"Objective {n}", measure="Seen", achieve_by=datetime.date(2026, 9, 1))
    with CaptureQueriesContext(connection) as five:
        rows = client.get(url).json()["results"]
    assert len(rows) == 5 and len(five) == len(one)
    for user, party in ((world["users"][R.PRACTICE_LEAD], "practice"), (admin, "rcgp"),
                        (world["users"][R.COMMISSIONER_LEAD], "commissioner")):
        agreement.refresh_from_db()
        services.agreement_sign(agreement=agreement, actor=user, base_version=agreement.version, party=party,
                                name="A Person", position="Lead", signed_on=timezone.localdate())
    assert [row["contract"] for row in client.get(url + "?signed=true").json()["results"]] == ["AG-1"]
    assert len(client.get(url + "?signed=false").json()["results"]) == 4
