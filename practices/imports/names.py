"""Commissioners' names by ODS code, from whichever source has them (CQC location records, ODS organisation
files): kept in CommissionerName, and given to the commissioner of that code when the source may rename it."""

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from practices.models import Commissioner, CommissionerName, name_known


def record_commissioner_names(names, *, source, source_file="", actor=None):
    """Record ``names`` ({ODS code: name}) from ``source`` (a CommissionerName.Source) and rename the
    commissioners they name. A source never overwrites a name from a higher-ranked one (an ODS file's name stands
    against a CQC record's); a commissioner whose name someone typed is renamed only by an ODS file. Call inside
    the import's transaction. Returns (created, updated, unchanged) counts of names."""
    rank = CommissionerName.RANK[source]
    existing = {n.ods_code: n for n in CommissionerName.objects.filter(ods_code__in=names)}
    to_create, to_update, unchanged, applied = [], [], 0, {}
    for code, name in sorted(names.items()):
        record = existing.get(code)
        if record is None:
            to_create.append(CommissionerName(ods_code=code, name=name, source=source, source_file=source_file))
        elif CommissionerName.RANK[record.source] > rank:
            continue  # a better source named it
        elif (record.name, record.source) == (name, source):
            unchanged += 1
        else:
            record.name, record.source, record.source_file = name, source, source_file
            record.updated_at = timezone.now()  # bulk_update does not touch auto_now
            to_update.append(record)
        applied[code] = name
    CommissionerName.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        CommissionerName.objects.bulk_update(to_update, ["name", "source", "source_file", "updated_at"],
                                             batch_size=1000)
    renamed = []
    named_by = {code: record.source for code, record in existing.items()}
    for commissioner in Commissioner.objects.filter(ods_code__in=applied):
        name = applied[commissioner.ods_code]
        if commissioner.name == name:
            continue
        typed = commissioner.name_known and commissioner.ods_code not in named_by
        if typed and source != CommissionerName.Source.ODS:
            continue
        commissioner.name = name
        renamed.append(commissioner)
    if renamed:
        bulk_update_with_history(renamed, Commissioner, ["name"], batch_size=1000, default_user=actor,
                                 default_change_reason=f"name from {CommissionerName.Source(source).label}")
    return len(to_create), len(to_update), unchanged


def known_names(codes):
    """{ODS code: name} recorded for ``codes`` (for commissioners an import is about to create)."""
    return dict(CommissionerName.objects.filter(ods_code__in=codes).values_list("ods_code", "name"))


__all__ = ["known_names", "name_known", "record_commissioner_names"]
