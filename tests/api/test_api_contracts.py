import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.imports import import_contracts
from core.roles import Role
from forwardplans import services
from forwardplans.models import Action, Milestone

from ..api_support import api_for, error_of, fresh_throttle_cache  # noqa: F401
from ..cases import advance, with_documents
from ..contracts.test_contract_import import HANDMADE, handmade_practices
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory

pytestmark = pytest.mark.django_db

CONTRACTS = "/api/v1/contracts/"
SUMMARY = "/api/v1/forward-plans/summary/"
RAG = "/api/v1/reports/rag/"
FUNDING = "/api/v1/reports/funding/"
OUTCOMES = "/api/v1/reports/programme-outcomes/"

FREE_TEXT = ["Adviser-only remark", "Stability objective", "Ways objective", "Sustainability objective",
             "Declined because", "No recall for high-risk drugs", "Founded 1974."]


@pytest.fixture
def contracts(docs):
    """DOC-1 (own practice, 01A, led by the deputy lead, adviser on the team, a plan with one Red action),
    OWN-2 (own practice, commissioned, no lead yet) and OTHER-1 (02B, report drafting, a plan: Amber and Green)."""
    world_users = docs["users"]
    own = docs["contract"].practice
    other = ContractFactory(reference="OTHER-1", practice=type(own).objects.get(name="Other Practice"),
                            state="scoping", programme="resilience", value=Decimal("2500.00"),
                            notes="Adviser-only remark", objectives_operational_stability="Stability objective",
                            objectives_ways_of_working="Ways objective",
                            objectives_future_sustainability="Sustainability objective",
                            exit_reason="Declined because")
    ContractFactory(reference="OWN-2", practice=own, parent=docs["contract"], value=Decimal("1000.00"),
                    rating_before="inadequate", in_special_measures_before=True)
    plan = with_documents(other).forward_plan
    admin = world_users[Role.RCGP_ADMIN]
    today = timezone.localdate()
    green = services.action_create(plan=plan, actor=admin, **dict(ACTION_FIELDS, planned_completion=today))
    amber = services.action_create(plan=plan, actor=admin, **dict(ACTION_FIELDS, planned_completion=today),
                                   milestones=[("Late", today - datetime.timedelta(days=3)),
                                               ("Soon", today + datetime.timedelta(days=5))])
    Action.objects.filter(pk=green.pk).update(rag_status="green")
    Action.objects.filter(pk=amber.pk).update(rag_status="amber")
    # DOC-1's action: one milestone long past, one far ahead, completion far ahead.
    Milestone.objects.filter(action=docs["action"]).delete()
    Milestone.objects.create(action=docs["action"], description="Past", due_on=today - datetime.timedelta(days=30))
    Action.objects.filter(pk=docs["action"].pk).update(planned_completion=today + datetime.timedelta(days=100))
    return docs


def give_consent(docs):
    advance(docs["contract"], "review_meeting", docs["users"])


def references(response):
    assert response.status_code == 200, response.content[:300]
    return {row["reference"] for row in response.json()["results"]}


CONTRACTS_VISIBLE = {
    Role.NHSE_REPORTING: {"DOC-1", "OWN-2", "OTHER-1"},
    Role.RCGP_ADMIN: {"DOC-1", "OWN-2", "OTHER-1"},
    Role.RCGP_DEPUTY_LEAD: {"DOC-1", "OWN-2"},  # leads DOC-1; OWN-2 waits for a lead
    Role.RCGP_ADVISER: {"DOC-1"},
    Role.COMMISSIONER_LEAD: {"DOC-1", "OWN-2"},
    Role.COMMISSIONER_PEER_SUPPORT: {"DOC-1", "OWN-2"},
    Role.PRACTICE_USER: {"DOC-1", "OWN-2"},
    Role.PRACTICE_LEAD: {"DOC-1", "OWN-2"},
}


