"""Downloads of the figures the home pages show (every programme, funding by financial year, outcomes by programme
and year): CSV with a byte-order mark and labels, XLSX with typed cells, over the contracts the person may see,
404 for a role whose home page does not show them."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Payment
from core.roles import Role

from ..factories import ContractFactory

pytestmark = pytest.mark.django_db
R = Role
SEE = {R.RCGP_ADMIN, R.COMMISSIONER_LEAD, R.NHSE_REPORTING, R.NHSE_REGIONAL}  # a regional team: its region's
DOWNLOADS = ["reports:programme_outcomes", "reports:funding_by_year", "reports:outcomes_by_year"]


def this_financial_year():
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


@pytest.fixture
def figures(world):
    start = this_financial_year()
    own, other = world["practices"]["own"], world["practices"]["other"]
    # Committed: its agreement, signed this year; spent: a payment made this year (and one invoice not yet paid).
    a1 = ContractFactory(reference="A1", practice=own, programme="special_measures", state="scoping",
                         commissioned_on=datetime.date(start, 4, 2), value=Decimal("6000.00"),
                         mou_signed_on=datetime.date(start, 4, 2))
    for amount, paid_on in (("1500.50", datetime.date(start, 4, 2)), ("700.00", None)):
        Payment.objects.create(contract=a1, funder="nhse", amount=Decimal(amount), invoiced_on=a1.commissioned_on,
                               paid_on=paid_on)
    ContractFactory(reference="A2", practice=own, programme="special_measures", state="closed",
                    commissioned_on=datetime.date(2019, 5, 1), end_reason="carried_forward_for_reinspection",
                    rating_after="good", in_special_measures_after=False, value=Decimal("9000.00"))
    ContractFactory(reference="B1", practice=other, programme="resilience", state="enquiry",
                    commissioned_on=datetime.date(start, 6, 1), value=Decimal("4000.00"))
    return world


def get(client, world, role, name, fmt=None):
    client.force_login(world["users"][role])
    return client.get(reverse(name), {"format": fmt} if fmt else {})


def csv_dicts(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_cells(response):
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    lines = list(sheet.iter_rows())
    header = [c.value for c in lines[0]]
    return [dict(zip(header, line, strict=True)) for line in lines[1:]]


def test_funding_by_year_in_words_with_money_as_numbers(client, figures):
    label = f"{this_financial_year()}-{(this_financial_year() + 1) % 100:02d}"
    rows = csv_dicts(get(client, figures, R.NHSE_REPORTING, "reports:funding_by_year", "csv"))
    mine = [row for row in rows if row["Financial year"] == label]
    assert [(row["Programme"], row["Contracts"], row["Contracted (£)"], row["Committed (£)"], row["Spent (£)"])
            for row in mine] == [
        ("Special measures support", "1", "6000.00", "6000.00", "1500.50"),
        ("Resilience programme", "1", "4000.00", "0.00", "0.00"),
        ("All programmes", "2", "10000.00", "6000.00", "1500.50"),
    ]
    cells = xlsx_cells(get(client, figures, R.NHSE_REPORTING, "reports:funding_by_year", "xlsx"))
    total = next(row for row in cells if row["Financial year"].value == label
                 and row["Programme"].value == "All programmes")
    assert total["Contracted (£)"].value == 10000 and total["Contracted (£)"].data_type == "n"
    assert total["Spent (£)"].number_format == "#,##0.00" and total["Contracts"].value == 2


def test_a_commissioner_lead_takes_away_only_their_own_contracts(client, figures):
    rows = csv_dicts(get(client, figures, R.COMMISSIONER_LEAD, "reports:funding_by_year", "csv"))
    assert "Resilience programme" not in {row["Programme"] for row in rows}  # the other commissioner's
    rows = csv_dicts(get(client, figures, R.COMMISSIONER_LEAD, "reports:programme_outcomes", "csv"))
    assert {row["Programme"]: row["Enquiries"] for row in rows}["Resilience programme"] == "0"


def test_programme_outcomes_as_on_the_home_pages(client, figures):
    rows = csv_dicts(get(client, figures, R.RCGP_ADMIN, "reports:programme_outcomes"))  # CSV by default
    special = next(row for row in rows if row["Programme"] == "Special measures support")
    assert (special["Enquiries"], special["Supported"], special["Live"], special["Completed"]) == ("2", "2", "1", "1")
    assert (special["Improved"], special["Improved (percent of completed)"]) == ("1", "100.0")
    assert "Still in special measures" in rows[0]  # words, not "SM"
    cells = xlsx_cells(get(client, figures, R.RCGP_ADMIN, "reports:programme_outcomes", "xlsx"))
    special = next(row for row in cells if row["Programme"].value == "Special measures support")
    assert special["Enquiries"].value == 2 and special["Enquiries"].data_type == "n"
    assert special["Improved (percent of completed)"].value == 100.0


def test_outcomes_by_programme_and_year(client, figures):
    rows = csv_dicts(get(client, figures, R.NHSE_REPORTING, "reports:outcomes_by_year", "csv"))
    assert [(row["Programme"], row["Year commissioned"], row["Re-inspected Good (or Outstanding)"], row["Total"])
            for row in rows] == [("Special measures support", "2019", "1", "1")]
    cells = xlsx_cells(get(client, figures, R.NHSE_REPORTING, "reports:outcomes_by_year", "xlsx"))
    assert cells[0]["Year commissioned"].value == 2019 and cells[0]["Total"].data_type == "n"


@pytest.mark.parametrize("name", DOWNLOADS)
@pytest.mark.parametrize("role", sorted(set(Role.values) - SEE))
def test_roles_whose_home_does_not_show_the_figures_get_404(client, figures, name, role):
    assert get(client, figures, role, name, "csv").status_code == 404


@pytest.mark.parametrize("name", DOWNLOADS)
def test_anonymous_is_sent_to_log_in(client, name):
    assert client.get(reverse(name)).status_code == 302


def test_nhse_home_links_its_downloads_and_names_its_programme_rows(client, figures):
    client.force_login(figures["users"][R.NHSE_REPORTING])
    html = client.get(reverse("home")).content.decode()
    for name in DOWNLOADS:
        assert f'href="{reverse(name)}?format=csv"' in html and f'href="{reverse(name)}?format=xlsx"' in html
    # Funding: each programme is a row header of its year's table, beside the year's total.
    table = html[html.index('id="funding-by-year"'):]
    table = table[:table.index("</table>")]
    assert ('<th scope="row" class="nhsuk-table__header" role="rowheader"><span class="nhsuk-table__heading" '
            'aria-hidden="true">Programme </span>Special measures support</th>') in table
    assert "All programmes" in table
