"""Hostile input is refused at the door with a 4xx, before it reaches a view, a query or a template.

HostileInputMiddleware, first in settings.MIDDLEWARE, refuses:

- a NUL byte or another control character in the URL's path (400);
- a NUL byte in the query string, or a query string that is not UTF-8 once decoded (400);
- a URL longer than MAX_URL_BYTES (414);
- a NUL byte or another control character in a header, a header longer than MAX_HEADER_BYTES, or more than
  MAX_HEADERS of them (400, 431; the limits are gunicorn's own, for a request that reaches Django some other way);
- a Content-Length that is not a number (400) or over the limit (413): UPLOAD_MAX_REQUEST_BYTES for a multipart
  upload, DATA_UPLOAD_MAX_MEMORY_SIZE for anything else (forms, the API's JSON) — before a byte of it is read;
- once the view is known: a form body with a NUL byte in a field, a field name or a file name, too many fields,
  a damaged multipart body (400), or an upload stopped at the limit by core.upload_handlers (413).

PostgreSQL refuses NUL in text, so a NUL that reached a query would answer 500. Pages get the NHS-styled error page,
the API its consistent error body (api.errors). ``bad_request`` (settings: handler400) answers the
requests Django itself refuses as suspicious the same way, and a body too large as 413.
"""

import logging
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import error_body
from core.text import human_size
from core.upload_handlers import file_max_bytes, request_max_bytes

logger = logging.getLogger("resilience.security")

API_PREFIX = "/api/"
MAX_URL_BYTES = 8190
MAX_HEADER_BYTES = 8190
MAX_HEADERS = 100
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
MULTIPART = "multipart/form-data"
# Controls never in a path or a header value (a tab may fold a header).
_PATH_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_HEADER_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


# The answers ------------------------------------------------------------------------------------------------------

PAGES = {
    400: ("Your request could not be read",
          ["It contained characters or a web address that this service does not accept. Nothing was saved.",
           "Go back and try again. If you pasted text, type it instead."]),
    413: ("The file or form is too large",
          ["What you sent is larger than this service accepts. Nothing was saved.",
           "Go back and send something smaller."]),
    414: ("The web address is too long",
          ["Check the web address, or go back and follow a link instead."]),
    431: ("Your request could not be read",
          ["Your browser sent more information with the request than this service accepts. Nothing was saved.",
           "Clear this site's cookies in your browser, then try again."]),
}
API_CODES = {400: "bad_request", 413: "too_large", 414: "uri_too_long", 431: "headers_too_large"}


def _back_url(request):
    """Where "Go back" leads: the page the request came from if it is on this site, else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        host = None
    if host and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return reverse("home")


def refusal(request, status, detail, paragraphs=None):
    """The answer to a refused request: the API's error body under /api/, the NHS-styled error page elsewhere."""
    logger.warning("Refused %s %r: %s", request.method, request.META.get("PATH_INFO", "")[:200], detail)
    if request.META.get("PATH_INFO", "").startswith(API_PREFIX):
        response = JsonResponse(error_body(status, API_CODES[status], detail), status=status)
    else:
        title, default_paragraphs = PAGES[status]
        response = render(request, "errors/refused.jinja", {
            "title": title, "paragraphs": paragraphs or default_paragraphs, "back_url": _back_url(request)},
            status=status)
        if status == 413 and request.headers.get("HX-Request") == "true":
            # An in-place upload (htmx) shows the page in place of the one it was sent from.
            response["HX-Retarget"] = "body"
            response["HX-Reswap"] = "innerHTML"
    # A refusal made before the rest of the middleware has run still carries the headers that matter.
    response["X-Content-Type-Options"] = "nosniff"
    response.setdefault("X-Frame-Options", "DENY")
    response.setdefault("Content-Security-Policy",
                        "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
                        "form-action 'self'")
    response["Cache-Control"] = "no-store"
    return response


def too_large(request):
    if request.content_type == MULTIPART:
        limit = human_size(file_max_bytes())
        return refusal(request, 413, f"Files must be smaller than {limit}.", [
            f"Files must be smaller than {limit}. Nothing was saved.",
            "Go back and choose a smaller file, or save the document as a PDF and upload that."])
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return refusal(request, 413, f"The request body must be at most {limit} bytes.")


def bad_request(request, exception=None):
    """settings handler400: Django's own refusals (a suspicious request, a body too large), answered as ours."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return refusal(request, 400, "The request could not be read.")


# The checks -------------------------------------------------------------------------------------------------------

def _wsgi_bytes(value):
    """A WSGI environ string as the bytes that came over the wire (PEP 3333: each byte as one Latin-1 character)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # not from a WSGI server (ASGI gives decoded text)
        return value.encode("utf-8", "surrogatepass")


def _check_headers(request):
    headers = [value for key, value in request.META.items()
               if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")]
    if len(headers) > MAX_HEADERS:
        return refusal(request, 431, f"At most {MAX_HEADERS} headers are accepted.")
    for value in headers:
        if not isinstance(value, str):
            continue
        if len(value) > MAX_HEADER_BYTES:
            return refusal(request, 431, f"A header must be at most {MAX_HEADER_BYTES} bytes.")
        if _HEADER_CONTROLS.search(value):
            return refusal(request, 400, "A header contains a control character.")
    return None


def _check_url(request):
    # Django has already decoded the path (bytes that are not UTF-8 are percent-encoded again, and so harmless).
    path = request.path_info
    query = _wsgi_bytes(request.META.get("QUERY_STRING", ""))
    if len(path.encode("utf-8", "surrogatepass")) + len(query) > MAX_URL_BYTES:
        return refusal(request, 414, f"The URL must be at most {MAX_URL_BYTES} bytes.")
    decoded_query = unquote_to_bytes(query.replace(b"+", b" "))
    try:
        decoded_query.decode("utf-8")
    except UnicodeDecodeError:
        return refusal(request, 400, "The query string is not valid UTF-8.")
    if _PATH_CONTROLS.search(path) or b"\x00" in decoded_query:
        return refusal(request, 400, "The URL contains a NUL byte or a control character.")
    return None


def _check_length(request):
    declared = request.META.get("CONTENT_LENGTH") or ""
    if not declared:
        return None
    if not declared.isascii() or not declared.isdigit():
        return refusal(request, 400, "Content-Length must be a number of bytes.")
    limit = request_max_bytes() if request.content_type == MULTIPART else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and int(declared) > limit:
        return too_large(request)
    return None


def _has_nul(fields, files):
    for key, values in fields.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    for key, uploads in files.lists():
        if "\x00" in key or any("\x00" in (upload.name or "") for upload in uploads):
            return True
    return False


class HostileInputMiddleware:
    """First in MIDDLEWARE: refuses hostile URLs, headers and bodies before anything reads them (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = _check_headers(request) or _check_url(request) or _check_length(request)
        return refused or self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Read a form body here (CSRF and the view would read it next) and refuse it if it is hostile."""
        if request.method != "POST" or request.content_type not in FORM_TYPES:
            return None
        try:
            fields, files = request.POST, request.FILES
        except RequestDataTooBig:
            return too_large(request)
        except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            return refusal(request, 400, "The form could not be read.")
        if getattr(request, "upload_too_large", False):
            return too_large(request)
        if _has_nul(fields, files):
            return refusal(request, 400, "The form contains a NUL byte.")
        return None
