class DomainError(Exception):
    """A business rule said no. The message is written for the person who asked."""


def error_body(status_code, code, detail, fields=None):
    """The one error body of the REST API, also used for requests refused before they reach it."""
    return {"error": {"status": status_code, "code": code, "detail": str(detail), "fields": fields or {}}}
