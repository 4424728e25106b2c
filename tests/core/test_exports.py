"""core.exports: what every CSV and XLSX download gets, whichever page or API view serves it."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
from django.test import override_settings

from contracts.vocabulary import Programme
from core.exports import choice_label, csv_bytes, export_response, xlsx_bytes, yes_no
from practices.ratings import Rating

HEADER = ["Practice", "Rating", "Published", "Updated", "List size", "Value", "In special measures", "Note"]
ROW = ["Lees – Springhead £", Rating.REQUIRES_IMPROVEMENT, datetime.date(2024, 3, 1),
       datetime.datetime(2025, 7, 1, 8, 30, tzinfo=datetime.UTC), 6543, Decimal("1234.50"), False, "=1+1"]


def test_csv_has_a_byte_order_mark_and_an_en_dash_survives_the_round_trip():
    data = csv_bytes(HEADER, [ROW])
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER  # the mark is not part of the first heading
    assert rows[1][0] == "Lees – Springhead £"


@override_settings(TIME_ZONE="Europe/London")
def test_csv_cells_are_words_and_iso_dates():
    rows = list(csv.reader(io.StringIO(csv_bytes(HEADER, [ROW]).decode("utf-8-sig"), newline="")))
    assert rows[1][1:] == ["Requires improvement", "2024-03-01", "2025-07-01 09:30", "6543", "1234.50", "No",
                           "'=1+1"]


@override_settings(TIME_ZONE="Europe/London")
def test_xlsx_cells_are_typed_dates_and_numbers():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADER, [ROW]))).active
    header, cells = list(sheet.iter_rows())
    assert [c.value for c in header] == HEADER and header[0].font.b
    by = dict(zip(HEADER, cells, strict=True))
    assert by["Practice"].value == "Lees – Springhead £"
    assert by["Rating"].value == "Requires improvement"
    assert by["Published"].is_date and by["Published"].value == datetime.datetime(2024, 3, 1)
    assert by["Published"].number_format == "dd/mm/yyyy"
    # A spreadsheet has no time zones: the local time the page shows.
    assert by["Updated"].is_date and by["Updated"].value == datetime.datetime(2025, 7, 1, 9, 30)
    assert by["List size"].value == 6543 and by["List size"].data_type == "n"
    assert by["Value"].value == 1234.5 and by["Value"].number_format == "#,##0.00"
    assert by["In special measures"].value is False and by["In special measures"].data_type == "b"
    assert by["Note"].value == "'=1+1" and by["Note"].data_type == "s"


def test_labels_of_stored_choices():
    assert choice_label(Rating.choices, "requires_improvement") == "Requires improvement"
    assert choice_label(dict(Programme.choices), "special_measures") == "Special measures support"
    assert choice_label(Rating.choices, "") == "" and choice_label(Rating.choices, None) == ""
    assert choice_label(Rating.choices, "unheard_of") == "unheard_of"  # never hidden
    assert (yes_no(True), yes_no(False), yes_no(None)) == ("Yes", "No", "")


def test_a_response_names_its_file_and_type():
    response = export_response("csv", "practices", HEADER, [ROW])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="practices.csv"'
    response = export_response("xlsx", "practices", HEADER, [ROW])
    assert response["Content-Disposition"] == 'attachment; filename="practices.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == 2

