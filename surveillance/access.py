"""Who may read what surveillance keeps: the sync reports are for RCGP admin (the programme's operators) only; a
practice's alerts are for its audience only (surveillance.audiences: the people they were sent to)."""

from core.roles import is_rcgp_admin

from .audiences import audience_q
from .models import PracticeAlert, RetryItem, SyncRun


def runs_for(user):
    return SyncRun.objects.all() if is_rcgp_admin.test(user) else SyncRun.objects.none()


def retry_items_for(user):
    return RetryItem.objects.all() if is_rcgp_admin.test(user) else RetryItem.objects.none()


def reads_runs(user):
    return is_rcgp_admin.test(user)


def alerts_for(user):
    """The alerts ``user`` may see: those they would be sent now (RCGP admin: all)."""
    q = audience_q(user)
    if q is True:
        return PracticeAlert.objects.all()
    if q is False:
        return PracticeAlert.objects.none()
    return PracticeAlert.objects.filter(q)
