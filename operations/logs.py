"""The service's logs: one structured line per request and per Celery task (django-structlog), JSON in production.

Each request's line (``request_finished``, or ``request_failed`` for an unhandled exception) carries a
``request_id``, the signed-in user's id (``user_id``: the primary key, never a username, name or e-mail), the
client's address (``ip``, as ``core.client_address`` reads it; ``LOG_CLIENT_ADDRESS=false`` leaves it out), the
method, the path with link tokens masked and the query string's names only (``request``), the view, the status
``code`` and ``duration_ms``. django-structlog's Celery integration puts the request's ``request_id`` and
``user_id`` in the headers of every task the request publishes, so the task's line (``task_succeeded`` or
``task_failed``, with ``task``, ``task_id`` and ``duration_ms``) carries the same ``request_id``. A job kept in
the outbox while the broker was down is published later inside the context it was queued in (core/log_context.py),
so its task line carries the queuing request's id too.

``keep_personal_data_out`` runs last on every record, ours and other libraries' alike: it drops keys that would
name a person and masks e-mail addresses, NHS numbers, the values of PostgreSQL's ``DETAIL: Key (...)=(...)`` and
the secret part of link-token paths in whatever text remains. The access log of confidential reads is not here:
it stays in the database (``core/audit.py``).

Settings: ``resilience/settings/logs.py``; the runbook: docs/operations.md.
"""

import logging
import re
import time
from urllib.parse import parse_qsl

import structlog
from django.conf import settings
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django_structlog import signals as request_signals
from django_structlog.celery import signals as task_signals
from django_structlog.middlewares import RequestMiddleware

from core import log_context
from core.client_address import client_address

__all__ = ["FORMATS", "UserIdMiddleware", "formatter", "keep_personal_data_out", "processors", "request_label",
           "scrub_text"]

FORMATS = ("json", "console")

# Keys that would name a person: never written, whoever binds them.
PERSONAL_KEYS = frozenset({
    "username", "user_name", "user_email", "email", "e_mail", "first_name", "last_name", "full_name",
    "display_name", "nhs_number", "user_agent", "password", "body", "cookies", "cookie",
})
# Ids and timestamps are left as they are (a UUID's digits could look like an NHS number).
_UNTOUCHED = frozenset({"timestamp", "level", "logger", "code", "duration_ms"})

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
NHS_NUMBER = re.compile(r"(?<![\w-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w-])")
# PostgreSQL's integrity errors quote the row's values: "DETAIL:  Key (email)=(someone@example.org) already exists."
PG_DETAIL_VALUES = re.compile(r"(\bKey \([^)]*\)=\()(.*?)(\)( already exists| is not present| conflicts)?)",
                              re.IGNORECASE)
# The secret part of the links that carry one: password reset, invitation, calendar feed, questionnaire answer.
TOKEN_PATHS = re.compile(r"(/password/reset/)(?!sent/|done/)[^/\s\"'?]+/[^/\s\"'?]+"
                         r"|(/invitations/accept/)[^/\s\"'?]+"
                         r"|(/calendar/feed/)[^/\s\"'?]+?(?=\.ics)"
                         r"|(/answer/)[^/\s\"'?]+")
# URL keyword arguments whose value is a secret: masked in the request's path.
SECRET_URL_KWARGS = frozenset({"token", "uidb64", "key", "secret", "code"})


def _token_path(match):
    prefix = next(group for group in match.groups() if group)
    return prefix + ("[token]/[token]" if prefix == "/password/reset/" else "[token]")


def scrub_text(text):
    """``text`` with e-mail addresses, NHS numbers, quoted database values and link tokens masked."""
    if not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = PG_DETAIL_VALUES.sub(lambda m: m.group(1) + "[value]" + m.group(3), text)
    text = TOKEN_PATHS.sub(_token_path, text)
    return NHS_NUMBER.sub("[number]", text)


def _scrub(value, depth=0):
    if isinstance(value, str):
        return scrub_text(value)
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, depth + 1) for k, v in value.items() if str(k).lower() not in PERSONAL_KEYS}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, depth + 1) for v in value]
    return value


