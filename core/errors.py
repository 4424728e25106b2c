from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A business rule said no. The message is written for the person who asked."""


class StaleEdit(DomainError):
    """Someone else saved first. ``changes`` lists (field label, value now saved) for what they changed."""

    def __init__(self, message, changes):
        super().__init__(message)
        self.changes = changes


class NothingChanged(DomainError):
    """The write would change nothing: nothing is saved and no version moves."""


class NotAllowed(PermissionDenied):
    """The person may see this record but may not do this with it: a 403 whose message says why. (A record they
    may not see answers 404, from the access modules' ``get_*_or_404``.)"""


def require_allowed(refusal):
    """Refuse with a 403 when the access rules give a reason (``refusal``: their reason, or None to go on)."""
    if refusal:
        raise NotAllowed(refusal)


def error_body(status_code, code, detail, fields=None):
    """The one error body of the REST API, also used for requests refused before they reach it."""
    return {"error": {"status": status_code, "code": code, "detail": str(detail), "fields": fields or {}}}
