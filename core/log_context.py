"""The part of the log context that follows work into the Celery tasks it starts: the request's id and the user's.

django-structlog puts the context current at publishing into each task message. A job that waited in the outbox
(the broker was down) is published later by the relay, outside the request that wanted it; so the outbox keeps
``current()`` with the job and publishes it inside ``restored(...)``, and the task's log lines still carry the
request's id.
"""

import contextlib

import structlog

CARRIED = ("request_id", "correlation_id", "user_id")


def current():
    """The carried keys bound now (none outside a request or task)."""
    context = structlog.contextvars.get_contextvars()
    return {key: context[key] for key in CARRIED if context.get(key) is not None}


def restored(context):
    """Bind ``context`` (from ``current()``) for the duration of a ``with`` block; the earlier values come back."""
    return structlog.contextvars.bound_contextvars(**context) if context else contextlib.nullcontext()
