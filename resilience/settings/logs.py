"""Settings of the service's logs and error reporting (docs/operations.md), applied at the end of base.py by
``configure``.

- ``LOG_LEVEL`` (INFO, in base.py): the root logger's level.
- ``LOG_FORMAT``: ``console`` (readable lines; the default here, for the demo and development) or ``json`` (one
  JSON object a line; production.py's default).
- ``LOG_CLIENT_ADDRESS`` (true): write the client's address (``core.client_address``, which honours
  ``TRUSTED_PROXY_COUNT``) on each request's line, to investigate attacks; false leaves it out.
- ``SENTRY_DSN`` (unset: no error reporting; a secret), ``SENTRY_ENVIRONMENT`` (production),
  ``SENTRY_RELEASE`` (practice-resilience@<installed version>).
"""

import logging
from importlib import metadata

import structlog
from django.core.exceptions import ImproperlyConfigured

from operations import error_reporting, logs


def log_format(env, default):
    """``LOG_FORMAT`` (json or console), or ``default``."""
    value = env("LOG_FORMAT", default=default).strip().lower()
    if value not in logs.FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(logs.FORMATS)}, not {value!r}")
    return value


def _release():
    try:
        return f"practice-resilience@{metadata.version('practice-resilience')}"
    except metadata.PackageNotFoundError:
        return None


def configure(s, env):
    """Add this part's settings to the settings module's namespace ``s`` (its globals), reading ``env``."""
    s["INSTALLED_APPS"].append("django_structlog")
    # First, so that every request gets its line, those that a middleware further in refuses included; the user
    # id is read when the response is ready.
    s["MIDDLEWARE"].insert(0, "django_structlog.middlewares.RequestMiddleware")
    authentication = s["MIDDLEWARE"].index("core.auth.AuthenticationMiddleware")
    s["MIDDLEWARE"].insert(authentication + 1, "operations.logs.UserIdMiddleware")
    s["DJANGO_STRUCTLOG_CELERY_ENABLED"] = True  # the request id travels in the headers of the tasks it publishes
    s["DJANGO_STRUCTLOG_IP_LOGGING_ENABLED"] = False  # operations.logs binds core.client_address's instead
    s["DJANGO_STRUCTLOG_USER_ID_FIELD"] = "pk"
    # One line per request (request_finished/request_failed) and per task (task_succeeded/task_failed); the
    # lines at the start and at publishing are for DEBUG.
    s["DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL"] = logging.DEBUG
    s["DJANGO_STRUCTLOG_CELERY_TASK_START_LOG_LEVEL"] = logging.DEBUG
    s["LOG_CLIENT_ADDRESS"] = env.bool("LOG_CLIENT_ADDRESS", default=True)
    s["LOG_FORMAT"] = log_format(env, "console")

    config = s["LOGGING"]
    config.setdefault("formatters", {}).update(
        {fmt: {"()": "operations.logs.formatter", "fmt": fmt} for fmt in logs.FORMATS})
    config["handlers"]["console"]["formatter"] = s["LOG_FORMAT"]
    # django.request repeats each 4xx and 5xx that the request's own line already records (with its traceback).
    config.setdefault("loggers", {})["django.request"] = {"level": "CRITICAL"}
    structlog.configure(processors=logs.processors(), logger_factory=structlog.stdlib.LoggerFactory(),
                        wrapper_class=structlog.stdlib.BoundLogger, cache_logger_on_first_use=True)

    s["SENTRY_DSN"] = env("SENTRY_DSN", default="")
    s["SENTRY_ENVIRONMENT"] = env("SENTRY_ENVIRONMENT", default="production")
    s["SENTRY_RELEASE"] = env("SENTRY_RELEASE", default=None) or _release()
    if s["SENTRY_DSN"]:
        error_reporting.init(s["SENTRY_DSN"], environment=s["SENTRY_ENVIRONMENT"], release=s["SENTRY_RELEASE"])
