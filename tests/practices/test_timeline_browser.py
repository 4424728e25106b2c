"""The regulatory timeline and the correction form in headless Chromium: axe-core's WCAG 2.2 A and AA rules, no
duplicate id, no console error, no sideways scrolling at 375 and 320 px (Journey.scan)."""

import datetime

import pytest

from core.roles import Role

from ..browser import Journey, log_in
from ..core.factories import PASSWORD
from ..factories import CommissionerFactory, PracticeFactory, user_for
from .factories import InspectionFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date


def test_timeline_and_correction_pass_the_checks_at_phone_widths(live_server, page):
    practice = PracticeFactory(ods_code="P85008", name="Failsworth Group Practice",
                               commissioner=CommissionerFactory(ods_code="00Y"))
    for n, (published, overall, domain) in enumerate([
            (D(2016, 2, 11), "inadequate", "safe"), (D(2016, 10, 20), "good", None),
            (D(2021, 6, 3), "requires_improvement", "well_led"), (D(2022, 1, 14), "inadequate", "well_led")]):
        InspectionFactory(practice=practice, publication_date=published, overall_rating=overall,
                          report_link_id=f"r{n}", **({domain: "inadequate"} if domain else {}))
    lead = user_for(Role.COMMISSIONER_LEAD, commissioner=practice.commissioner, username="timeline-lead")
    log_in(page, live_server, lead.username, PASSWORD)

    journey = Journey(page, live_server).go(f"/practices/{practice.ods_code}/")
    assert page.locator("#timeline-chart svg circle").count() == 4
    assert page.locator("#episode-table tbody tr").count() == 3
    page.get_by_role("link", name="Correct special measures from 14 January 2022").click()
    journey.scan()
    page.fill("#id_ended_on", "31")
    page.get_by_role("button", name="Save correction").click()
    journey.scan()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.get_by_role("link", name="Enter why you are correcting it").is_visible()
    assert journey.problems == {}
