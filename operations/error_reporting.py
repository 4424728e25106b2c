"""Unhandled exceptions in the web processes and the Celery workers, sent to a Sentry-compatible service.

Only when ``SENTRY_DSN`` is set (``resilience/settings/logs.py`` calls ``init``): sentry-sdk with its Django and
Celery integrations, told to collect no personal data (``DATA_COLLECTION``, sentry-sdk's successor of
``send_default_pii=False``, and stricter), no local variables and no request bodies. ``before_send`` then takes out
whatever could still carry personal data: request bodies, cookies, headers outside ``SAFE_HEADERS``, the query
string's values, the user's e-mail, username and address (only the id stays), frames' local variables, a task's
arguments, breadcrumbs' data; and masks e-mail addresses, NHS numbers, quoted database values and link tokens in
every text that is left (messages, exception values, URLs, breadcrumbs). Each event is tagged with the log's
``request_id`` or ``task_id``, so that its log lines can be found.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sentry_sdk
import structlog
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import ignore_logger

from .logs import scrub_text

__all__ = ["SAFE_HEADERS", "before_send", "init"]

SAFE_HEADERS = frozenset({"accept", "accept-language", "content-length", "content-type", "host", "hx-request",
                          "user-agent", "x-request-id"})
# django-structlog's own lines repeat the exception the Django and Celery integrations already report.
DUPLICATE_LOGGERS = ("django_structlog.middlewares.request", "django_structlog.celery.receivers")
# What the SDK may collect at all (sentry-sdk's ``data_collection``, which supersedes ``send_default_pii``: this is
# send_default_pii=False and less: no user, cookies, bodies, query values, frame variables or database values).
DATA_COLLECTION = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "allowlist", "terms": sorted(SAFE_HEADERS)}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}
_IDS = ("event_id", "trace_id", "span_id", "parent_span_id", "timestamp", "start_timestamp", "release",
        "environment", "platform", "level", "type", "module", "function", "filename", "abs_path", "in_app")


def init(dsn, environment=None, release=None):
    """Start reporting to ``dsn``; returns the client."""
    for name in DUPLICATE_LOGGERS:
        ignore_logger(name)
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(transaction_style="url"), CeleryIntegration()],
        auto_enabling_integrations=False,  # no Redis, HTTP-client or database breadcrumbs with their arguments
        data_collection=DATA_COLLECTION,  # send_default_pii=False is deprecated (a DeprecationWarning) in 2.75
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=None,  # errors only: no performance tracing
    )
    return sentry_sdk.get_client()


def _query_names(query):
    if isinstance(query, dict):
        query = urlencode(query)
    pairs = parse_qsl(str(query or ""), keep_blank_values=True)
    return "&".join(f"{name}=[Filtered]" for name in dict.fromkeys(name for name, _ in pairs))


def _request(request):
    safe = {}
    if request.get("method"):
        safe["method"] = request["method"]
    if request.get("url"):
        parts = urlsplit(request["url"])
        safe["url"] = scrub_text(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
    if request.get("query_string"):
        safe["query_string"] = _query_names(request["query_string"])
    headers = request.get("headers") or {}
    safe["headers"] = {name: scrub_text(str(value)) for name, value in headers.items()
                       if name.lower() in SAFE_HEADERS}
    return safe  # no data, cookies or env (REMOTE_ADDR)


def _frames(holder):
    for frame in (holder.get("stacktrace") or {}).get("frames") or ():
        frame.pop("vars", None)


def _text(value, key=None):
    """Every string in ``value`` scrubbed, ids and timestamps left alone."""
    if isinstance(value, str):
        return value if key in _IDS else scrub_text(value)
    if isinstance(value, dict):
        return {k: _text(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def before_breadcrumb(crumb, hint):
    crumb.pop("data", None)
    if crumb.get("message"):
        crumb["message"] = scrub_text(str(crumb["message"]))
    return crumb


def before_send(event, hint):
    """The event as it may leave the service: see the module's docstring."""
    if "request" in event:
        event["request"] = _request(event["request"])
    user = event.pop("user", None) or {}
    context = structlog.contextvars.get_contextvars()
    user_id = user.get("id") or context.get("user_id")
    if user_id:
        event["user"] = {"id": str(user_id)}
    tags = event.setdefault("tags", {})
    for key in ("request_id", "task_id"):
        if context.get(key):
            tags[key] = context[key]
    for exception in (event.get("exception") or {}).get("values") or ():
        _frames(exception)
    for thread in (event.get("threads") or {}).get("values") or ():
        _frames(thread)
    extra = event.get("extra") or {}
    job = extra.get("celery-job")
    if isinstance(job, dict):
        extra["celery-job"] = {key: job[key] for key in ("task_name",) if key in job}
    for crumb in (event.get("breadcrumbs") or {}).get("values") or ():
        crumb.pop("data", None)
    return _text(event)
