"""Settings read from the environment (django-environ), with secure defaults.

DATABASE_URL defaults to a SQLite file so that ``make demo`` needs no services; the test suite
refuses to run on anything but PostgreSQL (see tests/conftest.py).
"""

from pathlib import Path

import environ
import nhsuk_frontend_jinja
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

# Only for local demo and tests; production.py demands a real one.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-demo-only-not-for-production")
# Earlier keys still accepted (sessions, password-reset links) while a new SECRET_KEY takes over (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies of our own stand in front of the application (each appends to X-Forwarded-For). One
# setting for the sign-in lockout, the API throttle and the logs: they all read resilience.client_address. With 0
# (the default) X-Forwarded-For is ignored, so a client cannot choose its own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_filters",
    "django_htmx",
    "rest_framework",
    # Bottom to top (docs/architecture.md). The core's app label stays "resilience": AUTH_USER_MODEL, table names
    # and migration history are those of the project's first release.
    "core",
    "practices",
    "contracts",
    "forwardplans",
    "casework",
    "concerns",
    "surveillance",
    "monitoring",
    "contractual",
    "agreements",
    "delivery",
    "finance",
    "evaluation",
    "returns",
    "levels",
    "events",
    "people",
    "dashboards",
    "api",
    "demo",
    "operations",
]

