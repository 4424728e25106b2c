"""One error body for every API failure, and the API's own exceptions.

    {"error": {"status": 404, "code": "not_found", "detail": "Not found.", "fields": {}}}

``fields`` carries per-field messages for 400s ({"field": ["message", ...]}) and is {} otherwise.
Errors are always JSON, also when a CSV or XLSX export was asked for.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from core.errors import error_body

logger = logging.getLogger("resilience.api")


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the version you read (GET it first)."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it. Nothing was saved: GET it again and retry."
    default_code = "precondition_failed"

    def __init__(self, detail=None, *, etag=None):
        super().__init__(detail)
        self.headers = {"ETag": etag} if etag else {}


class Rejected(exceptions.APIException):
    """A business rule said no (a DomainError from a service): the request was understood, and refused (as the
    pages answer a refused form)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The change was refused."
    default_code = "rejected"


def _body_for(exc, status_code):
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_body(status_code, "invalid", "The request is not valid: see fields.", fields)
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    return error_body(status_code, code, detail)


def _errors_as_json(request):
    """An error is JSON even when the request asked for ?format=csv or xlsx."""
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and getattr(renderer, "format", None) in ("csv", "xlsx"):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # the same words whatever was not found: nothing leaks
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        logger.error("Unhandled API error", exc_info=exc)
        set_rollback()
        response = Response(error_body(500, "server_error", "Something went wrong on our side."),
                            status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    else:
        response.data = _body_for(exc, response.status_code)
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    request = context.get("request")
    if request is not None:
        _errors_as_json(request)
    return response
