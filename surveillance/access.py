"""Who may read the sync reports: RCGP admin (the programme's operators), nobody else."""

from core.roles import is_rcgp_admin

from .models import RetryItem, SyncRun


def runs_for(user):
    return SyncRun.objects.all() if is_rcgp_admin.test(user) else SyncRun.objects.none()


def retry_items_for(user):
    return RetryItem.objects.all() if is_rcgp_admin.test(user) else RetryItem.objects.none()


def reads_runs(user):
    return is_rcgp_admin.test(user)
