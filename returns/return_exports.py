"""A data return (or England's roll-up) as a spreadsheet and as CSV, from its content (returns/builder.py).

- XLSX: three sheets. "Summary": the return's particulars and figures, one per row (label, value), and for the
  roll-up each region's figures as a table below; "Practices": one row per supported contract; "Case studies".
  Cells are typed: amounts are numbers (pounds), dates are dates, times are local times.
- CSV (one file, as Excel opens it): the same three parts one after another, each headed by its name on a line of
  its own and separated by an empty line: "Summary" (label, value lines), "Practices" (a header line, then the
  rows), "Case studies" (likewise).

Text goes through core.exports.cell, so nothing in a return can be read as a formula.
"""

import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.exports import DATE_FORMAT, DATETIME_FORMAT, MONEY_FORMAT, XLSX, cell, csv_bytes

from .builder import who
from .targets import STATUS_LABELS

MONEY, DATE, DATETIME, TEXT, LIST = "money", "date", "datetime", "text", "list"
PRACTICE_COLUMNS = [("Contract", "contract", TEXT), ("Practice ODS code", "practice_code", TEXT),
                    ("Practice", "practice_name", TEXT), ("ICB", "icb", TEXT), ("Programme", "programme", TEXT),
                    ("Support categories", "support_categories", LIST), ("Commissioned on", "commissioned_on", DATE),
                    ("Value (£)", "value", MONEY), ("Committed in the year (£)", "committed", MONEY),
                    ("Paid in the year (£)", "paid", MONEY), ("MoU status", "mou", TEXT),
                    ("MoU signed on", "mou_signed_on", DATE)]
CASE_STUDY_COLUMNS = [("Title", "title", TEXT), ("Support category", "support_category", TEXT),
                      ("Practice", "practice", TEXT), ("Written on", "written_on", DATE)]
REGION_COLUMN = ("Region", "region", TEXT)
FIGURES = [("Allocated (£)", "allocated", MONEY), ("Committed (£)", "committed", MONEY),
           ("Spent (£)", "spent", MONEY), ("Forecast (£)", "forecast", MONEY),
           ("Committed (% of allocation)", "committed_percent", TEXT),
           ("Spent (% of allocation)", "spent_percent", TEXT), ("Practices supported", "supported", TEXT),
           ("MoUs missing", "mous_missing", TEXT), ("Case studies", "case_studies", TEXT)]
ROLLUP_REGION_COLUMNS = ["Region", "Return", "Submitted at", "Submitted by", *(label for label, _k, _t in FIGURES)]


def typed(value, kind):
    """A content value (JSON text) as the spreadsheet should hold it."""
    if value is None or value == "":
        return None
    if kind == MONEY:
        return Decimal(value)
    if kind == DATE:
        return datetime.date.fromisoformat(value)
    if kind == DATETIME:
        return datetime.datetime.fromisoformat(value)
    if kind == LIST:
        return "; ".join(value)
    return value


def _figures(summary):
    return [(label, typed(summary.get(key), kind)) for label, key, kind in FIGURES]


def summary_lines(content, data_return=None):
    """(label, value) lines of a return's summary: its particulars, figures and targets."""
    deadline = content["deadline"]
    lines = [("Region", content["region"]["name"]), ("Region code", content["region"]["code"]),
             ("Financial year", deadline["label"]), ("Deadline", deadline["number"]),
             ("Due", typed(deadline["due_at"], DATETIME))]
    if data_return is None:
        lines.append(("Status", "Draft: not submitted"))
    else:
        lines += [("Return", data_return.number), ("Submitted at", data_return.submitted_at),
                  ("Submitted by", who(data_return.submitted_by))]
        if data_return.reason:
            lines.append(("Reason for resubmitting", data_return.reason))
    lines.append(("Built from the records at", typed(content["built_at"], DATETIME)))
    lines += _figures(content["summary"])
    lines += [(f"Target: {target['target']}", STATUS_LABELS.get(target["status"], target["status"]))
              for target in content.get("targets", [])]
    return lines


