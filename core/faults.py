"""A database that goes away mid-request gives the user a clean "try again" page (503), never a
half-saved change: every write runs in a transaction, which PostgreSQL rolls back when the
connection drops."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)) and not _connection_lost(exception):
            return None
        logger.error("database unavailable during %s %s: %s", request.method, request.path, exception)
        for connection in connections.all():
            connection.close_if_unusable_or_obsolete()
        # Rendered without the request: the page must not need the database that just failed.
        html = render_to_string("errors/503.jinja")
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response


def _connection_lost(exception):
    return isinstance(exception, DatabaseError) and "terminat" in str(exception).lower()