@pytest.mark.parametrize("role", sorted(CONTRACTS_VISIBLE))
def test_contracts_per_role(client, contracts, role):
    api = api_for(client, contracts, role)
    assert references(api.get(CONTRACTS)) == CONTRACTS_VISIBLE[role]
    for reference in ("DOC-1", "OWN-2", "OTHER-1"):
        response = api.get(f"{CONTRACTS}{reference}/")
        if reference in CONTRACTS_VISIBLE[role]:
            assert response.json()["reference"] == reference
        else:
            assert error_of(response, 404)["code"] == "not_found"


def test_contract_fields_are_metadata_and_funding_without_free_text(client, contracts):
    api = api_for(client, contracts, Role.NHSE_REPORTING)
    response = api.get(CONTRACTS)
    text = response.content.decode()
    for words in FREE_TEXT:
        assert words not in text
    rows = {row["reference"]: row for row in response.json()["results"]}
    assert rows["OWN-2"] == {
        "reference": "OWN-2", "parent": "DOC-1", "practice": contracts["contract"].practice.ods_code,
        "group_practices": [], "commissioner": "01A", "programme": "special_measures", "categories": [],
        "state": "commissioned", "status": "live", "commissioned_on": "2026-01-05", "first_contact_on": None,
        "agreement_signed_on": None, "agreement_starts_on": None, "agreement_ends_on": None, "ended_on": None,
        "end_reason": None, "rating_before": "inadequate", "in_special_measures_before": True,
        "rating_after": None, "in_special_measures_after": None, "closure": "none", "outcome": None,
        "awaiting_reinspection": False, "value": 1000.0, "nhse_contribution": 0.0, "practice_contribution": 0.0,
        "spent": 0.0,
    }
    assert rows["OTHER-1"]["value"] == 2500.0 and rows["OTHER-1"]["parent"] is None


def test_a_parent_the_caller_may_not_see_is_not_named(client, contracts):
    contracts["contract"].deputy_lead = None
    contracts["contract"].save()
    ContractFactory(reference="OWN-3", practice=contracts["contract"].practice, parent=contracts["contract"],
                    deputy_lead=contracts["users"][Role.RCGP_DEPUTY_LEAD], state="scoping")
    api = api_for(client, contracts, Role.RCGP_DEPUTY_LEAD)
    assert api.get(f"{CONTRACTS}OWN-3/").json()["parent"] is None
    assert api_for(client, contracts, Role.RCGP_ADMIN).get(f"{CONTRACTS}OWN-3/").json()["parent"] == "DOC-1"


@pytest.mark.parametrize(("params", "expected"), [
    ({"programme": "resilience"}, {"OTHER-1"}),
    ({"commissioner": "01A"}, {"DOC-1", "OWN-2"}),
    ({"state": "report_drafting"}, {"DOC-1", "OTHER-1"}),
    ({"state": "commissioned"}, {"OWN-2"}),
    ({"status": "live"}, {"DOC-1", "OWN-2", "OTHER-1"}),
    ({"status": "ended"}, set()),
    ({"commissioned_from": "2026-01-06"}, set()),
    ({"commissioned_to": "2026-01-05"}, {"DOC-1", "OWN-2", "OTHER-1"}),
])
def test_contract_filters(client, contracts, params, expected):
    assert references(api_for(client, contracts, Role.NHSE_REPORTING).get(CONTRACTS, params)) == expected


def test_contract_practice_filter_includes_group_practices(client, contracts):
    sibling = contracts["contract"].practice.commissioner.practices.get(name="Sibling Practice")
    contracts["contract"].practices.add(sibling)
    api = api_for(client, contracts, Role.NHSE_REPORTING)
    assert references(api.get(CONTRACTS, {"practice": sibling.ods_code})) == {"DOC-1"}
    assert api.get(f"{CONTRACTS}DOC-1/").json()["group_practices"] == [sibling.ods_code]


# Forward-plan summary ----------------------------------------------------------------------------

DOC_1 = {"red": 1, "amber": 0, "green": 0, "actions": 1, "percent_complete": 0.0, "overdue_milestones": 1,
         "due_soon": 0}
