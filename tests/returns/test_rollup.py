"""England's roll-up of the regions' data returns (returns/builder.py rollup_build): every region's latest submitted
return summed, the regions that have not submitted, its page, XLSX and API."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements.models import Agreement
from contracts.models import Payment
from core.roles import Role
from returns.return_services import data_return_submit
from returns.targets import deadlines_ensure

from .test_data_returns import YEAR, national, records, regional

pytestmark = pytest.mark.django_db


def _submitted(world):
    """North West submits twice (the second after the unpaid £1,000 is paid: spent £5,000), North East and Yorkshire
    once; the other five regions not at all."""
    found = records(world)
    Agreement.objects.create(contract=found["nw3"], drafted_on=datetime.date(2026, 7, 2))
    deadline = deadlines_ensure(YEAR)[0]
    data_return_submit(region="Y62", deadline=deadline, actor=regional(world))
    Payment.objects.filter(paid_on__isnull=True).update(paid_on=datetime.date(2026, 9, 1))
    nw = data_return_submit(region="Y62", deadline=deadline, actor=regional(world), reason="Paid")
    ne = data_return_submit(region="Y63", deadline=deadline, actor=national(world))
    return deadline, nw, ne


NOT_SUBMITTED = ["London", "South West", "South East", "Midlands", "East of England"]
# North West (its second return) + North East and Yorkshire: allocated 100,000 + 50,000; committed 10,000 + 8,000;
# spent 5,000 + 8,000; forecast 10,000 + 8,000; supported 3 + 1; MoUs missing 2 + 0; case studies 2 + 1.
ENGLAND = {"allocated": "150000.00", "committed": "18000.00", "spent": "13000.00", "forecast": "18000.00",
           "supported": 4, "mous_missing": 2, "case_studies": 3, "committed_percent": 12, "spent_percent": 9,
           "allocation_entered": True}


def test_the_rollup_sums_each_regions_latest_return(world):
    from returns.builder import rollup_build
    from returns.models import DataReturn

    deadline, nw, ne = _submitted(world)
    rollup = rollup_build(DataReturn.objects.all(), deadline)
    assert rollup["summary"] == ENGLAND
    assert rollup["not_submitted"] == NOT_SUBMITTED
    submitted = {r["code"]: (r["return_id"], r["number"]) for r in rollup["regions"] if r["submitted"]}
    assert submitted == {"Y62": (nw.pk, 2), "Y63": (ne.pk, 1)}
    assert [row["contract"] for row in rollup["practices"]] == ["NW-1", "NW-2", "NW-3", "NE-1"]
    assert rollup["practices"][3]["region"] == "North East and Yorkshire"
    assert [row["title"] for row in rollup["case_studies"]] == ["Rebuilding the rota", "A quiet turnaround",
                                                                "Far and away"]


def _url(name, **kwargs):
    return reverse(f"returns:{name}", kwargs={"year": YEAR, "number": 1, **kwargs})


def test_the_rollup_page_is_national_nhse_and_rcgp_admins_only(client, world):
    _submitted(world)
    for role in (Role.NHSE_REPORTING, Role.RCGP_ADMIN):
        client.force_login(world["users"][role])
        html = client.get(_url("rollup")).content.decode()
        assert "London, South West, South East, Midlands, East of England" in html
        assert "£150,000.00" in html and "£13,000.00" in html
    for role in (Role.NHSE_REGIONAL, Role.COMMISSIONER_LEAD, Role.RCGP_DEPUTY_LEAD):
        client.force_login(world["users"][role])
        assert client.get(_url("rollup")).status_code == 404
        assert client.get(_url("rollup_download", fmt="xlsx")).status_code == 404


def test_the_rollup_xlsx_matches_it_cell_by_cell(client, world):
    _deadline, nw, ne = _submitted(world)
    client.force_login(national(world))
    response = client.get(_url("rollup_download", fmt="xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Practices", "Case studies"]
    rows = [tuple(row) for row in book["Summary"].iter_rows(values_only=True)]
    head = [("Region", "England"), ("Financial year", "2026-27"), ("Deadline", 1),
            ("Due", datetime.datetime(2026, 10, 5, 17, 0)), ("Regions submitted", 2),
            ("Regions not submitted", "; ".join(NOT_SUBMITTED)),
            ("Allocated (£)", 150000), ("Committed (£)", 18000), ("Spent (£)", 13000), ("Forecast (£)", 18000),
            ("Committed (% of allocation)", 12), ("Spent (% of allocation)", 9), ("Practices supported", 4),
            ("MoUs missing", 2), ("Case studies", 3)]
    assert [row[:2] for row in rows[:len(head)]] == head
    assert rows[len(head)] in ((), (None,), (None, None)) or all(value is None for value in rows[len(head)])

    def local(data_return):
        return timezone.localtime(data_return.submitted_at).replace(tzinfo=None)

    table = rows[len(head) + 1:]
    assert table[0][:4] == ("Region", "Return", "Submitted at", "Submitted by")
    regions = {row[0]: row for row in table[1:]}
    assert list(regions) == ["London", "South West", "South East", "Midlands", "East of England", "North West",
                             "North East and Yorkshire"]
    assert regions["London"][1] == "Not submitted" and all(value is None for value in regions["London"][2:])
    north_west = regions["North West"]
    assert north_west[1] == 2 and abs(north_west[2] - local(nw)) < datetime.timedelta(seconds=1)
    assert north_west[4:] == (100000, 10000, 5000, 10000, 10, 5, 3, 2, 2)
    assert regions["North East and Yorkshire"][4:] == (50000, 8000, 8000, 8000, 16, 16, 1, 0, 1)
    practices = [tuple(row) for row in book["Practices"].iter_rows(values_only=True)]
    assert practices[0][:3] == ("Region", "Contract", "Practice ODS code")
    assert [(row[0], row[1], row[8], row[9], row[10]) for row in practices[1:]] == [
        ("North West", "NW-1", 10000, 10000, 5000), ("North West", "NW-2", 5000, 0, 0),
        ("North West", "NW-3", 3000, 0, 0), ("North East and Yorkshire", "NE-1", 8000, 8000, 8000)]
    studies = [tuple(row) for row in book["Case studies"].iter_rows(values_only=True)]
    assert studies == [("Region", "Title", "Support category", "Practice", "Written on"),
                       ("North West", "Rebuilding the rota", "Coaching, supervision and mentorship", "Own Practice",
                        datetime.datetime(2026, 9, 1)),
                       ("North West", "A quiet turnaround", "Coordinated support for workforce issues", "Anonymised",
                        datetime.datetime(2026, 10, 1)),
                       ("North East and Yorkshire", "Far and away", "Coaching, supervision and mentorship",
                        "Other Practice", datetime.datetime(2026, 8, 15))]
    csv = client.get(_url("rollup_download", fmt="csv"))
    lines = csv.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Summary" and "Regions" in lines and "Practices" in lines and "Case studies" in lines


def test_the_rollup_api(client, world, django_assert_max_num_queries):
    _deadline, nw, ne = _submitted(world)
    url = reverse("api:returns-rollup")
    client.force_login(national(world))
    with django_assert_max_num_queries(10):  # the session's, the year's deadlines, one a deadline
        rows = client.get(url, {"financial_year": YEAR}).json()
    assert len(rows) == 3 * 8  # three deadlines, seven regions and England each
    first = [row for row in rows if row["deadline"] == 1]
    england = first[-1]
    assert england["region"] == "england" and england["submitted"] is False
    assert england["summary"]["spent"] == 13000.0 and england["summary"]["supported"] == 4
    by_code = {row["region"]: row for row in first}
    assert by_code["Y62"]["return_id"] == nw.pk and by_code["Y62"]["return_number"] == 2
    assert by_code["Y56"]["summary"] is None and by_code["Y56"]["submitted"] is False
    only = client.get(url, {"financial_year": YEAR, "number": 1}).json()
    assert only == first
    xlsx = client.get(url, {"financial_year": YEAR, "number": 1, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert client.get(url).status_code == 400  # the year is required
    client.force_login(regional(world))
    assert client.get(url, {"financial_year": YEAR}).status_code == 403