def keep_personal_data_out(_logger, _method, event_dict):
    """The last processor before rendering: drop personal keys, mask personal data in every other text value."""
    for key in list(event_dict):
        if key.startswith("_") or key in _UNTOUCHED or key.endswith("_id"):
            continue
        if key.lower() in PERSONAL_KEYS:
            del event_dict[key]
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def render_console(_logger, _method, event_dict):
    """One readable line: time, level, logger and message, then the bound fields; a traceback on the lines below.

    Other libraries' records (Celery's "Task ...[id] succeeded in 0.01s: result") end with their own message."""
    timestamp = event_dict.pop("timestamp", "")
    level = str(event_dict.pop("level", "")).upper()
    name = event_dict.pop("logger", "")
    event = event_dict.pop("event", "")
    exception = event_dict.pop("exception", None)
    fields = " ".join(f"{key}={value}" for key, value in event_dict.items())
    line = f"{timestamp} {level:<7} {name}: {event}" + (f"  {fields}" if fields else "")
    return f"{line}\n{exception}" if exception else line


def _common(foreign, fmt):
    chain = [structlog.contextvars.merge_contextvars] if not foreign or fmt == "json" else []
    return [*chain,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.UnicodeDecoder(),
            keep_personal_data_out]


def processors():
    """structlog's own chain (``structlog.configure``): the record is then handed to the logging formatter."""
    return [structlog.stdlib.filter_by_level, structlog.stdlib.PositionalArgumentsFormatter(),
            *_common(foreign=False, fmt="json"), structlog.stdlib.ProcessorFormatter.wrap_for_formatter]


def formatter(fmt="console"):
    """The logging formatter for ``LOG_FORMAT`` (``LOGGING["formatters"][...]["()"]``): JSON, one object a line,
    or a readable console line. Records of other libraries (Django, Celery) pass the same filter."""
    renderer = structlog.processors.JSONRenderer(sort_keys=False) if fmt == "json" else render_console
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_common(foreign=True, fmt=fmt),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer])


# The request's fields ---------------------------------------------------------------------------------------------

def _masked_path(request):
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and str(value):
                path = path.replace(str(value), "[token]")
    return path[:300]


def request_label(request):
    """``METHOD /path?name&name``: link tokens masked, the query string's names without their values."""
    label = f"{request.method} {_masked_path(request)}"
    names = [name for name, _value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)]
    return f"{label}?{'&'.join(dict.fromkeys(names))}"[:400] if names else label


def _view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


class UserIdMiddleware:
    """Binds the signed-in user's id as soon as AuthenticationMiddleware has set the user (django-structlog's own
    middleware comes first, before the user is known), so that the tasks the view publishes carry it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        RequestMiddleware.bind_user_id(request)  # leaves the session's "accessed" flag as it was
        return self.get_response(request)


@receiver(request_signals.bind_extra_request_metadata)
def _request_started(request, logger, log_kwargs, **kwargs):
    request._log_started = time.monotonic()
    log_kwargs.pop("user_agent", None)
    # request_started is a DEBUG line: the path is resolved (to mask link tokens) only when it is written.
    detailed = logging.getLogger(RequestMiddleware.__module__).isEnabledFor(logging.DEBUG)
    log_kwargs["request"] = request_label(request) if detailed else request.method
    if getattr(settings, "LOG_CLIENT_ADDRESS", True):
        structlog.contextvars.bind_contextvars(ip=client_address(request) or None)


def _finished_fields(request, log_kwargs):
    log_kwargs["request"] = request_label(request)
    log_kwargs["view"] = _view_name(request)
    started = getattr(request, "_log_started", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.monotonic() - started) * 1000)


@receiver(request_signals.bind_extra_request_finished_metadata)
def _request_finished(request, logger, response, log_kwargs, **kwargs):
    _finished_fields(request, log_kwargs)


@receiver(request_signals.bind_extra_request_failed_metadata)
def _request_failed(request, logger, exception, log_kwargs, **kwargs):
    _finished_fields(request, log_kwargs)


# The task's fields ------------------------------------------------------------------------------------------------

# What travels from the publishing request (or task) to the task in its message headers; nothing else.
TASK_CONTEXT = (*log_context.CARRIED, "parent_task_id")


@receiver(task_signals.modify_context_before_task_publish)
def _task_context(context, **kwargs):
    for key in [key for key in context if key not in TASK_CONTEXT]:
        del context[key]


@receiver(task_signals.bind_extra_task_metadata)
def _task_started(task, logger, **kwargs):
    structlog.contextvars.bind_contextvars(task=task.name)