OTHER_1 = {"red": 0, "amber": 1, "green": 1, "actions": 2, "percent_complete": 50.0, "overdue_milestones": 1,
           "due_soon": 1}
SUMMARY_VISIBLE = {
    Role.NHSE_REPORTING: {"DOC-1", "OTHER-1"},  # figures of every plan, never the plans
    Role.RCGP_ADMIN: {"DOC-1", "OTHER-1"},
    Role.RCGP_DEPUTY_LEAD: {"DOC-1"},
    Role.RCGP_ADVISER: {"DOC-1"},
    Role.PRACTICE_USER: {"DOC-1"},
    Role.PRACTICE_LEAD: {"DOC-1"},
    Role.COMMISSIONER_LEAD: set(),  # no consent to share yet
    Role.COMMISSIONER_PEER_SUPPORT: set(),
}


def summaries(response):
    assert response.status_code == 200, response.content[:300]
    return {row["contract"]: row for row in response.json()["results"]}


@pytest.mark.parametrize("role", sorted(SUMMARY_VISIBLE))
def test_plan_summary_per_role(client, contracts, role):
    rows = summaries(api_for(client, contracts, role).get(SUMMARY))
    assert set(rows) == SUMMARY_VISIBLE[role]
    expected = {"DOC-1": DOC_1, "OTHER-1": OTHER_1}
    for reference, row in rows.items():
        assert {key: row[key] for key in expected[reference]} == expected[reference]
    if "OTHER-1" in rows:
        assert rows["OTHER-1"]["commissioner"] == "02B" and rows["OTHER-1"]["programme"] == "resilience"


def test_plan_summary_for_a_commissioner_after_consent(client, contracts):
    give_consent(contracts)
    assert set(summaries(api_for(client, contracts, Role.COMMISSIONER_PEER_SUPPORT).get(SUMMARY))) == {"DOC-1"}


def test_nhse_never_gets_plan_or_report_text(client, contracts):
    api = api_for(client, contracts, Role.NHSE_REPORTING)
    for url in (SUMMARY, RAG, CONTRACTS, "/api/v1/actions/", f"{SUMMARY}?format=csv", f"{CONTRACTS}?format=csv"):
        text = api.get(url).content.decode(errors="replace")
        for words in FREE_TEXT + [ACTION_FIELDS["action_planned"], ACTION_FIELDS["evidence_needed"]]:
            assert words not in text, (url, words)
    assert api.get("/api/v1/actions/").json()["results"] == []
    assert error_of(api.get(f"/api/v1/actions/{contracts['action'].pk}/"), 404)


def test_plan_summary_filters(client, contracts):
    api = api_for(client, contracts, Role.NHSE_REPORTING)
    assert set(summaries(api.get(SUMMARY, {"commissioner": "02B"}))) == {"OTHER-1"}
    assert set(summaries(api.get(SUMMARY, {"contract": "DOC-1"}))) == {"DOC-1"}
    assert set(summaries(api.get(SUMMARY, {"programme": "resilience"}))) == {"OTHER-1"}


def test_plan_summary_queries_do_not_grow_with_plans(client, contracts):
    api = api_for(client, contracts, Role.NHSE_REPORTING)
    api.get(SUMMARY)  # the token's first use records last_used_at
    with CaptureQueriesContext(connection) as two_plans:
        assert len(summaries(api.get(SUMMARY))) == 2
    for n in range(5):
        plan = with_documents(ContractFactory(reference=f"MORE-{n}")).forward_plan
        services.action_create(plan=plan, actor=contracts["users"][Role.RCGP_ADMIN], **ACTION_FIELDS,
                               milestones=[("Past", datetime.date(2020, 1, 1))])
    with CaptureQueriesContext(connection) as seven_plans:
        assert len(summaries(api.get(SUMMARY))) == 7
    # token, plans, and forwardplans.selectors.summaries_for_plans' aggregates: the same for any number of plans
    assert len(seven_plans) == len(two_plans) <= 7


