"""The writes of surveillance: a run of each sync, leaving its report (SyncRun); one run of each kind at a time."""

from django.utils import timezone

from .cqc_sync import sync_cqc
from .models import SyncRun
from .ods_sync import sync_ods
from .runs import AlreadyRunning, finish_run, only_one, start_run


def _refused(kind, exc):
    """The report of a run that did not start because another was running."""
    now = timezone.now()
    return finish_run(start_run(kind, now=now), error=str(exc), now=now)


def sync_run_cqc(*, full=False, actor=None):
    """Sync CQC ratings from the CQC API (incremental, or ``full``: every known practice's location)."""
    try:
        with only_one("CQC"):
            return sync_cqc(full=full, actor=actor)
    except AlreadyRunning as exc:
        return _refused(SyncRun.Kind.CQC_FULL if full else SyncRun.Kind.CQC, exc)


def sync_run_ods(*, actor=None, url=None):
    """Sync practices from the ODS epraccur file at ODS_EPRACCUR_URL (or ``url``)."""
    try:
        with only_one("ODS"):
            return sync_ods(actor=actor, url=url)
    except AlreadyRunning as exc:
        return _refused(SyncRun.Kind.ODS, exc)