def rollup_summary_lines(rollup):
    deadline = rollup["deadline"]
    lines = [("Region", "England"), ("Financial year", deadline["label"]), ("Deadline", deadline["number"]),
             ("Due", typed(deadline["due_at"], DATETIME)),
             ("Regions submitted", sum(1 for region in rollup["regions"] if region["submitted"])),
             ("Regions not submitted", "; ".join(rollup["not_submitted"]) or "None")]
    return lines + _figures(rollup["summary"])


def rollup_region_rows(rollup):
    rows = []
    for region in rollup["regions"]:
        if not region["submitted"]:
            rows.append([region["name"], "Not submitted", None, None, *([None] * len(FIGURES))])
            continue
        rows.append([region["name"], region["number"], typed(region["submitted_at"], DATETIME),
                     region["submitted_by"], *(value for _label, value in _figures(region["summary"]))])
    return rows


def table(rows, columns):
    """(header, rows) of content rows under ``columns`` ((label, key, kind) triples)."""
    return ([label for label, _k, _t in columns],
            [[typed(row.get(key), kind) for _label, key, kind in columns] for row in rows])


def parts(content, data_return=None):
    """The three parts of a return: (summary lines, practices table, case studies table)."""
    return (summary_lines(content, data_return), table(content["practices"], PRACTICE_COLUMNS),
            table(content["case_studies"], CASE_STUDY_COLUMNS))


def rollup_parts(rollup):
    return (rollup_summary_lines(rollup), table(rollup["practices"], [REGION_COLUMN, *PRACTICE_COLUMNS]),
            table(rollup["case_studies"], [REGION_COLUMN, *CASE_STUDY_COLUMNS]))


def _xlsx_value(sheet, value, bold=False):
    value = cell(value)
    if not (bold or isinstance(value, datetime.date | Decimal)):
        return value
    typed_cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.datetime):
        typed_cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        typed_cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal):
        typed_cell.number_format = MONEY_FORMAT
    if bold:
        typed_cell.font = Font(bold=True)
    return typed_cell


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_value(sheet, name, bold=True) for name in header])
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])


def xlsx_of(summary, practices, case_studies, regions=None):
    """The workbook: "Summary" (label, value; then the regions' table for the roll-up), "Practices" and "Case
    studies"."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Summary")
    for label, value in summary:
        sheet.append([_xlsx_value(sheet, label, bold=True), _xlsx_value(sheet, value)])
    if regions is not None:
        sheet.append([])
        sheet.append([_xlsx_value(sheet, name, bold=True) for name in ROLLUP_REGION_COLUMNS])
        for row in regions:
            sheet.append([_xlsx_value(sheet, value) for value in row])
    _sheet(workbook, "Practices", *practices)
    _sheet(workbook, "Case studies", *case_studies)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_of(summary, practices, case_studies, regions=None):
    """One CSV: "Summary" lines, then "Practices" and "Case studies", each a header and rows, parts separated by an
    empty line."""
    lines = [["Summary"], *([label, value] for label, value in summary)]
    if regions is not None:
        lines += [[], ["Regions"], ROLLUP_REGION_COLUMNS, *regions]
    for title, (header, rows) in (("Practices", practices), ("Case studies", case_studies)):
        lines += [[], [title], header, *rows]
    return csv_bytes(None, lines)


def download(fmt, name, summary, practices, case_studies, regions=None):
    if fmt == "xlsx":
        response = HttpResponse(xlsx_of(summary, practices, case_studies, regions), content_type=XLSX)
    else:
        response = HttpResponse(csv_of(summary, practices, case_studies, regions),
                                content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def return_download(fmt, data_return):
    """A submitted return as a download: ``data-return-<region>-<year>-<deadline>-<number>``."""
    content = data_return.content
    name = (f"data-return-{content['region']['code']}-{content['deadline']['label']}-"
            f"{content['deadline']['number']}-{data_return.number}")
    return download(fmt, name, *parts(content, data_return))


def rollup_download(fmt, rollup):
    deadline = rollup["deadline"]
    return download(fmt, f"data-returns-england-{deadline['label']}-{deadline['number']}", *rollup_parts(rollup),
                    regions=rollup_region_rows(rollup))
