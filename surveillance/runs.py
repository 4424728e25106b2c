"""Starting and finishing a run report (SyncRun), one run of a kind at a time."""

import contextlib

from django.core.cache import cache

from .models import SyncRun


def start_run(kind, *, now, source=""):
    return SyncRun.objects.create(kind=kind, started_at=now, source=source[:500])


def finish_run(run, *, now, failures=(), error=""):
    """Close the report: failed if the whole run failed, partial if some items failed, else succeeded."""
    run.failures = list(failures)
    run.failed = len(run.failures)
    run.error = error
    run.finished_at = now
    if error:
        run.outcome = SyncRun.Outcome.FAILED
    else:
        run.outcome = SyncRun.Outcome.PARTIAL if run.failures else SyncRun.Outcome.SUCCEEDED
    run.save()
    return run


class AlreadyRunning(Exception):
    pass


@contextlib.contextmanager
def only_one(name, *, hours=6):
    """Hold the shared cache's lock for ``name`` while a sync runs, so that a scheduled run and one started by hand
    do not apply the same records at once; raises AlreadyRunning if another holds it. The lock expires after
    ``hours`` should a worker die holding it."""
    key = f"surveillance:running:{name}"
    if not cache.add(key, "1", timeout=hours * 3600):
        raise AlreadyRunning(f"another {name} sync is running")
    try:
        yield
    finally:
        cache.delete(key)
