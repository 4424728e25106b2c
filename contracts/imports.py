"""Import historical RCGP contracts from a CSV file, all or nothing.

Header: reference,practice_ods_code,programme,commissioned_on,status,ended_on,end_reason,
rating_before,rating_after,in_special_measures_after,closure,notes
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from practices.imports.common import ImportRejected, ImportSummary, RowError, changed_fields, parse_date, progress
from practices.models import Practice
from practices.ratings import Rating

from .models import Contract
from .vocabulary import Closure, EndReason, Programme
from .workflow import State, status_of

COLUMNS = ["reference", "practice_ods_code", "programme", "commissioned_on", "status", "ended_on", "end_reason",
           "rating_before", "rating_after", "in_special_measures_after", "closure", "notes"]
STATUS_STATE = {"enquiry": State.ENQUIRY, "live": State.COMMISSIONED, "ended": State.CLOSED}
YES_NO = {"yes": True, "no": False, "": None}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FOLLOW_ON = re.compile(r"^(?P<base>.*\d)(?P<letter>[A-Z])$")
REFERENCE_MAX = Contract._meta.get_field("reference").max_length
CHANGE_REASON = "contract import"


@dataclass
class ContractRow:
    line: int
    reference: str
    ods_code: str
    status: str
    values: dict


def parent_reference(reference):
    """The contract a follow-on continues: 31A → 31, 31B → 31A. None for a first contract."""
    match = FOLLOW_ON.match(reference)
    if not match:
        return None
    letter = match["letter"]
    return match["base"] if letter == "A" else match["base"] + chr(ord(letter) - 1)


def _one_of(words):
    return ", ".join(words)


def _parse_row(source, line, row):
    """Return (ContractRow or None, errors); practices and parents are checked later."""
    errors = []

    def err(field, message):
        errors.append(RowError(source, line, field, message))

    def choice(field, allowed, *, empty=None):
        value = row[field]
        if value == "" and empty is not None:
            return empty
        if value not in allowed:
            err(field, f"{value!r} is not one of {_one_of(allowed)}" + (" (or empty)" if empty is not None else ""))
        return value

    def date(field, *, required):
        value = row[field]
        if not value:
            if required:
                err(field, "is empty")
            return None
        try:
            if not ISO_DATE.match(value):
                raise ValueError
            return parse_date(value, "%Y-%m-%d")
        except ValueError:
            err(field, f"{value!r} is not a valid date (YYYY-MM-DD)")
            return None

    reference = row["reference"]
    if not reference:
        err("reference", "is empty")
    elif len(reference) > REFERENCE_MAX:
        err("reference", f"{reference!r} is longer than {REFERENCE_MAX} characters")
    if not row["practice_ods_code"]:
        err("practice_ods_code", "is empty")
    programme = choice("programme", Programme.values)
    commissioned_on = date("commissioned_on", required=True)
    status = choice("status", list(STATUS_STATE))
    ended = status == "ended"
    ended_on = date("ended_on", required=False)
    if ended_on and not ended and status in STATUS_STATE:
        err("ended_on", f"only an ended contract has an end date (status is {status})")
    if ended_on and commissioned_on and ended_on < commissioned_on:
        err("ended_on", f"{ended_on.isoformat()} is before commissioned_on {commissioned_on.isoformat()}")
    end_reason = row["end_reason"]
    if end_reason and not ended and status in STATUS_STATE:
        err("end_reason", f"only an ended contract has an end reason (status is {status})")
    elif end_reason and end_reason not in EndReason.values:
        err("end_reason", f"{end_reason!r} is not one of {_one_of(EndReason.values)}")
    elif ended and not end_reason:
        err("end_reason", f"an ended contract needs an end reason: one of {_one_of(EndReason.values)}")
    rating_before = choice("rating_before", Rating.values, empty="")
    rating_after = choice("rating_after", Rating.values, empty="")
    in_sm_text = choice("in_special_measures_after", ["yes", "no"], empty="")
    closure = choice("closure", Closure.values, empty=Closure.NONE)
    if errors:
        return None, errors
    values = {
        "programme": programme, "commissioned_on": commissioned_on, "ended_on": ended_on, "end_reason": end_reason,
        "rating_before": rating_before, "rating_after": rating_after,
        "in_special_measures_after": YES_NO[in_sm_text], "closure": closure, "notes": row["notes"],
    }
    return ContractRow(line, reference, row["practice_ods_code"], status, values), []


def read_contract_file(path):
    """Parse and validate the file's rows on their own. Returns (rows, summary with errors)."""
    source = Path(path).name
    summary = ImportSummary()
    rows, seen = [], {}

    def reject(line, field, message):
        summary.errors.append(RowError(source, line, field, message))
        summary.rejected += 1

    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        try:
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [c for c in COLUMNS if c not in header]
            extra = [c for c in header if c not in COLUMNS]
            duplicated = sorted({c for c in header if header.count(c) > 1})
            problems = [f"{label} column(s) {', '.join(names)}" for label, names in
                        (("missing", missing), ("unexpected", extra), ("repeated", duplicated)) if names]
            if problems:
                reject(1, "header", "; ".join(problems) + f" (expected {','.join(COLUMNS)})")
                return rows, summary
            reader.fieldnames = header
            for raw in progress(reader, desc=f"Reading {source}"):
                line = reader.line_num
                extras = raw.pop(None, None) or []
                if extras or None in raw.values():
                    found = sum(value is not None for value in raw.values()) + len(extras)
                    reject(line, "row", f"expected {len(COLUMNS)} fields, found {found}")
                    continue
                row = {key: value.strip() for key, value in raw.items()}
                if not any(row.values()):
                    continue
                parsed, errors = _parse_row(source, line, row)
                if parsed and parsed.reference in seen:
                    errors = [RowError(source, line, "reference",
                                       f"{parsed.reference} already appears on line {seen[parsed.reference]}")]
                if errors:
                    summary.errors.extend(errors)
                    summary.rejected += 1
                    continue
                seen[parsed.reference] = line
                rows.append(parsed)
        except (csv.Error, UnicodeDecodeError) as exc:
            reject(reader.line_num, "file", f"unreadable CSV: {exc}")
    return rows, summary


