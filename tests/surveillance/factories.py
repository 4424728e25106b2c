"""Factories of sync reports and retry-list items."""

import datetime

import factory

from surveillance.models import RetryItem, SyncRun

AT = datetime.datetime(2026, 11, 30, 5, 15, tzinfo=datetime.UTC)


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    kind = SyncRun.Kind.CQC
    started_at = AT
    finished_at = factory.LazyAttribute(lambda o: o.started_at + datetime.timedelta(minutes=3))
    outcome = SyncRun.Outcome.SUCCEEDED


class RetryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetryItem

    location_id = factory.Sequence(lambda n: f"1-{9000 + n}")
    tries = 1
    last_error = "HTTP 503 Service Unavailable, after 3 tries"
    first_failed_at = AT
    last_tried_at = AT