# RAG report --------------------------------------------------------------------------------------

def rag_rows(response):
    assert response.status_code == 200, response.content[:300]
    return {row["commissioner"]: row for row in response.json()}


ROW_01A = {"commissioner": "01A", "commissioner_name": "Commissioner 01A", "red": 1, "amber": 0, "green": 0,
           "total": 1}
ROW_02B = {"commissioner": "02B", "commissioner_name": "Commissioner 02B", "red": 0, "amber": 1, "green": 1,
           "total": 2}


@pytest.mark.parametrize(("role", "expected"), [
    (Role.NHSE_REPORTING, {"01A": ROW_01A, "02B": ROW_02B}),
    (Role.RCGP_ADMIN, {"01A": ROW_01A, "02B": ROW_02B}),
    (Role.RCGP_DEPUTY_LEAD, {"01A": ROW_01A}),
    (Role.RCGP_ADVISER, {"01A": ROW_01A}),
    (Role.PRACTICE_USER, {"01A": ROW_01A}),
    (Role.COMMISSIONER_LEAD, {}),
])
def test_rag_report_per_role(client, contracts, role, expected):
    assert rag_rows(api_for(client, contracts, role).get(RAG)) == expected


def test_rag_report_commissioner_filter_and_consent(client, contracts):
    assert rag_rows(api_for(client, contracts, Role.NHSE_REPORTING).get(RAG, {"commissioner": "02B"})) == {
        "02B": ROW_02B}
    give_consent(contracts)
    assert rag_rows(api_for(client, contracts, Role.COMMISSIONER_LEAD).get(RAG)) == {"01A": ROW_01A}


# Funding -----------------------------------------------------------------------------------------

@pytest.fixture
def funded(world):
    """Contracts around the 2025-26 financial year (1 April 2025 to 31 March 2026): each commissioned on one day,
    its agreement signed on another and its payments made on others, so that each figure counts its own date."""
    from contracts.models import Payment

    own, other = world["practices"]["own"], world["practices"]["other"]
    for reference, practice, programme, on, state, value, signed, payments in [
        ("F1", own, "special_measures", "2025-04-01", "enquiry", "1000.00", None, []),
        # An invoice not yet paid is not spent.
        ("F2", own, "special_measures", "2025-06-15", "scoping", "5000.00", "2025-07-01",
         [("invoice", "1200.50", "2025-09-01"), ("invoice", "500.00", None)]),
        ("F3", own, "special_measures", "2026-03-31", "closed", "3000.00", "2026-03-31",
         [("invoice", "3000.00", "2026-03-31"), ("refund", "0.01", "2026-03-31")]),
        ("F4", other, "resilience", "2025-10-01", "commissioned", "2500.00", "2025-10-15",
         [("invoice", "100.00", "2025-11-01")]),
        # Commissioned in 2024-25, signed and paid in 2025-26.
        ("F5", own, "special_measures", "2025-03-31", "scoping", "7777.00", "2025-04-10",
         [("invoice", "7.00", "2025-05-01")]),
        ("F6", own, "special_measures", "2026-04-01", "scoping", "8888.00", "2026-04-05",
         [("invoice", "8.00", "2026-05-01")]),  # all in 2026-27
    ]:
        contract = ContractFactory(reference=reference, practice=practice, programme=programme, state=state,
                                   commissioned_on=datetime.date.fromisoformat(on), value=Decimal(value),
                                   mou_signed_on=datetime.date.fromisoformat(signed) if signed else None)
        for kind, amount, paid_on in payments:
            Payment.objects.create(contract=contract, funder="nhse", kind=kind, amount=Decimal(amount),
                                   invoiced_on=contract.commissioned_on,
                                   paid_on=datetime.date.fromisoformat(paid_on) if paid_on else None)
    return world


def funding_rows(response):
    assert response.status_code == 200, response.content[:300]
    return {row["programme"]: row for row in response.json()}


