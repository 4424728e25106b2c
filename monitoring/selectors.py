"""Reads of the commissioner's monitoring, each starting from monitoring/access.py."""

from django.db.models import Count, Min, Q

from . import access

PANEL_RECORDS = 5


def practice_records(user, practice):
    """The practice's monitoring records the user may read, newest first, each with its number of open follow-ups
    and the next one's due date (one query)."""
    return (access.records_for(user).filter(practice=practice).select_related("recorded_by")
            .annotate(open_follow_ups=Count("follow_ups", filter=Q(follow_ups__done_on__isnull=True)),
                      next_due=Min("follow_ups__due_on", filter=Q(follow_ups__done_on__isnull=True))))


def open_follow_ups(user, practice):
    """The practice's open follow-ups the user may read, soonest first (one query)."""
    return (access.follow_ups_for(user).filter(record__practice=practice, done_on__isnull=True)
            .select_related("record", "owner").order_by("due_on", "pk"))


def practice_readiness_reviews(user, practice):
    return access.readiness_reviews_for(user).filter(practice=practice).select_related("recorded_by")
