"""Delivery and its cost in headless Chromium: an adviser records a visit and logs two days' time from the contract
page (a first try beyond the costed days is refused with the reason, nothing saved); the deputy lead sees the burn
against the costed plan on the contract page, the contract's Time and money page and Adviser load. Every page
visited is scanned (axe, duplicate ids, console, phone widths)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from delivery.models import DeliveryRecord
from finance.models import TimeEntry
from finance.services import plan_line_add

from ..browser import Journey, log_in, unexpected_console_errors
from ..delivery.factories import contract_with_team, team_of
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page, live_server, user):
    page.context.clear_cookies()
    log_in(page, live_server, user.username, PASSWORD)
    return Journey(page, live_server).scan()


def _fill_date(page, group_name, day):
    group = page.get_by_role("group", name=group_name, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _log_time(page, journey, reference, day, activity, days):
    journey.go(f"/contracts/{reference}/")
    page.locator("#time-and-money").get_by_role("link").click()
    page.get_by_role("link", name="Log time").click()
    journey.scan()
    _fill_date(page, "Date", day)
    page.get_by_label("Activity").select_option(label=activity)
    page.get_by_label("Days", exact=True).fill(days)
    page.get_by_role("button", name="Log the time").click()
    journey.scan()


def _done(journey):
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(journey.page) == []


def test_an_adviser_logs_a_visit_and_two_days_and_the_deputy_lead_sees_the_burn(live_server, page, world):
    deputy, adviser = team_of(world)
    contract = contract_with_team(world["practices"]["own"], deputy, adviser, reference="BURN-1")
    adviser_record = contract.team_members.get().adviser
    # The deputy lead's costed plan: three scoping days at £650 and two report days at £600 for the adviser.
    plan_line_add(contract=contract, actor=deputy, adviser=adviser_record, activity="scoping", days=Decimal("3"),
                  day_rate=Decimal("650"))
    plan_line_add(contract=contract, actor=deputy, adviser=adviser_record, activity="diagnostic_report",
                  days=Decimal("2"), day_rate=Decimal("600"))
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)

    # 1. The adviser records the scoping visit from the contract page's Delivery panel.
    journey = _as(page, live_server, adviser)
    journey.go(f"/contracts/{contract.reference}/")
    page.get_by_role("link", name="Record a visit or meeting").click()
    journey.scan()
    page.get_by_role("radio", name="Scoping visit").check()
    _fill_date(page, "Date", yesterday)
    page.get_by_label("Who attended").fill("Dr A Patel, GP partner\nPractice manager")
    page.get_by_label("Purpose").fill("Scoping: CQC's report, the partners and a walk round.")
    page.get_by_role("checkbox", name="Critical friend").check()
    page.get_by_role("radio", name=re.compile("^No")).check()  # notes for the RCGP team only
    page.get_by_role("button", name="Record", exact=True).click()
    journey.scan()
    assert DeliveryRecord.objects.filter(contract=contract, kind="scoping_visit", happened_on=yesterday).exists()

    # 2. Six days of report writing is beyond the two costed: refused with the reason, nothing saved, what was typed
    # kept.
    _log_time(page, journey, contract.reference, today, "Diagnostic report", "6")
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.locator(".nhsuk-error-summary").get_by_text(re.compile("deputy lead", re.I)).is_visible()
    assert page.get_by_label("Days", exact=True).input_value() == "6"
    assert not TimeEntry.objects.exists()

    # 3. Two days' time: a scoping day yesterday, a day on the report today.
    _log_time(page, journey, contract.reference, yesterday, "Scoping", "1")
    _log_time(page, journey, contract.reference, today, "Diagnostic report", "1")
    assert sorted((e.worked_on, e.activity, e.days) for e in TimeEntry.objects.filter(contract=contract)) == [
        (yesterday, "scoping", Decimal("1")), (today, "diagnostic_report", Decimal("1"))]
    _done(journey)

    # 4. The deputy lead sees the burn: 2 of 5 funded days used, £1,250.00 of a £3,150.00 costed plan.
    journey = _as(page, live_server, deputy)
    journey.go(f"/contracts/{contract.reference}/")
    burn = page.locator("#finance-burn")
    assert "Days used 2 of 5 funded" in burn.inner_text()
    assert "Delivery cost £1,250.00 against a costed plan of £3,150.00" in burn.inner_text()
    journey.go(f"/finance/{contract.reference}/")
    summary = page.locator("#burn-summary").inner_text()
    assert "2, 3 left" in summary and "£1,250.00" in summary and "£3,150.00 for 5 days" in summary
    journey.go("/finance/advisers/")
    row = page.locator("tr", has_text=adviser.get_full_name() or adviser.username)
    assert row.count() == 1 and re.search(r"\b5\b", row.inner_text()) and re.search(r"\b2\b", row.inner_text())
    _done(journey)
