"""The retry list: CQC locations that failed, fetched again on later runs until they succeed or are given up."""

from django.conf import settings
from django.db import transaction

from .models import RetryItem


def pending_ids():
    return list(RetryItem.objects.filter(given_up=False).values_list("location_id", flat=True))


@transaction.atomic
def record(failed, *, succeeded, now):
    """Note this run's failures ({id: reason}) and clear the ids that succeeded; returns the ids given up now
    or before (a failure of a location already given up stays given up)."""
    RetryItem.objects.filter(location_id__in=succeeded).delete()
    items = {i.location_id: i for i in RetryItem.objects.select_for_update().filter(location_id__in=failed)}
    given_up = set()
    for location_id, reason in failed.items():
        item = items.get(location_id) or RetryItem(location_id=location_id, first_failed_at=now)
        item.tries += 1
        item.last_error, item.last_tried_at = reason, now
        item.given_up = item.given_up or item.tries >= settings.SYNC_RETRY_LIMIT
        item.save()
        if item.given_up:
            given_up.add(location_id)
    return given_up
