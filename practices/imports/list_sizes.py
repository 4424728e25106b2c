"""Import registered list sizes from NHS Digital's "Patients registered at a GP practice" CSV."""

import csv
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from practices.models import Practice

from .common import ImportRejected, ImportSummary, RowError, progress

REQUIRED = ("CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS")


def import_list_sizes(path, *, actor=None):
    """Set Practice.list_size from the all-ages, all-sexes rows; practices not imported are skipped."""
    source = Path(path).name
    summary, sizes = ImportSummary(), {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            summary.errors.append(RowError(source, 1, "header", f"missing column(s) {', '.join(missing)}"))
            summary.rejected += 1
            raise ImportRejected(summary)
        for row in progress(reader, desc=f"Reading {source}"):
            if row["SEX"] != "ALL" or row["AGE"] != "ALL":
                continue
            count = (row["NUMBER_OF_PATIENTS"] or "").strip()
            if not count.isdigit():
                summary.errors.append(RowError(source, reader.line_num, "NUMBER_OF_PATIENTS",
                                               f"{count!r} is not a whole number"))
                summary.rejected += 1
                continue
            sizes[row["CODE"].strip()] = int(count)
    if summary.rejected:
        raise ImportRejected(summary)
    with transaction.atomic():
        practices = {p.ods_code: p for p in Practice.objects.filter(ods_code__in=sizes)}
        summary.skipped = len(sizes) - len(practices)
        changed = []
        for code, practice in practices.items():
            if practice.list_size == sizes[code]:
                summary.unchanged += 1
            else:
                practice.list_size = sizes[code]
                changed.append(practice)
        if changed:
            bulk_update_with_history(changed, Practice, ["list_size"], batch_size=1000, default_user=actor,
                                     default_change_reason="list size import")
        summary.updated = len(changed)
    return summary
