"""Production settings: every secret from the environment, no defaults for them.

Importing this module without SECRET_KEY or DATABASE_URL raises ImproperlyConfigured, so a
misconfigured server refuses to start rather than run with a demo key or a SQLite file.
"""

from .base import *  # noqa: F401,F403
from .base import LOGGING, connection_settings, env
from .logs import log_format

SECRET_KEY = env("SECRET_KEY")
DATABASES = {"default": connection_settings(env.db("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=True)
# Logs: one JSON object a line unless LOG_FORMAT=console (resilience/settings/logs.py).
LOG_FORMAT = log_format(env, "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
