"""Import commissioners' names from an ODS organisation file: the sub-ICB locations file (``eccg.csv``, formerly
CCGs), the ICB file, or any file in the ODS standard layout (headerless, quoted; column 1 the organisation code,
column 2 its name). A file whose first row names its columns ("Organisation Code"/"Code" and "Name") is read by
those names instead. All or nothing: one malformed row rejects the file, with every reason."""

import csv
import re
from pathlib import Path

from django.db import transaction

from practices.models import CommissionerName

from .common import ImportRejected, ImportSummary, RowError, progress
from .names import record_commissioner_names

CODE = re.compile(r"^[A-Z0-9]{3,5}$")
CODE_HEADERS = ("organisation code", "org code", "code", "ods code")
NAME_HEADERS = ("name", "organisation name", "org name")


def _columns(first_row):
    """(code index, name index, whether the first row is a header)."""
    lowered = [cell.strip().lower() for cell in first_row]
    code = next((lowered.index(h) for h in CODE_HEADERS if h in lowered), None)
    name = next((lowered.index(h) for h in NAME_HEADERS if h in lowered), None)
    if code is not None and name is not None:
        return code, name, True
    return 0, 1, False


def read_ods_organisations(path):
    """({ODS code: name}, summary with every row's errors)."""
    source = Path(path).name
    summary, names, seen = ImportSummary(), {}, {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            columns = None
            for raw in progress(reader, desc=f"Reading {source}"):
                line = reader.line_num
                if not any(cell.strip() for cell in raw):
                    continue
                if columns is None:
                    code_at, name_at, header = columns = _columns(raw)
                    if header:
                        continue
                errors = []
                if len(raw) <= max(code_at, name_at):
                    errors.append(RowError(source, line, "row", f"expected at least {max(code_at, name_at) + 1} "
                                                                f"fields, found {len(raw)}"))
                else:
                    code, name = raw[code_at].strip(), raw[name_at].strip()
                    if not CODE.match(code):
                        errors.append(RowError(source, line, f"code (column {code_at + 1})",
                                               f"{code!r} is not an ODS organisation code (3 to 5 capital letters "
                                               "or digits)"))
                    if not name:
                        errors.append(RowError(source, line, f"name (column {name_at + 1})", "is empty"))
                    elif code in seen and names.get(code) != name:
                        errors.append(RowError(source, line, f"code (column {code_at + 1})",
                                               f"{code} already appears on line {seen[code]} with another name"))
                if errors:
                    summary.errors.extend(errors)
                    summary.rejected += 1
                    continue
                seen.setdefault(code, line)
                names[code] = name
        except (csv.Error, UnicodeDecodeError) as exc:
            summary.errors.append(RowError(source, reader.line_num, "file", f"unreadable CSV: {exc}"))
            summary.rejected += 1
    if not names and not summary.rejected:
        summary.errors.append(RowError(source, None, "file", "has no organisations"))
        summary.rejected += 1
    return names, summary


def import_ods_organisations(path, *, actor=None):
    """Record every organisation's name and rename the commissioners of those codes. Counts are of names."""
    names, summary = read_ods_organisations(path)
    if summary.rejected:
        raise ImportRejected(summary)
    with transaction.atomic():
        summary.created, summary.updated, summary.unchanged = record_commissioner_names(
            names, source=CommissionerName.Source.ODS, source_file=Path(path).name, actor=actor)
    return summary
