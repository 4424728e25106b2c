"""Reads of the delivery record, each starting from delivery/access.py."""

from dataclasses import dataclass

from . import access
from .vocabulary import SupportKind

PANEL_RECORDS = 5


def contract_records(user, contract):
    """The contract's delivery records the user may read, newest first (one query)."""
    return access.records_for(user).filter(contract=contract).select_related("recorded_by")


@dataclass(frozen=True)
class SupportDelivered:
    kind: str
    label: str
    times: int
    last_on: object


def support_delivered(records):
    """For each kind of support given at ``records`` (already loaded): how many times and when last, in the
    vocabulary's order. No query."""
    times, last = {}, {}
    for record in records:
        for kind in record.support_kinds:
            times[kind] = times.get(kind, 0) + 1
            if last.get(kind) is None or record.happened_on > last[kind]:
                last[kind] = record.happened_on
    return [SupportDelivered(kind, label, times[kind], last[kind]) for kind, label in SupportKind.choices
            if kind in times]