MIDDLEWARE = [
    # First: hostile URLs, headers and bodies are refused with a 4xx before anything reads them.
    "core.hostile_input.HostileInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.security.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.sessions.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, except that the signed-in user is kept for the session while unchanged (core/auth.py).
    "core.auth.AuthenticationMiddleware",
    # Logs every read of confidential content, once per request, after the response is made (core/audit.py):
    # it wraps every view, the API's and the calendar feed's included, and reads the user only at the end.
    "core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.security.TwoFactorMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.faults.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "resilience.urls"
WSGI_APPLICATION = "resilience.wsgi.application"

TEMPLATES = [
    {
        # Pages: Jinja2 with the NHS.UK design-system macros (nhsuk-frontend-jinja).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [
            BASE_DIR / "templates",
            Path(nhsuk_frontend_jinja.__file__).parent / "templates",
        ],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "resilience.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # Django admin and DRF's browsable API keep their own templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'demo.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)


def connection_settings(database):
    """Settings of the application's PostgreSQL sessions. PostgreSQL's JIT compiler pays off for long analytical
    queries, not for a web page's short ones: it once spent 137 ms compiling a 2 ms query of the practice home page,
    so it is off. And the planner's cost of a random page read (DATABASE_RANDOM_PAGE_COST, default 1.1 where
    PostgreSQL's own default is 4, which assumes spinning disks): the data set lives on SSD and mostly in memory,
    and at 4 the planner scanned every contract ever made rather than read an organisation's through its index, so
    pages grew slower with the years of records."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        cost = env.float("DATABASE_RANDOM_PAGE_COST", default=1.1)
        options["options"] = f"{options.get('options', '')} -c jit=off -c random_page_cost={cost:g}".strip()
    return database


connection_settings(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "resilience.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lock-out first: a locked-out login never reaches the others
    "rules.permissions.ObjectPermissionBackend",
    "core.auth.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.password_validation.NotCurrentPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded evidence and generated PDFs live outside the web root and are served only through views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Uploads are refused at the limit while they stream in (core/upload_handlers.py, core/hostile_input.py):
# one evidence file, and a multipart body of that plus its form and envelope; any other body (a form, the API's
# JSON) at most DATA_UPLOAD_MAX_MEMORY_SIZE. Over a limit is answered 413. A reverse proxy in front of the
# application should refuse bodies over UPLOAD_MAX_REQUEST_BYTES too.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=EVIDENCE_MAX_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "core.upload_handlers.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# WhiteNoise serves static files from the source folders (no collectstatic) when debugging, and in the demo, which
# runs with DEBUG off so that it shows the service's own error pages (Makefile: demo).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
# Serving from the source folders, WhiteNoise looks at them on each request: with the sizes it read at start-up, a file
# edited while the server runs would be sent cut short (a script that no longer parses).
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS

# Celery on Redis. Without REDIS_URL (the zero-set-up demo) tasks run in-process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# One cache for every worker process, so that the API's per-token limits hold across them: Redis when REDIS_URL is
# set; the zero-set-up demo (one process) keeps it in memory. Its clear() removes only its own keys: the Celery broker
# shares the Redis database.
CACHES = {
    "default": {"BACKEND": "core.shared_cache.PrefixedRedisCache", "LOCATION": REDIS_URL,
                "KEY_PREFIX": "resilience"} if REDIS_URL else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# Background jobs (forwardplans/tasks.py). The queue name and Redis visibility timeout come from the
# environment so a test worker can use its own queue and redeliver a killed worker's task quickly.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 5,
}
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {"task": "forwardplans.tasks.reminder_sweep", "schedule": crontab(hour=7, minute=0)},
    "weekly-digest": {"task": "forwardplans.tasks.weekly_digest",
                      "schedule": crontab(day_of_week="mon", hour=7, minute=30)},
    "relay-outbox": {"task": "forwardplans.tasks.relay_outbox", "schedule": 60.0},
}
# Surveillance (surveillance/): keeping CQC ratings and the ODS practice file current from their sources.
CQC_API_BASE_URL = env("CQC_API_BASE_URL", default="https://api.service.cqc.org.uk/public/v1")
CQC_API_KEY = env("CQC_API_KEY", default="")  # sent as the Ocp-Apim-Subscription-Key header
ODS_EPRACCUR_URL = env("ODS_EPRACCUR_URL", default="")  # no default source: the operator sets it
SYNC_HTTP_TIMEOUT = env.float("SYNC_HTTP_TIMEOUT", default=30.0)  # seconds for one request
SYNC_HTTP_ATTEMPTS = env.int("SYNC_HTTP_ATTEMPTS", default=3)  # tries of one request within a run
SYNC_RETRY_AFTER_MAX = env.float("SYNC_RETRY_AFTER_MAX", default=60.0)  # longest Retry-After wait honoured
SYNC_RETRY_LIMIT = env.int("SYNC_RETRY_LIMIT", default=5)  # runs that try a failed location before giving up
SYNC_CQC_FIRST_WINDOW_DAYS = env.int("SYNC_CQC_FIRST_WINDOW_DAYS", default=7)  # first run's look-back
# Alerts are raised for changes dated within this many days (an import of old history raises none).
ALERT_RECENT_DAYS = env.int("ALERT_RECENT_DAYS", default=60)
# The special-measures offer (contracts.Enquiry): working days for the practice to reply before "no reply".
OFFER_REPLY_WORKING_DAYS = env.int("OFFER_REPLY_WORKING_DAYS", default=20)
CELERY_BEAT_SCHEDULE |= {
    "sync-cqc": {"task": "surveillance.tasks.sync_cqc", "schedule": crontab(hour=5, minute=15)},
    "sync-ods": {"task": "surveillance.tasks.sync_ods", "schedule": crontab(day_of_week="sun", hour=4, minute=45)},
}
# PDFs: a test-only delay (seconds) before rendering, so a test can kill a worker mid-render.
PDF_RENDER_TEST_DELAY = env.float("PDF_RENDER_TEST_DELAY", default=0.0)
# Absolute links in e-mails and calendar entries.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Practice Resilience <no-reply@practice-resilience.local>")
# E-mail through GOV.UK Notify instead of SMTP: set NOTIFY_API_KEY (secret) and the id of a Notify e-mail template
# whose subject is ((subject)) and body ((body)). The same jobs, outbox and retries send either way.
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_TEMPLATE_ID = env("NOTIFY_TEMPLATE_ID", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
if NOTIFY_API_KEY:
    EMAIL_BACKEND = "core.notify.NotifyEmailBackend"

# People and sign-in (people/). An invitation link works for INVITATION_DAYS; a password-reset link for
# PASSWORD_RESET_TIMEOUT seconds, once.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_SECONDS", default=60 * 60)
# Single sign-on with OpenID Connect: a JSON list of providers, each {"name", "label", "issuer", "client_id", and
# "client_secret" (secret) or "private_key" (a PEM private key for private_key_jwt, secret) with its "key_id" or,
# for Entra ID, "certificate_thumbprint"; optional "scopes", "token_endpoint_auth_method" (client_secret_basic or
# client_secret_post), "discovery_url", "email_claim" (default "email") and "email_verified_by_provider" (default
# false: only for a provider whose addresses are its own mailboxes, as NHSmail's)} (README, "Signing in with an
# NHS account").
OIDC_PROVIDERS = env.json("OIDC_PROVIDERS", default=[])
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # REST API (api/): hashed tokens first so that a missing token answers 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON only (lists add CSV and XLSX); the browsable API is left out: /api/docs/ is the API's page.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413) and API_JSON_MAX_DEPTH levels of nesting (400).
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env("API_THROTTLE_RATE", default="2000/hour")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # the throttle reads resilience.client_address, which uses the same count
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
}
# API tokens expire: after API_TOKEN_DAYS unless their maker chooses (up to API_TOKEN_MAX_DAYS).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=366)
# /api/docs/ and the schema are for signed-in users (a session or a token) unless this is set.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS = {
    "TITLE": "Practice Resilience API",
    "DESCRIPTION": "Reporting for NHS England and forward-plan RAG updates for practices and advisers. "
                   "Authenticate with `Authorization: Token <token>` (make one at /accounts/api-tokens/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs views of api/urls.py use api.docs.DocsReaders (API_DOCS_PUBLIC).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RatingEnum": "practices.ratings.Rating",
        "PracticeStatusEnum": "practices.models.Practice.Status",
        "ContractStatusEnum": "api.serializers.CONTRACT_STATUS_CHOICES",
        "KeyQuestionEnum": "forwardplans.vocabulary.KEY_QUESTION_CHOICES",
        "EnquiryStatusEnum": "contracts.enquiry_models.Enquiry.Status",
        "LevelEnum": "levels.models.Level",
        "LevelSourceEnum": "levels.models.Source",
        "EnquirySourceEnum": "contracts.enquiry_models.Enquiry.Source",
    },
    # Swagger UI and Redoc from the drf-spectacular-sidecar package: served locally, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Documents of ended contracts are deleted this many years after the contract ended (apply_retention).
RETENTION_YEARS = env.int("RETENTION_YEARS", default=6)

# Demo accounts' password (seed_demo); documented in README.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="resilience-demo-2026")


# Security and sessions -----------------------------------------------------------------
from datetime import timedelta  # noqa: E402

from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += ["axes", "csp", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # older hashes are upgraded at the next login
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Sessions end after 30 minutes without a request (sliding), and when the browser closes. The session is written
# again at most once a minute (resilience/sessions.py), not on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
# The page warns this long before the session ends (a dialog offering to stay signed in), and keeps what is being
# typed in a report section as the writer's draft on the server this often.
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=120)
AUTOSAVE_SECONDS = env.int("AUTOSAVE_SECONDS", default=30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions are read from the cache (Redis when REDIS_URL is set) and written through to the database, which keeps
# them when Redis restarts: a page costs a Redis read, not a query (core/session_store.py). Signing out and
# deactivation delete both copies; a cached copy is read again from the database after SESSION_CACHE_SECONDS.
SESSION_ENGINE = "core.session_store"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)
# django-axes (resilience/lockout.py): 5 failed logins for the same username from the same address lock that pair
# out for 30 minutes (an attacker elsewhere cannot lock the user out), and 20 failures from one address, whatever
# the usernames (password spraying), lock that address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "core.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
AXES_LOCKOUT_TEMPLATE = "accounts/locked.jinja"
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT  # used only if django-ipware is installed; the callable comes first
# TOTP two-factor authentication with recovery codes, required for RCGP, commissioner and NHS England roles when
# switched on (on by default in production).
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=False)
OTP_TOTP_ISSUER = "Practice Resilience"
# Content Security Policy: nothing inline except the one nonce'd script of the NHS.UK page template.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}


# Running it as a live service (docs/operations.md): health and readiness, metrics, logs and error reporting,
# scheduled backups. Each part keeps its settings in its own module, which adds them here.
from . import backups as _backups  # noqa: E402
from . import health as _health  # noqa: E402
from . import logs as _logs  # noqa: E402
from . import metrics as _metrics  # noqa: E402

for _part in (_health, _metrics, _logs, _backups):
    _part.configure(globals(), env)
