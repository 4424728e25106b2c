"""The nightly backup (docs/operations.md, "Backups"): beat starts ``operations.tasks.nightly_backup`` at BACKUP_TIME.

One run writes the database (pg_dump) and every stored file into one archive in BACKUP_DIR (core.backup), named
for its night: ``resilience-nightly-YYYY-MM-DD.tar.gz``. The archive is written under a hidden ``.partial`` name,
verified against its manifest (every listed member present with its sha256), and only then given its name: an
archive with a nightly name has been verified. The BACKUP_KEEP newest nightly archives are kept and older ones
deleted (archives of ``make backup``, named ``resilience-backup-...``, are left alone).

- Once per night: a run finding that night's archive writes nothing (a retried or redelivered task).
- One at a time: a PostgreSQL advisory lock (``LOCK_KEY``) held for the run, across every worker and host; a run
  that finds it taken does nothing. A worker that dies releases it with its connection.
- Recorded: each run that gets the lock writes ``last-backup.json`` in the folder (``STATUS_FILE``; format in
  docs/operations.md) and the same record in the shared cache (``CACHE_KEY``), which still says what happened
  when the folder cannot be written. ``last_status()`` reads the newer of the two: the readiness check and the
  metrics use it.
- Told: a failed run (pg_dump failed, the folder cannot be written, verification failed) tells every RCGP admin in
  the app, once per night (forwardplans.notifications.notify_job_failure), and the task fails.
"""

import contextlib
import datetime
import json
import logging
import os
import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone

from core.backup import BackupInvalid, backup
from core.errors import DomainError
from forwardplans.job_models import ReminderItem
from forwardplans.notifications import notify_job_failure

log = logging.getLogger(__name__)

PREFIX = "resilience-nightly-"
NIGHTLY = re.compile(r"^resilience-nightly-(\d{4}-\d{2}-\d{2})\.tar\.gz$")
STATUS_FILE = "last-backup.json"
CACHE_KEY = "operations:last-backup"
LOCK_KEY = 2_500_500_025  # pg_advisory_lock key of the nightly backup: any constant no other code uses
# The failed-job notification's item: the notification path has no backup kind of its own (adding one needs a
# migration); the item id is minus the night's YYYYMMDD, so it never meets a real PDF's id.
ALERT_ITEM = ReminderItem.PDF_FAILURE
ERROR_LIMIT = 500


class BackupFailed(Exception):
    """The nightly backup failed; the status says why and RCGP admins have been told."""


def archive_name(night):
    return f"{PREFIX}{night.isoformat()}.tar.gz"


def nightly_archives(folder):
    """[(night, path)] of the verified nightly archives in ``folder``, newest first."""
    found = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for path in Path(folder).iterdir():
            match = NIGHTLY.match(path.name)
            if match and path.is_file():
                found.append((datetime.date.fromisoformat(match.group(1)), path))
    return sorted(found, reverse=True)


