"""The sync reports page in headless Chromium: axe-core's WCAG 2.2 A and AA rules, no duplicate id, no console
error, no sideways scrolling at 375 and 320 px (Journey.scan), with long failure reasons on it."""

import pytest

from core.roles import Role

from ..browser import Journey, log_in
from ..core.factories import PASSWORD
from ..factories import user_for
from .factories import RetryItemFactory, SyncRunFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG = ("changes 2026-11-23 06:00 to 2026-11-24 06:00, page 1: could not connect: [Errno 111] Connection refused, "
        "after 3 tries")


def test_the_runs_page_passes_the_checks_at_phone_widths(live_server, page):
    SyncRunFactory(outcome="partial", fetched=1234, created=456, updated=78, unchanged=9012, skipped=345, failed=2,
                   given_up=1, failures=[{"item": "changes", "reason": LONG, "given_up": False},
                                         {"item": "1-11809806754", "reason": "unreadable record: currentRatings."
                                          "overall.rating: unknown rating 'Superb'", "given_up": True}],
                   changes=[{"kind": "rating_fell", "practice": "P85019", "detail": "good to inadequate"}])
    SyncRunFactory(kind="ods", outcome="failed", error="unrecognised layout: line 1 has 3 fields; the ODS epraccur "
                   "file has 27")
    RetryItemFactory(last_error=LONG)
    admin = user_for(Role.RCGP_ADMIN, username="sync-admin")
    log_in(page, live_server, admin.username, PASSWORD)

    journey = Journey(page, live_server).go("/syncs/")

    assert page.get_by_role("heading", name="CQC and ODS syncs").is_visible()
    page.get_by_text("2 failed").click()
    assert page.get_by_text("unknown rating 'Superb' (given up)").is_visible()
    assert journey.problems == {}
