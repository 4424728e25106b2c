"""CSV/XLSX downloads of the browser's lists: same filters and scope as the page, formulas neutralised; the CSV
opens cleanly in Excel (byte-order mark, labels not codes) and the XLSX is typed (dates, numbers)."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from core.roles import Role
from forwardplans import services

from ..docs import ACTION_FIELDS
from ..factories import ContractFactory, InspectionFactory, ReferralFactory

pytestmark = pytest.mark.django_db
R = Role


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def by_header(sheet):
    """[{header: cell}] of a sheet (the cells, to check their types and number formats)."""
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_practices_csv_follows_filters_and_scope(client, world):
    InspectionFactory(practice=world["practices"]["own"], overall_rating="inadequate")
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    rows = csv_rows(client.get(reverse("practices:list"), {"format": "csv"}))
    assert rows[0][:3] == ["ODS code", "Practice", "Postcode"]
    assert sorted(r[1] for r in rows[1:]) == ["Own Practice", "Sibling Practice"]  # not the other commissioner's
    sm = csv_rows(client.get(reverse("practices:list"), {"format": "csv", "special_measures": "yes"}))
    assert [(r[1], r[6], r[-2]) for r in sm[1:]] == [("Own Practice", "Inadequate", "Yes")]


def test_practices_export_in_words_with_typed_cells(client, world):
    own = world["practices"]["own"]
    own.name, own.list_size = "Lees – Springhead", 6543
    own.save()
    InspectionFactory(practice=own, overall_rating="requires_improvement", safe="inadequate",
                      publication_date=datetime.date(2024, 3, 1))
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    rows = csv_rows(client.get(reverse("practices:list"), {"format": "csv"}))
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == own.ods_code), strict=True))
    assert row["Practice"] == "Lees – Springhead"  # the en dash survives the round trip
    assert row["Current rating"] == "Requires improvement" and row["Safe"] == "Inadequate"
    assert row["Commissioner"] == "Commissioner 01A" and row["Status"] == "Active"
    assert row["In special measures"] == "No" and row["Published"] == "2024-03-01"
    cells = next(r for r in by_header(xlsx_sheet(client.get(reverse("practices:list"), {"format": "xlsx"})))
                 if r["ODS code"].value == own.ods_code)
    assert cells["Published"].is_date and cells["Published"].value == datetime.datetime(2024, 3, 1)
    assert cells["Published"].number_format == "dd/mm/yyyy"
    assert cells["List size"].value == 6543 and cells["List size"].data_type == "n"
    assert cells["Current rating"].value == "Requires improvement"


def test_contracts_xlsx_has_no_free_text(client, world):
    ContractFactory(reference="31", practice=world["practices"]["own"], notes="Partners not speaking")
    ContractFactory(reference="40", practice=world["practices"]["other"])
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    response = client.get(reverse("contracts:list"), {"format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="contracts.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in values[1:]] == ["31"]
    assert not any("Partners not speaking" in str(v) for row in values for v in row)


def test_contracts_export_in_words_with_typed_cells(client, world):
    ContractFactory(reference="31", practice=world["practices"]["own"], state="scoping",
                    commissioned_on=datetime.date(2025, 5, 6), value=Decimal("7500.50"),
                    rating_before="requires_improvement")
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    rows = csv_rows(client.get(reverse("contracts:list"), {"format": "csv"}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["State"] == "Scoping" and row["Rating before"] == "Requires improvement"
    assert row["First contact"] in {"Due", "Overdue"} and row["Commissioned"] == "2025-05-06"
    assert row["Commissioner"] == "Commissioner 01A"
    cells = by_header(xlsx_sheet(client.get(reverse("contracts:list"), {"format": "xlsx"})))[0]
    assert cells["Commissioned"].is_date and cells["Commissioned"].value == datetime.datetime(2025, 5, 6)
    assert cells["First contact due"].is_date
    assert cells["Value"].value == 7500.5 and cells["Value"].data_type == "n"


def test_referrals_csv(client, world):
    ReferralFactory(practice=world["practices"]["own"], priority="high")
    ReferralFactory(practice=world["practices"]["other"])
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    rows = csv_rows(client.get(reverse("referrals:list"), {"format": "csv"}))
    assert [r[2] for r in rows[1:]] == ["Own Practice"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Commissioner"] == "Commissioner 01A"
    assert (row["Status"], row["Priority"]) == ("Awaiting assessment", "High")  # labels, not codes
    cells = by_header(xlsx_sheet(client.get(reverse("referrals:list"), {"format": "xlsx"})))[0]
    assert cells["Received"].is_date and cells["Acknowledgement due"].is_date


def test_plan_actions_export_neutralises_formulas_and_follows_consent(client, world, docs):
    services.action_create(plan=docs["plan"], actor=world["users"][R.RCGP_ADVISER],
                           **dict(ACTION_FIELDS, action_planned="=HYPERLINK(\"http://evil\")"))
    client.force_login(world["users"][R.PRACTICE_USER])
    rows = csv_rows(client.get(reverse("forwardplans:plan", args=["DOC-1"]), {"format": "csv"}))
    planned = [r[4] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in planned and "Set up a monthly recall" in planned
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    assert client.get(reverse("forwardplans:plan", args=["DOC-1"]), {"format": "csv"}).status_code == 404


def test_plan_actions_export_in_words_with_typed_cells(client, world, docs):
    client.force_login(world["users"][R.PRACTICE_USER])
    rows = csv_rows(client.get(reverse("forwardplans:plan", args=["DOC-1"]), {"format": "csv"}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Key question"] == "Safe" and row["RAG"] in {"Red", "Amber", "Green"}
    assert row["Planned completion"] == "2026-12-31"
    cells = by_header(xlsx_sheet(client.get(reverse("forwardplans:plan", args=["DOC-1"]), {"format": "xlsx"})))[0]
    assert cells["Planned completion"].is_date and cells["Planned completion"].value == datetime.datetime(2026, 12, 31)
    assert cells["Milestones"].data_type == "n" and isinstance(cells["Milestones"].value, int)
