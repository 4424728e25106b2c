import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from core.exports import cell, neutralise, rows_of, table_of
from core.roles import Role

from ..api_support import api_for, error_of, fresh_throttle_cache  # noqa: F401
from ..factories import CommissionerFactory, ContractFactory, InspectionFactory, PracticeFactory

PRACTICES = "/api/v1/practices/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_prefixes_a_quote_to_anything_a_spreadsheet_could_run(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Good practice", "", "12", "O'Brien", " =not first", None, 5, -3, Decimal("-2.5")])
def test_neutralise_leaves_everything_else_alone(value):
    assert neutralise(value) == value


def test_cells_keep_numbers_and_strip_control_characters_before_checking():
    assert cell(-3) == -3 and cell(Decimal("1.50")) == Decimal("1.50") and cell(True) is True and cell(None) is None
    assert cell("\x01=1+1") == "'=1+1"
    assert cell(datetime.date(2025, 4, 1)) == datetime.date(2025, 4, 1)  # a date stays a date (XLSX types it)


def test_rows_flatten_nested_data_into_columns():
    rows = rows_of({"results": [{"a": 1, "kq": {"safe": "good", "caring": None}, "tags": ["x", "y"],
                                 "items": [{"n": 1}]}]})
    assert rows == [{"a": 1, "kq.safe": "good", "kq.caring": None, "tags": "x; y", "items": '[{"n": 1}]'}]
    assert table_of([{"a": 1}, {"b": 2}]) == (["a", "b"], [[1, None], [None, 2]])
    assert rows_of({"x": 1}) == [{"x": 1}] and rows_of(None) == []


@pytest.fixture
def injected(world):
    """Practices whose register names would be formulas in a spreadsheet, and more than a page of practices."""
    commissioner = CommissionerFactory(ods_code="05E")
    for n, name in enumerate(DANGEROUS):
        practice = PracticeFactory(commissioner=commissioner, name=name, ods_code=f"E{n:05d}")
        InspectionFactory(practice=practice, overall_rating="good")
    for n in range(120):
        PracticeFactory(commissioner=commissioner, name=f"Bulk {n}", ods_code=f"F{n:05d}")
    return world


def parse_csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def parse_xlsx(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], sheet