# Worked out by hand, 2025-26. Special measures: commissioned F1 (1000), F2 (5000), F3 (3000): 3 contracts,
# contracted 9000. Agreements signed in the year: F2 (5000), F3 (3000), F5 (7777, commissioned the year before):
# 3, committed 15777. Payments made in the year: F2 1200.50 (its unpaid 500 is not spent), F3 3000 less its
# 0.01 refund = 2999.99, F5 7.00: spent 4207.49. Resilience F4 (02B): 1 contract, 2500 contracted, 2500 committed,
# 100 spent. F6 is all 2026-27.
SM_2025 = {"financial_year": "2025-26", "programme": "special_measures", "contracts": 3, "contracted": 9000.0,
           "committed_contracts": 3, "committed": 15777.0, "spent": 4207.49}
RESILIENCE_2025 = {"financial_year": "2025-26", "programme": "resilience", "contracts": 1, "contracted": 2500.0,
                   "committed_contracts": 1, "committed": 2500.0, "spent": 100.0}


def test_funding_by_programme_for_one_financial_year(client, funded):
    rows = funding_rows(api_for(client, funded, Role.NHSE_REPORTING).get(FUNDING, {"financial_year": "2025"}))
    assert rows["special_measures"] == SM_2025
    assert rows["resilience"] == RESILIENCE_2025
    assert list(rows) == ["special_measures", "diagnostic_forward_plan", "resilience", "whole_team_away_day",
                          "partners_away_day", "cqc_preparation", "ongoing_support"]
    assert rows["cqc_preparation"] == {"financial_year": "2025-26", "programme": "cqc_preparation", "contracts": 0,
                                       "contracted": 0.0, "committed_contracts": 0, "committed": 0.0, "spent": 0.0}
    earlier = funding_rows(api_for(client, funded, Role.RCGP_ADMIN).get(FUNDING, {"financial_year": "2024"}))
    # F5 was commissioned in 2024-25, but its agreement was signed and its payment made in 2025-26.
    assert earlier["special_measures"] == {"financial_year": "2024-25", "programme": "special_measures",
                                           "contracts": 1, "contracted": 7777.0, "committed_contracts": 0,
                                           "committed": 0.0, "spent": 0.0}
    later = funding_rows(api_for(client, funded, Role.RCGP_ADMIN).get(FUNDING, {"financial_year": "2026"}))
    assert later["special_measures"] == {"financial_year": "2026-27", "programme": "special_measures",
                                         "contracts": 1, "contracted": 8888.0, "committed_contracts": 1,
                                         "committed": 8888.0, "spent": 8.0}


def test_funding_is_scoped_to_the_callers_contracts(client, funded):
    rows = funding_rows(api_for(client, funded, Role.COMMISSIONER_LEAD).get(FUNDING, {"financial_year": "2025"}))
    assert rows["special_measures"] == SM_2025 and rows["resilience"]["contracts"] == 0
    rows = funding_rows(api_for(client, funded, Role.NHSE_REPORTING).get(FUNDING, {"financial_year": "2025",
                                                                                    "commissioner": "02B"}))
    assert rows["special_measures"]["contracts"] == 0 and rows["resilience"] == RESILIENCE_2025


@pytest.mark.parametrize(("params", "field"), [
    ({}, "financial_year"), ({"financial_year": "twenty"}, "financial_year"), ({"financial_year": "1999"},
                                                                              "financial_year"),
    ({"financial_year": "2025", "commissioner": "99Z"}, "commissioner"),
])
def test_funding_bad_params(client, funded, params, field):
    error = error_of(api_for(client, funded, Role.NHSE_REPORTING).get(FUNDING, params), 400)
    assert error["code"] == "invalid" and field in error["fields"]


# Programme outcomes: tests/data/contracts_handmade.csv through import_contracts -------------------

# The figures worked out by hand, row by row, in tests/contracts/test_programme_figures.py: the API must return them.
from ..contracts.test_programme_figures import (  # noqa: E402
    RESILIENCE_ALL,
    SPECIAL_MEASURES_01A,
    SPECIAL_MEASURES_2017_TO_MAY_2019,
    SPECIAL_MEASURES_ALL,
    with_offers,
)

