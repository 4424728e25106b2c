"""GET /api/v1/alerts/: only the alerts the caller was sent, filtered by practice and kind, cursor-paginated."""

import datetime

import pytest
import schemathesis
from django.utils import timezone

from contracts.models import TeamMembership
from core.roles import Role
from surveillance.alerts import alerts_raise
from surveillance.models import PracticeAlert

from ..api_support import api_for, error_of, fresh_throttle_cache  # noqa: F401
from ..factories import AdviserFactory, ContractFactory, PracticeFactory
from .test_api_schema import run, wsgi_app  # noqa: F401  (the schema test's runner and application)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/alerts/"
K = PracticeAlert.Kind


@pytest.fixture
def alerts(world):
    """A rating that fell and a correction that differs at each of three practices: the world's own, its sibling
    (same commissioner) and another commissioner's. The world's deputy lead leads a live contract for its own
    practice and its adviser is on the team."""
    users = world["users"]
    contract = ContractFactory(practice=world["practices"]["own"], deputy_lead=users[Role.RCGP_DEPUTY_LEAD],
                               state="scoping")
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[Role.RCGP_ADVISER]),
                                  added_by=users[Role.RCGP_DEPUTY_LEAD])
    on = timezone.localdate() - datetime.timedelta(days=3)
    raised = alerts_raise(changes=[
        {"kind": kind, "practice_id": world["practices"][where].pk, "on": on, "key": f"{kind}-{where}",
         "facts": {"from": "good", "to": "inadequate", "published_on": on.isoformat(), "started_on": on.isoformat()}}
        for where in ("own", "own_sibling", "other") for kind in (K.RATING_FELL, K.CORRECTION_DIFFERS)])
    assert len(raised) == 6
    return world


SEEN = {
    Role.RCGP_ADMIN: {(k, w) for k in (K.RATING_FELL, K.CORRECTION_DIFFERS) for w in ("own", "own_sibling", "other")},
    Role.COMMISSIONER_LEAD: {(k, w) for k in (K.RATING_FELL, K.CORRECTION_DIFFERS) for w in ("own", "own_sibling")},
    Role.COMMISSIONER_PEER_SUPPORT: {(K.RATING_FELL, "own"), (K.RATING_FELL, "own_sibling")},
    Role.RCGP_DEPUTY_LEAD: {(K.RATING_FELL, "own")},
    Role.RCGP_ADVISER: {(K.RATING_FELL, "own")},
    Role.PRACTICE_LEAD: {(K.RATING_FELL, "own")},
    Role.PRACTICE_USER: {(K.RATING_FELL, "own")},
    Role.NHSE_REPORTING: set(),  # reads every rating, but hears of none
    Role.NHSE_REGIONAL: set(),  # reads its region's ratings, but hears of none
}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_lists_only_the_alerts_it_was_sent(client, alerts, role):
    codes = {p.ods_code: name for name, p in alerts["practices"].items()}
    response = api_for(client, alerts, role).get(LIST)
    assert response.status_code == 200
    assert {(row["kind"], codes[row["practice"]]) for row in response.json()["results"]} == SEEN[role]


def test_a_row_carries_facts_and_words_but_no_free_text(client, alerts):
    own = alerts["practices"]["own"]
    rows = api_for(client, alerts, Role.PRACTICE_LEAD).get(LIST).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {"id", "practice", "practice_name", "kind", "on", "title", "summary", "detail", "raised_at"}
    assert row["practice"] == own.ods_code and row["kind"] == "rating_fell"
    assert row["title"] == f"CQC: rating fell for {own.name} ({own.ods_code})"
    assert row["summary"].startswith("The overall CQC rating fell from Good to Inadequate")
    assert row["detail"]["to"] == "inadequate"


def test_filters_narrow_what_the_caller_may_see(client, alerts):
    api = api_for(client, alerts, Role.COMMISSIONER_LEAD)
    sibling, other = alerts["practices"]["own_sibling"], alerts["practices"]["other"]
    rows = api.get(LIST, {"practice": sibling.ods_code.lower()}).json()["results"]
    assert {(r["practice"], r["kind"]) for r in rows} == {(sibling.ods_code, K.RATING_FELL),
                                                          (sibling.ods_code, K.CORRECTION_DIFFERS)}
    rows = api.get(LIST, {"kind": K.CORRECTION_DIFFERS}).json()["results"]
    assert {r["kind"] for r in rows} == {K.CORRECTION_DIFFERS} and len(rows) == 2
    assert api.get(LIST, {"practice": other.ods_code}).json()["results"] == []  # never widened
    error_of(api.get(LIST, {"kind": "everything"}), 400)


def test_anonymous_callers_are_refused(client, alerts):
    error_of(client.get(LIST), 401)


def test_the_list_is_paginated_newest_first(client, alerts):
    api = api_for(client, alerts, Role.RCGP_ADMIN)
    body = api.get(LIST).json()
    assert set(body) >= {"next", "previous", "results"}
    ids = [row["id"] for row in body["results"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 6


@pytest.mark.parametrize("extra", [0, 30])
def test_the_list_costs_the_same_queries_whatever_its_length(client, alerts, extra, django_assert_max_num_queries):
    practices = [PracticeFactory(commissioner=alerts["own"]) for _ in range(extra)]
    alerts_raise(changes=[{"kind": K.NEW_INSPECTION, "practice_id": p.pk, "key": "r"} for p in practices])
    api = api_for(client, alerts, Role.COMMISSIONER_PEER_SUPPORT)
    with django_assert_max_num_queries(4):  # the token, its last use, the page of alerts with their practices
        rows = api.get(LIST).json()["results"]
    assert len(rows) == 2 + extra


def test_the_alerts_operation_conforms_to_the_schema(client, alerts, wsgi_app):  # noqa: F811
    """Generated requests (schemathesis, as tests/api/test_api_schema.py runs every operation): no server error, and
    every response as the schema says, for a caller with alerts and one without."""
    reader = {"Authorization": f"Token {api_for(client, alerts, Role.NHSE_REPORTING).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=reader)
    [operation] = [result.ok() for result in schema.get_all_operations() if result.ok().path == LIST]
    assert operation.method.upper() == "GET"
    for role in (Role.COMMISSIONER_LEAD, Role.NHSE_REPORTING):
        assert run(operation, {}, {"Authorization": f"Token {api_for(client, alerts, role).key}"}) > 5
