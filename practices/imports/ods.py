"""Import the NHS ODS GP practice file (epraccur.csv: headerless, 27 quoted fields)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from practices.models import Commissioner, Practice, ods_practice_code
from practices.regions import regions_refresh
from practices.services import episodes_rederive

from .common import ImportRejected, ImportSummary, RowError, changed_fields, parse_date, progress
from .names import known_names

FIELD_COUNT = 27
# A change of these ends (or, re-opened, restores) a practice's current special-measures episode.
CLOSURE_FIELDS = {"closed_on", "status"}
GP_PRACTICE_SETTING = 4
STATUS = {"A": Practice.Status.ACTIVE, "C": Practice.Status.CLOSED, "D": Practice.Status.DORMANT,
          "P": Practice.Status.PROPOSED}
PRACTICE_FIELDS = ["ods_region", "name", "address_line_1", "address_line_2", "address_line_3", "address_line_4",
                   "address_line_5", "postcode", "opened_on", "closed_on", "status", "prescribing_setting",
                   "telephone"]


@dataclass
class OdsRow:
    line: int
    ods_code: str
    icb_code: str
    commissioner_code: str
    values: dict


def _parse_row(source, line, row, all_settings):
    """Return (OdsRow or None, errors). None without errors means the row is out of scope."""
    errors = []

    def err(field, message):
        errors.append(RowError(source, line, field, message))

    if len(row) != FIELD_COUNT:
        err("row", f"expected {FIELD_COUNT} fields, found {len(row)}")
        return None, errors
    setting_text = row[25].strip()
    if not setting_text.isdigit():
        err("prescribing setting (column 26)", f"{setting_text!r} is not a number")
        return None, errors
    setting = int(setting_text)
    # Out of scope, not errors: other settings (walk-in centres, hospices...) unless asked for, and
    # organisation sub-type Z, which ODS uses for cost centres not linked to any commissioner.
    if (setting != GP_PRACTICE_SETTING and not all_settings) or row[13].strip() == "Z":
        return None, []
    code = row[0].strip()
    try:
        ods_practice_code(code)
    except ValidationError:
        err("practice code (column 1)", f"{code!r} is not an ODS practice code (one letter and five digits)")
    name = row[1].strip()
    if not name:
        err("name (column 2)", "is empty")
    status = STATUS.get(row[12].strip())
    if status is None:
        err("status (column 13)", f"{row[12]!r} is not one of A, C, D, P")
    dates = {}
    for key, index, label in (("opened_on", 10, "open date (column 11)"), ("closed_on", 11, "close date (column 12)")):
        text = row[index].strip()
        if not text:
            dates[key] = None
            continue
        try:
            dates[key] = parse_date(text, "%Y%m%d")
        except ValueError as exc:
            err(label, str(exc))
    commissioner_code = row[14].strip()
    if not commissioner_code:
        err("commissioner (column 15)", "is empty")
    if errors:
        return None, errors
    values = {
        "name": name,
        "address_line_1": row[4].strip(), "address_line_2": row[5].strip(), "address_line_3": row[6].strip(),
        "address_line_4": row[7].strip(), "address_line_5": row[8].strip(),
        "postcode": row[9].strip(), "telephone": row[17].strip(),
        "opened_on": dates["opened_on"], "closed_on": dates["closed_on"],
        "status": status, "prescribing_setting": setting,
        "ods_region": row[2].strip().upper()[:3],
    }
    return OdsRow(line, code, row[3].strip(), commissioner_code, values), []


def read_ods_file(path, *, all_settings=False):
    """Parse and validate the whole file. Returns (rows in scope, summary with errors/skips)."""
    source = Path(path).name
    summary = ImportSummary()
    rows, seen = [], {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            for raw in progress(reader, desc=f"Reading {source}"):
                line = reader.line_num
                if not any(field.strip() for field in raw):
                    continue
                parsed, errors = _parse_row(source, line, raw, all_settings)
                if errors:
                    summary.errors.extend(errors)
                    summary.rejected += 1
                    continue
                if parsed is None:
                    summary.skipped += 1
                    continue
                if parsed.ods_code in seen:
                    first = seen[parsed.ods_code]
                    summary.errors.append(RowError(source, line, "practice code (column 1)",
                                                   f"{parsed.ods_code} already appears on line {first}"))
                    summary.rejected += 1
                    continue
                seen[parsed.ods_code] = line
                rows.append(parsed)
        except (csv.Error, UnicodeDecodeError) as exc:
            summary.errors.append(RowError(source, reader.line_num, "file", f"unreadable CSV: {exc}"))
            summary.rejected += 1
    return rows, summary


def _ensure_commissioners(rows):
    """Commissioners by ODS code, creating missing ones (sub-ICB locations under their ICB), named from the names
    already recorded (an ODS organisation file, CQC records) or, until one names them, by their code."""
    codes = {r.commissioner_code for r in rows} | {r.icb_code for r in rows if r.icb_code}
    existing = {c.ods_code: c for c in Commissioner.objects.filter(ods_code__in=codes)}
    names = known_names(codes - existing.keys())
    icbs = {r.icb_code for r in rows if r.icb_code} - {r.commissioner_code for r in rows}
    new_icbs = [Commissioner(ods_code=code, name=names.get(code, code), kind=Commissioner.Kind.ICB)
                for code in sorted(icbs - existing.keys())]
    for commissioner in bulk_create_with_history(new_icbs, Commissioner):
        existing[commissioner.ods_code] = commissioner
    parent_of = {}
    for r in rows:
        parent_of.setdefault(r.commissioner_code, r.icb_code)
    new_subs = [
        Commissioner(ods_code=code, name=names.get(code, code), kind=Commissioner.Kind.SUB_ICB,
                     parent=existing.get(parent_of[code]) if parent_of[code] != code else None)
        for code in sorted(parent_of.keys() - existing.keys())
    ]
    for commissioner in bulk_create_with_history(new_subs, Commissioner):
        existing[commissioner.ods_code] = commissioner
    return existing


def import_ods_practices(path, *, all_settings=False, actor=None):
    """Import practices from an epraccur file, all or nothing.

    Raises ImportRejected (nothing saved) if any row is malformed. Re-importing the same file
    reports every practice unchanged. Practices' and commissioners' regions are derived again
    (practices/regions.py). The special-measures episodes of practices whose closure changed are derived
    again in the same transaction: a closure ends the current one (``practice_closed``).
    """
    rows, summary = read_ods_file(path, all_settings=all_settings)
    if summary.rejected:
        raise ImportRejected(summary)
    with transaction.atomic():
        commissioners = _ensure_commissioners(rows)
        existing = {p.ods_code: p for p in Practice.objects.filter(ods_code__in=[r.ods_code for r in rows])}
        to_create, to_update, update_fields, closure_changed = [], [], set(), []
        for r in progress(rows, desc="Saving practices"):
            values = dict(r.values, commissioner_id=commissioners[r.commissioner_code].pk)
            practice = existing.get(r.ods_code)
            if practice is None:
                to_create.append(Practice(ods_code=r.ods_code, **values))
                continue
            changed = changed_fields(practice, values)
            if changed:
                for name in changed:
                    setattr(practice, name, values[name])
                update_fields.update(name.removesuffix("_id") for name in changed)
                to_update.append(practice)
                if CLOSURE_FIELDS & set(changed):
                    closure_changed.append(practice.pk)
            else:
                summary.unchanged += 1
        bulk_create_with_history(to_create, Practice, batch_size=1000, default_user=actor,
                                 default_change_reason="ODS import")
        if to_update:
            bulk_update_with_history(to_update, Practice, sorted(update_fields), batch_size=1000,
                                     default_user=actor, default_change_reason="ODS import")
        regions_refresh()
        if closure_changed:
            episodes_rederive(practice_ids=closure_changed, actor=actor, reason="ODS import: practice closure")
        summary.created, summary.updated = len(to_create), len(to_update)
    return summary