@pytest.mark.django_db
def test_csv_export_has_every_matching_row_neutralised(client, injected):
    api = api_for(client, injected, Role.NHSE_REPORTING)
    response = api.get(PRACTICES, {"commissioner": "05E", "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="practices.csv"'
    rows = parse_csv(response)
    assert len(rows) == len(DANGEROUS) + 120  # not paginated
    names = {row["ods_code"]: row["name"] for row in rows}
    for n, name in enumerate(DANGEROUS):
        assert names[f"E{n:05d}"] == "'" + name.replace("\r", "\n")  # a line break, written one way (text.py)
    first = next(row for row in rows if row["ods_code"] == "E00000")
    # Choices in words, yes/no as Yes/No: the JSON keeps the codes, a spreadsheet is read by people.
    assert first["current_rating"] == "Good" and first["key_questions.safe"] == "Good"
    assert first["status"] == "Active"
    assert first["in_special_measures"] == "No" and first["reinspection_due"] == ""
    assert list(rows[0]) == ["ods_code", "name", "status", "commissioner", "postcode", "list_size", "current_rating",
                             "current_rating_published_on", "key_questions.safe", "key_questions.effective",
                             "key_questions.caring", "key_questions.responsive", "key_questions.well_led",
                             "in_special_measures", "reinspection_due"]


@pytest.mark.django_db
def test_xlsx_export_has_no_formulas_and_typed_values(client, injected):
    api = api_for(client, injected, Role.NHSE_REPORTING)
    response = api.get(PRACTICES, {"commissioner": "05E", "current_rating": "good", "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="practices.xlsx"'
    rows, sheet = parse_xlsx(response)
    assert sorted(row["ods_code"] for row in rows) == [f"E{n:05d}" for n in range(len(DANGEROUS))]
    # (An XML parser may read a carriage return back as a line feed.)
    assert {row["name"].replace("\r", "\n") for row in rows} == {"'" + name.replace("\r", "\n") for name in DANGEROUS}
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)
    assert all(row["in_special_measures"] is False for row in rows)


@pytest.mark.django_db
def test_contract_export_keeps_money_as_numbers(client, world):
    ContractFactory(reference="=1+1", practice=world["practices"]["own"], value=Decimal("1234.50"),
                    spent=Decimal("-10.00"))
    api = api_for(client, world, Role.NHSE_REPORTING)
    rows, _sheet = parse_xlsx(api.get("/api/v1/contracts/", {"format": "xlsx"}))
    assert rows[0]["reference"] == "'=1+1"
    assert rows[0]["value"] == 1234.5 and rows[0]["spent"] == -10
    csv_rows = parse_csv(api.get("/api/v1/contracts/", {"format": "csv"}))
    assert csv_rows[0]["value"] == "1234.50" and csv_rows[0]["spent"] == "-10.00"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/practices/", "/api/v1/inspections/", "/api/v1/contracts/",
                                 "/api/v1/forward-plans/summary/", "/api/v1/actions/", "/api/v1/reports/rag/",
                                 "/api/v1/reports/funding/?financial_year=2025",
                                 "/api/v1/reports/programme-outcomes/?programme=resilience"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_exports(client, docs, url, fmt):
    api = api_for(client, docs, Role.RCGP_ADMIN)
    response = api.get(url + ("&" if "?" in url else "?") + f"format={fmt}")
    rows = parse_csv(response) if fmt == "csv" else parse_xlsx(response)[0]
    assert isinstance(rows, list)


@pytest.mark.django_db
def test_an_export_that_fails_answers_the_json_error(client, world):
    api = api_for(client, world, Role.NHSE_REPORTING)
    error = error_of(api.get(PRACTICES, {"format": "csv", "current_rating": "brilliant"}), 400)
    assert "current_rating" in error["fields"]
    error = error_of(api.get("/api/v1/reports/funding/", {"format": "xlsx"}), 400)
    assert "financial_year" in error["fields"]
    assert error_of(client.get(PRACTICES, {"format": "csv"}), 401)


@pytest.mark.django_db
def test_an_empty_export_still_has_its_header(client, world):
    api = api_for(client, world, Role.NHSE_REPORTING)
    response = api.get("/api/v1/inspections/", {"format": "csv"})
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith(
        "id,practice,cqc_location_id,inspection_date")
    rows, sheet = parse_xlsx(api.get("/api/v1/reports/rag/", {"format": "xlsx"}))
    assert rows == [] and [c.value for c in next(sheet.iter_rows())] == [
        "commissioner", "commissioner_name", "red", "amber", "green", "total"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/practices/", "/api/v1/inspections/", "/api/v1/contracts/",
                                 "/api/v1/forward-plans/summary/", "/api/v1/actions/", "/api/v1/reports/rag/",
                                 "/api/v1/reports/funding/?financial_year=2025",
                                 "/api/v1/reports/programme-outcomes/?programme=resilience"])
def test_every_api_csv_starts_with_a_byte_order_mark(client, docs, url):
    api = api_for(client, docs, Role.RCGP_ADMIN)
    response = api.get(url + ("&" if "?" in url else "?") + "format=csv")
    assert response.status_code == 200 and response.content[:3] == b"\xef\xbb\xbf"


@pytest.mark.django_db
def test_api_exports_give_labels_and_typed_dates(client, world):
    practice = world["practices"]["own"]
    InspectionFactory(practice=practice, overall_rating="requires_improvement", safe="inadequate",
                      publication_date=datetime.date(2024, 3, 1))
    ContractFactory(reference="C–1", practice=practice, programme="special_measures", state="scoping",
                    commissioned_on=datetime.date(2025, 5, 6), value=Decimal("1500.00"))
    api = api_for(client, world, Role.NHSE_REPORTING)
    rows = {row["ods_code"]: row for row in parse_csv(api.get(PRACTICES, {"format": "csv"}))}
    assert rows[practice.ods_code]["current_rating"] == "Requires improvement"
    assert rows[practice.ods_code]["key_questions.safe"] == "Inadequate"
    assert rows[practice.ods_code]["current_rating_published_on"] == "2024-03-01"
    rows, sheet = parse_xlsx(api.get("/api/v1/contracts/", {"format": "xlsx"}))
    contract = next(row for row in rows if row["reference"] == "C–1")  # an en dash survives
    assert contract["programme"] == "Special measures support" and contract["state"] == "Scoping"
    assert contract["commissioned_on"] == datetime.datetime(2025, 5, 6)  # a date cell, not the text "2025-05-06"
    header = [c.value for c in next(sheet.iter_rows())]
    date_cell = next(line for line in sheet.iter_rows(min_row=2)
                     if line[header.index("reference")].value == "C–1")[header.index("commissioned_on")]
    assert date_cell.is_date and date_cell.number_format == "dd/mm/yyyy"
    assert isinstance(contract["value"], float | int) and contract["value"] == 1500
