"""Reads of the sync reports."""

from .access import retry_items_for, runs_for
from .models import SyncRun

RUNS_SHOWN = 50
CQC_KINDS = (SyncRun.Kind.CQC, SyncRun.Kind.CQC_FULL)
LOOK_BACK = 30  # runs searched for the last one that refreshed a practice


def recent_runs(user, limit=RUNS_SHOWN):
    return list(runs_for(user)[:limit])


def retry_list(user):
    return list(retry_items_for(user))


def last_refreshed(practice):
    """When the practice's CQC ratings were last brought up to date: the end of the newest CQC run that did not
    fail as a whole and did not fail on the practice's location; None if none has. Public facts, no user needed."""
    location = practice.cqc_location_id
    runs = (SyncRun.objects.filter(kind__in=CQC_KINDS, finished_at__isnull=False)
            .exclude(outcome=SyncRun.Outcome.FAILED).only("finished_at", "failures")[:LOOK_BACK])
    for run in runs:
        if not location or all(f.get("item") != location for f in run.failures):
            return run.finished_at
    return None
