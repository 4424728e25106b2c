"""The adviser pool in headless Chromium: RCGP admin finds an adviser in the pool, records that she is away until a
day and ends her old conflict of interest, through the pages' own forms (a refused date first, shown against its
field); the deputy lead's team page then does not offer her. Every page passes the service's checks (axe-core's WCAG
2.2 A and AA rules, no duplicate id, no console error, no sideways scrolling on phones)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Adviser, ConflictOfInterest
from core.roles import Role
from tests.browser import Journey, log_in
from tests.factories import PASSWORD, AdviserFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_rcgp_admin_records_an_absence_and_ends_a_conflict_and_the_team_page_follows(live_server, page, world):
    today = timezone.localdate()
    back = today + datetime.timedelta(days=21)
    admin = world["users"][Role.RCGP_ADMIN]
    helen = AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, first_name="Helen", last_name="Brooks"),
                           profession="practice_manager")
    contract = ContractFactory(reference="31", practice=world["practices"]["own"], state="scoping",
                               deputy_lead=world["users"][Role.RCGP_DEPUTY_LEAD])
    conflict = ConflictOfInterest.objects.create(adviser=helen, practice=contract.practice, description="Locum there",
                                                 declared_on=today - datetime.timedelta(days=300))
    UserFactory(role=Role.RCGP_DEPUTY_LEAD, first_name="Grace", last_name="ONeill")  # not yet in the pool

    log_in(page, live_server, admin.username, PASSWORD)
    journey = Journey(page, live_server)
    journey.go(reverse("people:advisers"))
    assert page.locator("#adviser-pool").get_by_text("Helen Brooks").is_visible()
    assert page.locator("#adviser-candidates").get_by_role("link", name="Add to the pool Grace ONeill").is_visible()
    page.get_by_role("link", name="Helen Brooks").click()
    journey.scan()

    yesterday = today - datetime.timedelta(days=1)
    page.fill("#id_unavailable_until", str(yesterday.day))
    page.fill("#id_unavailable_until-month", str(yesterday.month))
    page.fill("#id_unavailable_until-year", str(yesterday.year))
    page.fill("#id_reason", "Annual leave")
    page.get_by_role("button", name="Save the changes").click()
    journey.scan()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.get_by_text("must be today or in the future").is_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_unavailable_until"
    page.fill("#id_unavailable_until", str(back.day))
    page.fill("#id_unavailable_until-month", str(back.month))
    page.fill("#id_unavailable_until-year", str(back.year))
    page.get_by_role("button", name="Save the changes").click()
    page.wait_for_url(f"**{reverse('people:adviser', args=[helen.pk])}")
    journey.scan()
    assert page.locator("#adviser-details").get_by_text(f"Unavailable until {back:%-d %B %Y}").is_visible()

    page.get_by_role("link", name="End this conflict with").click()
    journey.scan()
    page.fill("#id_reason", "The locum post ended")
    page.get_by_role("button", name="End the conflict").click()
    page.wait_for_url(f"**{reverse('people:adviser', args=[helen.pk])}")
    assert page.locator("#adviser-conflicts").get_by_text("Ended", exact=True).is_visible()
    journey.go(reverse("people:adviser_conflict_new", args=[helen.pk]))
    page.get_by_role("button", name="Record the conflict").click()
    journey.scan()
    assert page.locator(".nhsuk-error-summary").is_visible()
    journey.go(reverse("people:advisers") + "?availability=unavailable")
    assert page.locator("#adviser-pool").get_by_text("Helen Brooks").is_visible()

    helen = Adviser.objects.get(pk=helen.pk)
    conflict.refresh_from_db()
    assert (helen.unavailable_until, conflict.ended_on) == (back, today)

    page.context.clear_cookies()
    log_in(page, live_server, world["users"][Role.RCGP_DEPUTY_LEAD].username, PASSWORD)
    journey.go(reverse("contracts:team", args=[contract.reference]))
    assert page.locator("#adviser-pool").get_by_text("Helen Brooks").count() == 0
    journey.expect_not_found(reverse("people:advisers"))
    assert journey.problems == {}, journey.problems
