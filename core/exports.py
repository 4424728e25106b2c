"""CSV and XLSX exports for pages and the API: nested data flattened into columns, and spreadsheet
formula injection neutralised (a text cell that starts with = + - @, their full-width forms ＝ ＋ － ＠, a tab or a
line break gets a leading '). Every text cell first loses the control characters a spreadsheet file cannot hold.

What people open in Excel reads as they read the page, whichever export wrote it: a CSV starts with a byte-order
mark (without one, Excel on Windows reads UTF-8 as a legacy code page and garbles "–" and "£"); a choice is its
label, not its stored code; yes/no is "Yes"/"No"; XLSX cells are typed: dates are dates (shown day/month/year),
amounts and counts are numbers."""

import csv
import datetime
import enum
import io
import json
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.text import document_text

# Spreadsheets read a formula after any of these; Excel and LibreOffice also take the full-width forms (U+FF1D,
# U+FF0B, U+FF0D, U+FF20) for = + - @. A line break counts too: document_text makes a carriage return one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r", "\n")
EXPORT_FORMATS = frozenset({"csv", "xlsx"})
BOM = "\ufeff"
# How a spreadsheet shows typed cells: UK dates, money with pence.
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = "#,##0.00"


def neutralise(value):
    """A text value made safe to open in a spreadsheet: anything a spreadsheet could read as a formula
    is prefixed with a single quote. Other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _flatten(item, prefix, out):
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{name}.", out)
        elif isinstance(value, list | tuple):
            scalars = all(not isinstance(v, dict | list | tuple) for v in value)
            out[name] = "; ".join("" if v is None else str(v) for v in value) if scalars else json.dumps(value,
                                                                                                       default=str)
        else:
            out[name] = value
    return out


def rows_of(data):
    """Flat rows (dicts of column -> value) from API data: a list, a paginated page or one object."""
    if data is None:
        return []
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    return [_flatten(item, "", {}) if isinstance(item, dict) else {"value": item} for item in data]


def columns_of(serializer, prefix=""):
    """The flat column names of a serializer's representation (nested serializers become dotted columns), so
    that an export has its header even when it has no rows, and a null nested object leaves its columns empty."""
    from rest_framework import serializers

    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns += columns_of(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


def _parsed(parse):
    """A conversion of JSON text by ``parse``; anything it cannot read is kept as it came (never lost)."""

    def convert(value):
        if not isinstance(value, str) or not value:
            return value
        try:
            return parse(value)
        except (ValueError, ArithmeticError):
            return value

    return convert


_date_of = _parsed(datetime.date.fromisoformat)
_datetime_of = _parsed(datetime.datetime.fromisoformat)
_decimal_of = _parsed(Decimal)


def cell_types_of(serializer, prefix=""):
    """{flat column: conversion} that gives a serializer's JSON values their spreadsheet type: a choice its label
    (``requires_improvement`` -> "Requires improvement"), an ISO date a date, a decimal string a number. Nested
    serializers give dotted columns, as in ``columns_of``."""
    from rest_framework import serializers

    found = {}
    for name, field in serializer.fields.items():
        column = f"{prefix}{name}"
        if isinstance(field, serializers.Serializer):
            found.update(cell_types_of(field, f"{column}."))
        elif isinstance(field, serializers.ChoiceField):
            labels = {str(code): str(label) for code, label in field.choices.items()}
            found[column] = lambda value, labels=labels: choice_label(labels, value)
        elif isinstance(field, serializers.DateTimeField):
            found[column] = _datetime_of
        elif isinstance(field, serializers.DateField):
            found[column] = _date_of
        elif isinstance(field, serializers.DecimalField):
            found[column] = _decimal_of
    return found


def table_of(rows, columns=None, types=None):
    """(header, rows as lists): the given columns, or those of the rows in order of first appearance; a column
    in ``types`` ({column: conversion}, from ``cell_types_of``) has its values converted."""
    header = columns or list(dict.fromkeys(column for row in rows for column in row))
    types = types or {}
    return header, [[types[column](row.get(column)) if column in types else row.get(column) for column in header]
                    for row in rows]


def choice_label(choices, value):
    """The label of a stored choice (``choices``: Django choices or a dict), "" for none, the value itself when
    it is not one of them (an export never hides a value it cannot name)."""
    if value in (None, ""):
        return ""
    return dict(choices).get(value, value)


def yes_no(value):
    return "" if value is None else ("Yes" if value else "No")


def cell(value):
    """A value for a spreadsheet cell: numbers, booleans and dates stay typed (an aware time in local time, as
    the page shows it: a spreadsheet has no time zones); a choice (a Django ``Choices`` member) is its label;
    text loses the control characters that a spreadsheet file cannot hold (core.text.document_text, before the
    check, so they cannot hide a leading =) and is neutralised."""
    if value is None:
        return None
    if isinstance(value, enum.Enum) and hasattr(value, "label"):
        value = value.label
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return neutralise(document_text(str(value)))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()  # ISO: one reading whatever the opener's locale, and Excel takes it as a date
    return str(value)


def csv_bytes(header, rows):
    """UTF-8 with a byte-order mark, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([_csv_text(cell(value)) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, value, bold=False):
    value = cell(value)
    if isinstance(value, datetime.date | Decimal) or bold:
        typed = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime.datetime):
            typed.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            typed.number_format = DATE_FORMAT
        elif isinstance(value, Decimal):
            typed.number_format = MONEY_FORMAT
        if bold:
            typed.font = Font(bold=True)
        return typed
    return value


def xlsx_bytes(header, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    if header:
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_cell(sheet, name, bold=True) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(fmt, name, header, rows):
    """A download of ``rows`` (lists of values under ``header``) as CSV or XLSX."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX)
    else:
        response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{"xlsx" if fmt == "xlsx" else "csv"}"'
    return response


def wanted(request):
    """The export format a list page was asked for (``?format=csv`` or ``xlsx``), or None for the page itself."""
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None
