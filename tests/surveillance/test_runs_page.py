"""The sync reports page (RCGP admin only), the header link to it, last_refreshed and the beat schedule."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from surveillance.models import SyncRun
from surveillance.selectors import last_refreshed

from ..factories import PracticeFactory
from .factories import AT, RetryItemFactory, SyncRunFactory

pytestmark = pytest.mark.django_db


def test_rcgp_admin_reads_each_run_with_its_counts_failures_and_changes(client, world):
    SyncRunFactory(kind=SyncRun.Kind.CQC, outcome=SyncRun.Outcome.PARTIAL, fetched=74, created=12, skipped=3,
                   failed=1, given_up=1, changes=[{"kind": "rating_fell", "practice": "P85019",
                                                   "detail": "good to inadequate"}],
                   failures=[{"item": "1-11809806754", "reason": "HTTP 503 Service Unavailable, after 3 tries",
                              "given_up": True}])
    SyncRunFactory(kind=SyncRun.Kind.ODS, outcome=SyncRun.Outcome.FAILED, started_at=AT - datetime.timedelta(days=1),
                   error="unrecognised layout: line 1 has 3 fields; the ODS epraccur file has 27")
    RetryItemFactory(location_id="1-555", tries=2, last_error="timed out after 30s, after 3 tries")
    client.force_login(world["users"][Role.RCGP_ADMIN])

    response = client.get(reverse("surveillance:runs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("CQC ratings") < html.index("ODS practice file")  # newest first
    for text in ("Succeeded with failures", ">74<", ">12<", "1 (1 given up)",
                 "<strong>1-11809806754</strong>: HTTP 503 Service Unavailable, after 3 tries (given up)",
                 "P85019: rating fell (good to inadequate)", "Failed",
                 "The whole run failed and changed nothing: unrecognised layout: line 1 has 3 fields",
                 "<strong>1-555</strong>: 2 tries"):
        assert text in html, text


@pytest.mark.parametrize("role", sorted(set(Role.values) - {Role.RCGP_ADMIN}))
def test_everyone_else_gets_404_and_no_link(client, world, role):
    SyncRunFactory()
    client.force_login(world["users"][role])
    assert client.get(reverse("surveillance:runs")).status_code == 404
    assert reverse("surveillance:runs") not in client.get(reverse("home")).content.decode()


def test_rcgp_admin_has_the_link_in_the_header(client, world):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    assert f'href="{reverse("surveillance:runs")}"' in client.get(reverse("home")).content.decode()


def test_last_refreshed_is_the_newest_cqc_run_that_did_not_fail_on_the_practice():
    practice = PracticeFactory(cqc_location_id="1-100")
    assert last_refreshed(practice) is None
    ok = SyncRunFactory(started_at=AT)
    SyncRunFactory(started_at=AT + datetime.timedelta(hours=1), outcome=SyncRun.Outcome.PARTIAL,
                   failures=[{"item": "1-100", "reason": "HTTP 503", "given_up": False}])
    SyncRunFactory(started_at=AT + datetime.timedelta(hours=2), outcome=SyncRun.Outcome.FAILED, error="x")
    SyncRunFactory(kind=SyncRun.Kind.ODS, started_at=AT + datetime.timedelta(hours=3))

    assert last_refreshed(practice) == ok.finished_at
    other = PracticeFactory(cqc_location_id="1-200")
    assert last_refreshed(other) == AT + datetime.timedelta(hours=1, minutes=3)


def test_the_beat_schedule_runs_both_syncs():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"surveillance.tasks.sync_cqc", "surveillance.tasks.sync_ods"} <= tasks


def test_the_page_costs_the_same_queries_for_one_run_or_many(client, world):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    SyncRunFactory(failures=[{"item": "1-1", "reason": "x", "given_up": False}])
    RetryItemFactory()
    client.get(reverse("surveillance:runs"))  # the first request of a session writes more (last login, session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("surveillance:runs")).status_code == 200
    for hour in range(1, 12):
        SyncRunFactory(started_at=AT + datetime.timedelta(hours=hour), changes=[{"kind": "new_inspection",
                                                                                 "practice": "P85019", "detail": "r"}])
        RetryItemFactory()
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("surveillance:runs")).status_code == 200
    assert len(many) == len(one)


def test_the_practice_page_says_when_its_cqc_data_was_last_refreshed(client, world):
    practice = world["practices"]["own"]
    client.force_login(world["users"][Role.RCGP_ADMIN])
    url = reverse("practices:detail", args=[practice.ods_code])
    assert "not yet refreshed from the CQC API" in client.get(url).content.decode()
    finished = datetime.datetime(2026, 11, 30, 5, 20, tzinfo=datetime.UTC)
    SyncRun.objects.create(kind="cqc", started_at=finished, finished_at=finished, outcome="succeeded")
    assert "last refreshed from the CQC API on 30 November 2026" in client.get(url).content.decode()
