"""Reads of concerns for lists and home pages: metadata only (no free text, so listing is not reading them)."""

from . import access

LIST_FIELDS = ("category", "observed_on", "raised_at", "acknowledgement_due", "acknowledged_at", "closed_at",
               "contract__reference", "contract__practice__name", "raised_by")


def listed(concerns):
    return concerns.select_related("contract", "contract__practice").only(*LIST_FIELDS).order_by(
        "closed_at", "-raised_at", "-pk")


def open_concerns_for(user):
    """The open concerns the user receives, newest first (one query)."""
    return list(listed(access.open_received_for(user)))