def _parents(rows):
    return {parent_reference(r.reference) for r in rows} - {None}


def _check_references(source, rows, summary, practices):
    """Reject rows whose practice is unknown or whose follow-on parent is nowhere to be found."""
    in_file = {r.reference for r in rows}
    in_db = set(Contract.objects.filter(reference__in=_parents(rows) - in_file).values_list("reference", flat=True))
    for r in rows:
        errors = []
        if r.ods_code not in practices:
            errors.append(RowError(source, r.line, "practice_ods_code",
                                   f"no practice with ODS code {r.ods_code} (import it from ODS first)"))
        parent = parent_reference(r.reference)
        if parent and parent not in in_file and parent not in in_db:
            errors.append(RowError(source, r.line, "reference",
                                   f"{r.reference} follows on from {parent}, which is neither in this file "
                                   "nor already imported"))
        if errors:
            summary.errors.extend(errors)
            summary.rejected += 1


def _generation(reference, in_file):
    """How many follow-on steps from a contract that is not created in this run (for creation order)."""
    depth, parent = 0, parent_reference(reference)
    while parent in in_file:
        depth, parent = depth + 1, parent_reference(parent)
    return depth


def import_contracts(path, *, actor=None):
    """Import historical contracts, all or nothing.

    Raises ImportRejected (nothing saved) if any row is bad. Re-importing the same file reports
    every contract unchanged and writes no history.
    """
    source = Path(path).name
    rows, summary = read_contract_file(path)
    if summary.rejected:
        raise ImportRejected(summary)
    with transaction.atomic():
        practices = {p.ods_code: p for p in Practice.objects.filter(ods_code__in={r.ods_code for r in rows})}
        existing = {c.reference: c for c in Contract.objects.filter(reference__in=[r.reference for r in rows])}
        _check_references(source, rows, summary, practices)
        if summary.rejected:
            raise ImportRejected(summary)

        def values_for(r, current_state=None):
            practice = practices[r.ods_code]
            keep_state = current_state is not None and status_of(current_state) == r.status
            return dict(r.values, practice_id=practice.pk, commissioner_id=practice.commissioner_id,
                        state=current_state if keep_state else STATUS_STATE[r.status])

        # New contracts, parents before their follow-ons so that every follow-on can point at its parent.
        new_rows = [r for r in rows if r.reference not in existing]
        new_refs = {r.reference for r in new_rows}
        parent_ids = dict(Contract.objects.filter(reference__in=_parents(rows) - new_refs)
                          .values_list("reference", "pk"))
        for depth in sorted({_generation(r.reference, new_refs) for r in new_rows}):
            batch = [Contract(reference=r.reference, parent_id=parent_ids.get(parent_reference(r.reference)),
                              imported=True, **values_for(r))
                     for r in new_rows if _generation(r.reference, new_refs) == depth]
            for contract in bulk_create_with_history(batch, Contract, batch_size=500, default_user=actor,
                                                     default_change_reason=CHANGE_REASON):
                parent_ids[contract.reference] = contract.pk
            summary.created += len(batch)

        to_update, update_fields = [], set()
        for r in progress([r for r in rows if r.reference in existing], desc="Updating contracts"):
            contract = existing[r.reference]
            values = dict(values_for(r, contract.state), parent_id=parent_ids.get(parent_reference(r.reference)))
            changed = changed_fields(contract, values)
            if not changed:
                summary.unchanged += 1
                continue
            for name in changed:
                setattr(contract, name, values[name])
            update_fields.update(name.removesuffix("_id") for name in changed)
            to_update.append(contract)
        if to_update:
            bulk_update_with_history(to_update, Contract, sorted(update_fields), batch_size=500,
                                     default_user=actor, default_change_reason=CHANGE_REASON)
        summary.updated = len(to_update)
    return summary
