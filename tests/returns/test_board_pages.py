"""The targets board, a region's page, the allocations and targets pages and the API: who finds them, bounded
queries, downloads."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from contracts.models import Payment
from core.roles import Role
from returns.allocation_services import allocation_set
from tests.factories import CommissionerFactory, ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
SEES = {Role.NHSE_REPORTING, Role.NHSE_REGIONAL, Role.RCGP_ADMIN}


@pytest.fixture
def spending(world):
    nhse = world["users"][Role.NHSE_REPORTING]
    for code, amount in (("Y62", "1000"), ("Y63", "2000")):
        allocation_set(financial_year=2025, region=code, amount=D(amount), base_version=0, actor=nhse)
    for n in range(4):
        practice = world["practices"]["own" if n % 2 else "other"]
        contract = ContractFactory(practice=practice, value=D("500"), commissioned_on=datetime.date(2025, 5, 1),
                                   mou_signed_on=datetime.date(2025, 6, 1))
        Payment.objects.create(contract=contract, funder="nhse", amount=D("100"),
                               invoiced_on=datetime.date(2025, 7, 1), paid_on=datetime.date(2025, 7, 1))
    return nhse


@pytest.mark.parametrize("role", list(Role))
def test_the_board_is_for_nhse_and_rcgp_admin_only(client, world, role):
    client.force_login(world["users"][role])
    status = client.get(reverse("returns:board")).status_code
    assert status == (200 if role in SEES else 404)


def test_a_regional_team_cannot_see_another_regions_page_or_allocations(client, world, spending):
    client.force_login(world["users"][Role.NHSE_REGIONAL])
    assert client.get(reverse("returns:region", args=["Y62"]) + "?financial_year=2025").status_code == 200
    assert client.get(reverse("returns:region", args=["Y63"])).status_code == 404
    assert client.get(reverse("returns:region", args=["XXX"])).status_code == 404
    assert client.get(reverse("returns:allocations")).status_code == 404
    assert client.post(reverse("returns:allocations"), {"region": "Y63", "amount": "1", "version": "0"}
                       ).status_code == 403
    assert client.get("/api/v1/returns/figures/icbs/?financial_year=2025&region=Y63").status_code == 404
    allocations = client.get("/api/v1/returns/allocations/?financial_year=2025").json()
    assert [row["region"] for row in allocations["results"]] == ["Y62"]
    figures = client.get("/api/v1/returns/figures/?financial_year=2025").json()
    assert [row["key"] for row in figures] == ["Y62"]


def test_the_header_links_to_returns_for_those_who_see_them(client, world):
    for role in (Role.NHSE_REGIONAL, Role.COMMISSIONER_LEAD):
        client.force_login(world["users"][role])
        html = client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("returns:board")}"' in html) == (role in SEES)


def test_the_pages_queries_are_bounded(client, world, spending, django_assert_max_num_queries):
    client.force_login(world["users"][Role.NHSE_REPORTING])
    with django_assert_max_num_queries(35):
        assert client.get(reverse("returns:board") + "?financial_year=2025").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("returns:region", args=["Y62"]) + "?financial_year=2025").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("returns:allocations") + "?financial_year=2025").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("returns:targets", args=[2025])).status_code == 200
    for url in ("/api/v1/returns/figures/?financial_year=2025", "/api/v1/returns/targets/?financial_year=2025",
                "/api/v1/returns/figures/icbs/?financial_year=2025&region=Y62",
                "/api/v1/returns/allocations/?financial_year=2025"):
        with django_assert_max_num_queries(35):
            assert client.get(url).status_code == 200, url


def test_a_bad_year_is_shown_as_an_error_and_nothing_breaks(client, world):
    client.force_login(world["users"][Role.NHSE_REPORTING])
    response = client.get(reverse("returns:board") + "?financial_year=abc")
    assert response.status_code == 422 and "Financial year" in response.content.decode()
    assert client.get("/api/v1/returns/figures/?financial_year=abc").status_code == 400


def test_the_region_page_shows_its_icbs(client, world, spending):
    icb = CommissionerFactory(ods_code="QOP", kind="icb", region="Y62", name="NHS Greater Manchester ICB")
    world["own"].parent = icb
    world["own"].save()
    allocation_set(financial_year=2025, region="Y62", icb=icb, amount=D("700"), base_version=0, actor=spending)
    client.force_login(world["users"][Role.NHSE_REGIONAL])
    html = client.get(reverse("returns:region", args=["Y62"]) + "?financial_year=2025").content.decode()
    assert "NHS Greater Manchester ICB" in html and "£700.00" in html and "£200.00" in html


@pytest.mark.parametrize("role", [Role.COMMISSIONER_LEAD, Role.PRACTICE_LEAD, Role.RCGP_ADVISER])
def test_the_api_refuses_those_who_may_not_see_it(client, world, role):
    client.force_login(world["users"][role])
    for url in ("/api/v1/returns/figures/", "/api/v1/returns/targets/", "/api/v1/returns/allocations/",
                "/api/v1/returns/figures/icbs/?region=Y62"):
        assert client.get(url).status_code == 403, url


def test_the_api_downloads_csv_and_xlsx(client, world, spending):
    client.force_login(world["users"][Role.NHSE_REPORTING])
    csv = client.get("/api/v1/returns/figures/?financial_year=2025&format=csv")
    assert csv.status_code == 200 and "returns-figures.csv" in csv["Content-Disposition"]
    text = csv.content.decode("utf-8-sig")
    assert "North West" in text and "England" in text
    xlsx = client.get("/api/v1/returns/targets/?financial_year=2025&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) > 7 and any("North West" in str(cell) for row in rows for cell in row)
    allocations = client.get("/api/v1/returns/allocations/?financial_year=2025&format=csv").content.decode("utf-8-sig")
    assert "1000" in allocations and "2000" in allocations


def test_the_demo_allocations_are_entered_once(world, spending):
    from demo.returns import seed_returns
    from returns.models import Allocation
    from returns.selectors import current_financial_year

    icb = CommissionerFactory(ods_code="QOP", kind="icb", region="Y62")
    ContractFactory(practice=world["practices"]["own"], value=D("3000"), commissioned_on=datetime.date.today(),
                    mou_signed_on=datetime.date.today())
    seed_returns(log=lambda *_: None)
    entered = set(Allocation.objects.filter(financial_year=current_financial_year())
                  .values_list("region", "icb_id", "amount"))
    assert ("Y62", None, D("3000.00")) in entered and ("Y62", icb.pk, D("40000.00")) in entered
    assert {region for region, _icb, _amount in entered} == {"Y62", "Y63"}
    seed_returns(log=lambda *_: None)
    assert Allocation.objects.filter(financial_year=current_financial_year()).count() == len(entered)
