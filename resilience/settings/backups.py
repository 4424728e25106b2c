"""Settings of the service's backups (docs/operations.md), applied at the end of base.py by ``configure``.

BACKUP_DIR: the folder the nightly backup writes to (mount a network share or an object-store volume there);
BACKUP_KEEP: how many verified nightly archives are kept (older ones are deleted); BACKUP_TIME: when beat starts
the job, HH:MM in CELERY_TIMEZONE (Europe/London; 02:30 exists on both clock-change nights and runs before the
syncs).
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured


def _hour_minute(value):
    try:
        hour, minute = (int(part) for part in value.split(":"))
    except ValueError:
        raise ImproperlyConfigured(f"BACKUP_TIME must be HH:MM (24-hour clock), not {value!r}") from None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ImproperlyConfigured(f"BACKUP_TIME must be HH:MM (24-hour clock), not {value!r}")
    return hour, minute


def configure(s, env):
    """Add this part's settings to the settings module's namespace ``s`` (its globals), reading ``env``."""
    s["BACKUP_DIR"] = Path(env("BACKUP_DIR", default=str(s["BASE_DIR"] / "var" / "backups")))
    s["BACKUP_KEEP"] = env.int("BACKUP_KEEP", default=14)
    if s["BACKUP_KEEP"] < 1:
        raise ImproperlyConfigured("BACKUP_KEEP must be 1 or more: the newest verified backup is always kept")
    s["BACKUP_TIME"] = env("BACKUP_TIME", default="02:30")
    hour, minute = _hour_minute(s["BACKUP_TIME"])
    s["CELERY_BEAT_SCHEDULE"]["nightly-backup"] = {
        "task": "operations.tasks.nightly_backup", "schedule": crontab(hour=hour, minute=minute)}
