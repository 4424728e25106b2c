"""CSV and XLSX exports for pages and the API: nested data flattened into columns, and spreadsheet
formula injection neutralised (a text cell that starts with = + - @, their full-width forms ＝ ＋ － ＠, a tab or a
line break gets a leading '). Every text cell first loses the control characters a spreadsheet file cannot hold."""

import csv
import datetime
import io
import json
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

from core.text import document_text

# Spreadsheets read a formula after any of these; Excel and LibreOffice also take the full-width forms (U+FF1D,
# U+FF0B, U+FF0D, U+FF20) for = + - @. A line break counts too: document_text makes a carriage return one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r", "\n")
EXPORT_FORMATS = frozenset({"csv", "xlsx"})


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


def table_of(rows, columns=None):
    """(header, rows as lists): the given columns, or those of the rows in order of first appearance."""
    header = columns or list(dict.fromkeys(column for row in rows for column in row))
    return header, [[row.get(column) for column in header] for row in rows]


def cell(value):
    """A value for a spreadsheet cell: numbers and booleans stay typed; text loses the control characters that
    a spreadsheet file cannot hold (core.text.document_text, before the check, so they cannot hide a leading
    =) and is neutralised."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return neutralise(document_text(str(value)))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow(["" if value is None else _csv_text(value) for value in (cell(v) for v in row)])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(header, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    if header:
        sheet.append([cell(name) for name in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
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
