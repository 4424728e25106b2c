"""Settings of the service's health (docs/operations.md), applied at the end of base.py by ``configure``.

``/health/`` is the liveness check (dashboards.views.health); ``/health/ready/`` the readiness check
(operations/health.py, on django-health-check): PostgreSQL, Redis, the Celery workers' heartbeat, the beat
schedule, free disk for stored files and the migrations state.
"""


def configure(s, env):
    """Add this part's settings to the settings module's namespace ``s`` (its globals), reading ``env``."""
    # The database connection (an alias of DATABASES) the readiness check opens.
    s["HEALTH_DATABASE_ALIAS"] = env("HEALTH_DATABASE_ALIAS", default="default")
    # Stored files (MEDIA_ROOT): readiness fails below this much free space.
    s["HEALTH_DISK_MIN_FREE_MB"] = env.int("HEALTH_DISK_MIN_FREE_MB", default=1024)
    # A worker (and beat) writes its heartbeat to Redis every quarter of this; older than this it counts as gone.
    s["HEALTH_HEARTBEAT_SECONDS"] = env.int("HEALTH_HEARTBEAT_SECONDS", default=60)
    # A beat job is late when it has not started by its next due time (from its last start) plus this margin.
    s["HEALTH_SCHEDULE_MARGIN_MINUTES"] = env.int("HEALTH_SCHEDULE_MARGIN_MINUTES", default=60)
    # The beat entries (names in CELERY_BEAT_SCHEDULE) the readiness check watches; empty: all of them.
    s["HEALTH_SCHEDULE_JOBS"] = env.list("HEALTH_SCHEDULE_JOBS", default=[])
    # Workers and beat import operations.health at start-up: its signal handlers write the heartbeats and record
    # when each beat job starts.
    s["CELERY_IMPORTS"] = [*s.get("CELERY_IMPORTS", ()), "operations.health"]
    # Beat answers `celery inspect ping -d celerybeat@<host>` while its scheduler ticks (docker-compose.yml's
    # health check of beat; Celery 5.7).
    s["CELERY_BEAT_ENABLE_REMOTE_CONTROL"] = env.bool("CELERY_BEAT_ENABLE_REMOTE_CONTROL", default=True)