KEYS = ["programme", "enquiries", "supported", "live", "ended", "ended_by_reason", "completed",
        "awaiting_reinspection", "outcomes", "subtotals", "offers", "enquiry_outcomes"]


@pytest.fixture
def handmade(world):
    handmade_practices()
    import_contracts(HANDMADE)
    return world


def outcomes(api, **params):
    response = api.get(OUTCOMES, params)
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.parametrize("role", [Role.NHSE_REPORTING, Role.RCGP_ADMIN])
def test_programme_outcomes_are_the_hand_computed_figures(client, handmade, role):
    api = api_for(client, handmade, role)
    response = outcomes(api, programme="special_measures")
    assert response.json() == with_offers(SPECIAL_MEASURES_ALL)
    assert list(json.loads(response.content)) == KEYS
    assert outcomes(api, programme="special_measures", commissioner="01A").json() == with_offers(SPECIAL_MEASURES_01A)
    assert outcomes(api, programme="special_measures", **{"from": "2017-01-09", "to": "2019-05-01"}).json() \
        == with_offers(SPECIAL_MEASURES_2017_TO_MAY_2019)
    assert outcomes(api, programme="resilience").json() == with_offers(RESILIENCE_ALL)


def test_programme_outcomes_for_a_commissioner_lead_are_their_own(client, handmade):
    api = api_for(client, handmade, Role.COMMISSIONER_LEAD)
    assert outcomes(api, programme="special_measures").json() == with_offers(SPECIAL_MEASURES_01A)
    # Asking for another commissioner cannot widen the scope: their contracts are not the caller's.
    assert outcomes(api, programme="special_measures", commissioner="02B").json()["enquiries"] == 0


@pytest.mark.parametrize("role", sorted(set(Role.values) - {Role.NHSE_REPORTING, Role.NHSE_REGIONAL, Role.RCGP_ADMIN,
                                                            Role.COMMISSIONER_LEAD}))
def test_programme_outcomes_and_funding_are_refused_to_other_roles(client, handmade, role):
    api = api_for(client, handmade, role)
    assert error_of(api.get(OUTCOMES, {"programme": "special_measures"}), 403)["code"] == "permission_denied"
    assert error_of(api.get(FUNDING, {"financial_year": "2025"}), 403)["code"] == "permission_denied"


def test_programme_outcomes_as_csv_is_one_flat_row(client, handmade):
    response = api_for(client, handmade, Role.NHSE_REPORTING).get(OUTCOMES, {"programme": "special_measures",
                                                                            "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    header, row = [line.split(",") for line in response.content.decode().splitlines()]
    values = dict(zip(header, row, strict=True))
    assert values["enquiries"] == "17" and values["outcomes.good.count"] == "3"
    assert values["outcomes.good.percent"] == "33.3" and values["subtotals.improved.percent"] == "55.6"


@pytest.mark.parametrize(("params", "field"), [
    ({}, "programme"),
    ({"programme": "specialmeasures"}, "programme"),
    ({"programme": "special_measures", "from": "2019-02-30"}, "from"),
    ({"programme": "special_measures", "to": "01/02/2019"}, "to"),
    ({"programme": "special_measures", "from": "2020-01-01", "to": "2019-12-31"}, "to"),
    ({"programme": "special_measures", "commissioner": "99Z"}, "commissioner"),
])
def test_programme_outcomes_bad_params_answer_400(client, handmade, params, field):
    error = error_of(api_for(client, handmade, Role.NHSE_REPORTING).get(OUTCOMES, params), 400)
    assert error["code"] == "invalid" and list(error["fields"]) == [field]


def test_reports_need_a_token(client, handmade):
    for url in (OUTCOMES, FUNDING, RAG, SUMMARY, CONTRACTS):
        assert error_of(client.get(url), 401)["code"] == "not_authenticated"