@contextlib.contextmanager
def _single_run():
    """Hold the backup's advisory lock while the block runs; yields False (and holds nothing) if it is taken."""
    if connection.vendor != "postgresql":
        raise DomainError("Backups need PostgreSQL (DATABASE_URL); the SQLite demo database is a single file.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _read_status_file(folder):
    try:
        status = json.loads((Path(folder) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) else None


def _read_cached():
    try:
        status = cache.get(CACHE_KEY)
    except Exception:  # the cache (Redis) down: the file still answers
        log.warning("could not read the backup status from the cache", exc_info=True)
        return None
    return status if isinstance(status, dict) else None


def last_status(folder=None):
    """The newest record of a nightly backup run (the status file in ``folder``, default BACKUP_DIR, or the shared
    cache's copy, whichever finished later), or None if no run has been recorded."""
    records = [r for r in (_read_status_file(folder or settings.BACKUP_DIR), _read_cached()) if r]
    return max(records, key=lambda r: r.get("finished_at") or "", default=None)


def _record(folder, status):
    """Write the status file (atomically) and the cache's copy; neither failing stops the other."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        temporary = Path(folder) / f".{STATUS_FILE}.tmp"
        temporary.write_text(json.dumps(status, indent=2))
        os.replace(temporary, Path(folder) / STATUS_FILE)
    except OSError:
        log.error("could not write the backup status file in %s", folder, exc_info=True)
    try:
        cache.set(CACHE_KEY, status, timeout=None)
    except Exception:  # Redis down: the file is the record
        log.warning("could not keep the backup status in the cache", exc_info=True)


def _prune(folder, keep):
    """Delete the nightly archives beyond the ``keep`` newest; returns (kept names, deleted names)."""
    archives = nightly_archives(folder)
    for _night, path in archives[keep:]:
        path.unlink(missing_ok=True)
    return [p.name for _n, p in archives[:keep]], [p.name for _n, p in archives[keep:]]


def _remove_partials(folder):
    """Archives a killed run left half-written (only one run holds the lock, so any there now is stale)."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for path in Path(folder).glob(f".{PREFIX}*.partial"):
            path.unlink(missing_ok=True)


def _describe(exc, folder):
    if isinstance(exc, subprocess.CalledProcessError):
        said = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        return f"pg_dump failed (exit {exc.returncode}): {said[-1] if said else 'no message'}"
    if isinstance(exc, BackupInvalid):
        return f"The archive failed verification: {exc}"
    if isinstance(exc, OSError):
        return f"The backup folder {folder} could not be written: {type(exc).__name__}: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


def _alert(night, error, last_ok):
    """Tell RCGP admins in the app, once per night (the claim's key is the night)."""
    since = (f"The last good backup is {last_ok['archive']} ({last_ok['finished_at'][:16].replace('T', ' ')} UTC)."
             if last_ok else "There is no good backup on record.")
    try:
        notify_job_failure(
            title=f"The nightly backup of {night.day} {night:%B %Y} failed",
            body=f"{error}\n{since} See the runbook (docs/operations.md), “Backup failed”.",
            link="", item_type=ALERT_ITEM, item_id=-int(night.strftime("%Y%m%d")))
    except Exception:  # the database down: the status and the task's failure still tell
        log.exception("could not tell RCGP admins that the backup failed")


def run(night=None, *, folder=None, keep=None, task_id=None):
    """Back up for ``night`` (default: today, local time) into ``folder`` (default BACKUP_DIR), keep the ``keep``
    newest nightly archives (default BACKUP_KEEP). Returns the status recorded (``outcome``: "written", or
    "exists" when that night's archive was there already), or {"outcome": "busy"} when another run holds the lock.
    Raises BackupFailed (after recording and telling) when the backup fails."""
    night = night or timezone.localdate()
    folder = Path(folder or settings.BACKUP_DIR)
    keep = keep or settings.BACKUP_KEEP
    started = timezone.now()
    status = {"night": night.isoformat(), "folder": str(folder), "task_id": task_id, "started_at": started.isoformat(),
              "archive": None, "size": None, "error": None, "kept": [], "deleted": []}
    previous = last_status(folder)
    partial = folder / f".{archive_name(night)}.partial"
    try:
        with _single_run() as held:
            if not held:
                log.info("backup for %s not started: another backup is running", night)
                return {"night": night.isoformat(), "outcome": "busy"}
            final = folder / archive_name(night)
            if final.is_file():
                status["outcome"] = "exists"
            else:
                _remove_partials(folder)
                backup(folder, name=partial.name)  # verified once written
                os.replace(partial, final)
                status["outcome"] = "written"
            status["archive"], status["size"] = final.name, final.stat().st_size
            status["kept"], status["deleted"] = _prune(folder, keep)
    except (subprocess.CalledProcessError, OSError, DomainError, DatabaseError) as exc:
        error = _describe(exc, folder)[:ERROR_LIMIT]
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        last_ok = (previous or {}).get("last_ok")
        status |= {"ok": False, "outcome": "failed", "error": error, "last_ok": last_ok,
                   "finished_at": timezone.now().isoformat()}
        _record(folder, status)
        log.error("backup for %s failed: %s", night, error)
        _alert(night, error, last_ok)
        raise BackupFailed(error) from None
    status |= {"ok": True, "finished_at": timezone.now().isoformat()}
    status["last_ok"] = {key: status[key] for key in ("night", "archive", "size", "finished_at")}
    _record(folder, status)
    log.info("backup for %s %s: %s (%s bytes); %d kept, %d deleted", night, status["outcome"], status["archive"],
             status["size"], len(status["kept"]), len(status["deleted"]))
    return status
