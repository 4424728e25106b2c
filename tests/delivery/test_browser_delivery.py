"""The delivery record in headless Chromium: an adviser records a scoping visit (first with nothing filled in: the
error summary), then an interview; the practice lead reads the delivery list and finds only what was shared, and
never the interview. Every page visited is scanned (axe, duplicate ids, console, phone widths)."""

import re

import pytest
from django.utils import timezone

from core.roles import Role
from delivery.models import DeliveryRecord

from ..browser import Journey, log_in, unexpected_console_errors
from ..factories import PASSWORD
from .factories import contract_with_team, team_of

pytestmark = pytest.mark.django_db(transaction=True)
R = Role


def _as(page, live_server, user):
    page.context.clear_cookies()
    log_in(page, live_server, user.username, PASSWORD)
    return Journey(page, live_server).scan()


def _fill_date(page, group_name, day):
    group = page.get_by_role("group", name=group_name, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_adviser_records_a_visit_and_an_interview_and_the_practice_reads_only_the_shared(live_server, page,
                                                                                            world):
    deputy, adviser = team_of(world)
    contract = contract_with_team(world["practices"]["own"], deputy, adviser, reference="BRW-1")
    today = timezone.localdate()

    journey = _as(page, live_server, adviser)
    journey.go(f"/delivery/{contract.reference}/")
    page.get_by_role("link", name="Record a visit or meeting").click()
    journey.scan()
    page.get_by_role("button", name="Record", exact=True).click()  # nothing filled in
    journey.scan()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.get_by_role("link", name="Enter the date").is_visible()
    page.get_by_role("radio", name="Scoping visit").check()
    _fill_date(page, "Date", today)
    page.get_by_label("Who attended").fill("Dr A Patel, GP partner\nPractice manager")
    page.get_by_label("Purpose").fill("Scoping: CQC's report and a walk round.")
    page.get_by_role("checkbox", name="Critical friend").check()
    page.get_by_role("checkbox", name="Prioritising").check()
    page.get_by_role("radio", name=re.compile("Yes: the practice")).check()
    page.get_by_role("button", name="Record", exact=True).click()
    journey.scan()
    assert page.get_by_text("The scoping visit is recorded.").is_visible()
    visit = DeliveryRecord.objects.get(kind="scoping_visit")
    assert (visit.support_kinds, visit.shared, visit.recorded_by) == (["critical_friend", "prioritising"], True,
                                                                      adviser)

    journey.go(f"/delivery/{contract.reference}/")
    page.get_by_role("link", name="Record an interview").click()
    journey.scan()
    _fill_date(page, "Date", today)
    page.get_by_label("The person's role").fill("Practice manager")
    page.get_by_label("Practice management and delegation").fill("Not allowed to challenge the partners.")
    page.get_by_role("button", name="Record", exact=True).click()
    journey.scan()
    interview = DeliveryRecord.objects.get(kind="interview")
    assert interview.answers == {"practice_management": "Not allowed to challenge the partners."}
    journey.go(f"/delivery/{contract.reference}/")
    assert page.locator("#support-critical_friend").is_visible()
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(page) == []

    journey = _as(page, live_server, world["users"][R.PRACTICE_LEAD])
    journey.go(f"/delivery/{contract.reference}/")
    assert page.locator(f"#delivery-record-{visit.pk}").is_visible()
    assert page.locator(f"#delivery-record-{interview.pk}").count() == 0
    assert page.get_by_role("link", name="Record an interview").count() == 0
    journey.go(f"/delivery/records/{visit.pk}/")
    journey.expect_not_found(f"/delivery/records/{interview.pk}/")
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(page) == []
