"""The NHSE regional team (Role.NHSE_REGIONAL) across the service: its region's practices, contracts' metadata,
referrals, figures and final case studies; never a document, an agreement, a note, contractual action or a
concern. The world's regional user is OWN's region's (North West, Y62); OTHER is in North East and Yorkshire."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements import access as agreement_access
from contracts import access as contract_access
from contractual import access as contractual_access
from core.roles import Role
from evaluation import access as evaluation_access
from forwardplans import access as document_access
from practices import access as practice_access

from .api_support import api_for, fresh_throttle_cache  # noqa: F401
from .factories import ContractFactory, ReferralFactory

pytestmark = pytest.mark.django_db
FUNDING = "/api/v1/reports/funding/"


@pytest.fixture
def regional(world):
    return world["users"][Role.NHSE_REGIONAL]


@pytest.fixture
def contracts(world):
    """One contract in each region, commissioned in 2025-26."""
    return {scope: ContractFactory(reference=f"R-{scope}", practice=world["practices"][scope], programme="resilience",
                                   value=Decimal(value), commissioned_on=datetime.date(2025, 6, 1))
            for scope, value in (("own", "5000"), ("other", "7000"))}


def test_its_regions_practices_contracts_and_referrals_only(world, regional, contracts):
    assert set(practice_access.practices_for(regional)) == {world["practices"]["own"],
                                                           world["practices"]["own_sibling"]}
    assert list(contract_access.contracts_for(regional)) == [contracts["own"]]
    own = ReferralFactory(practice=world["practices"]["own"])
    other = ReferralFactory(practice=world["practices"]["other"])
    assert list(contract_access.referrals_for(regional)) == [own]
    assert contract_access.can_referral(regional, "view", own) and not contract_access.can_referral(regional, "view",
                                                                                                    other)


def test_never_documents_agreements_notes_or_contractual_action(regional, contracts):
    assert not document_access.document_contracts_for(regional).exists()
    assert not document_access.can(regional, "read", contracts["own"])
    assert not agreement_access.may_ever_read(regional)
    assert not agreement_access.contracts_readable(regional).exists()
    assert not contract_access.can_see_contract_notes(regional)
    assert not contract_access.can_read_objectives(regional)
    assert not contractual_access.sees_text(regional)
    assert not contractual_access.has_contractual_pages(regional)
    assert not contractual_access.cases_for(regional).exists()


def test_plans_and_evaluation_counted_for_its_region(world, regional, contracts):
    assert set(evaluation_access.counted_contracts(regional)) == {contracts["own"]}
    assert evaluation_access.may_see_counts(regional)
    assert not document_access.plans_for_figures(regional).exclude(contract=contracts["own"]).exists()


def test_final_case_studies_of_its_region(world, regional):
    from .evaluation.factories import case_study

    admin = world["users"][Role.RCGP_ADMIN]
    made = {}
    for scope in ("own", "other"):
        contract = ContractFactory(practice=world["practices"][scope], state="closed")
        made[scope] = case_study(contract, admin, status="final")
    draft = case_study(ContractFactory(practice=world["practices"]["own"], state="closed"), admin)
    assert list(evaluation_access.case_studies_for(regional)) == [made["own"]]
    assert evaluation_access.nhse_final.test(regional, made["own"])
    assert not evaluation_access.nhse_final.test(regional, made["other"])
    assert not evaluation_access.nhse_final.test(regional, draft)
    national = world["users"][Role.NHSE_REPORTING]
    assert set(evaluation_access.case_studies_for(national)) == {made["own"], made["other"]}


def test_the_funding_api_is_scoped_to_its_region_and_says_contracted(client, world, contracts,
                                                                     fresh_throttle_cache):  # noqa: F811
    def resilience(role):
        rows = api_for(client, world, role).get(FUNDING, {"financial_year": "2025"}).json()
        rows = rows.get("results", rows) if isinstance(rows, dict) else rows
        return next(row for row in rows if row["programme"] == "resilience")

    regional_row = resilience(Role.NHSE_REGIONAL)
    assert "allocated" not in regional_row
    assert (regional_row["contracts"], Decimal(str(regional_row["contracted"]))) == (1, Decimal("5000"))
    national_row = resilience(Role.NHSE_REPORTING)
    assert (national_row["contracts"], Decimal(str(national_row["contracted"]))) == (2, Decimal("12000"))


def test_the_programme_outcomes_api_answers_the_regional_team(client, world, contracts,
                                                             fresh_throttle_cache):  # noqa: F811
    response = api_for(client, world, Role.NHSE_REGIONAL).get("/api/v1/reports/programme-outcomes/",
                                                               {"programme": "resilience"})
    assert response.status_code == 200
    assert response.json()["supported"] == 1


def test_its_home_is_the_nhse_home_for_its_region(client, regional, contracts, django_assert_max_num_queries):
    client.force_login(regional)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Programme outcomes in North West" in html and ">Contracted</th>" in html
    funding = response.context["funding"]
    assert [(year["contracts"], year["contracted"]) for year in funding if year["contracts"]] == [(1, Decimal("5000"))]
    download = client.get(reverse("reports:funding_by_year"))
    assert download.status_code == 200 and "Contracted (£)" in download.content.decode()


def test_its_navigation_has_referrals_but_not_the_risk_register(client, regional):
    client.force_login(regional)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("referrals:list")}"' in html
    assert f'href="{reverse("dashboards:risk_register")}"' not in html


def test_the_contract_page_shows_metadata_and_no_document(client, regional, contracts):
    client.force_login(regional)
    html = client.get(reverse("contracts:detail", args=["R-own"])).content.decode()
    assert "R-own" in html and reverse("forwardplans:report", args=["R-own"]) not in html
    assert client.get(reverse("contracts:detail", args=["R-other"])).status_code == 404


def test_the_demo_regional_team_and_its_referrals(world, settings):
    from core.services import user_upsert
    from demo.regional import REGIONAL_USERNAME, seed_regional
    from practices.models import Practice

    from .factories import CommissionerFactory, PracticeFactory

    settings.DEMO_PASSWORD = "demo-password-123"
    oldham = CommissionerFactory(ods_code="00Y", region="Y62")
    for code in ("P85016", "P85019"):
        PracticeFactory(ods_code=code, commissioner=oldham, region="Y62", ods_region="Y62")
    user_upsert(username="demo-commissioner_lead", role=Role.COMMISSIONER_LEAD, org_code="00Y")
    for _ in range(2):
        seed_regional(log=lambda message: None)
    from contracts.models import Referral
    from core.models import User

    user = User.objects.get(username=REGIONAL_USERNAME)
    assert (user.role, user.region) == (Role.NHSE_REGIONAL, "Y62")
    referrals = Referral.objects.filter(practice__in=Practice.objects.filter(ods_code__in=["P85016", "P85019"]))
    assert sorted(referrals.values_list("practice__ods_code", "status", "regional_decision")) == [
        ("P85016", "assessed", ""), ("P85019", "assessed", "approved")]
