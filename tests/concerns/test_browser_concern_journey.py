"""The duty to report in headless Chromium, on the demo data: an adviser raises a safeguarding concern on
DEMO-PRIVATE (the practice has not consented to share anything); the commissioner lead sees it on their home page
and acknowledges it; peer support and NHSE do not find it. Every page visited is scanned with axe."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command

from concerns.models import Concern
from contracts.models import Contract

from ..browser import Journey, log_in, unexpected_console_errors

pytestmark = pytest.mark.django_db(transaction=True)
REF = "DEMO-PRIVATE"


def _as(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username, settings.DEMO_PASSWORD)
    return Journey(page, live_server).scan()


def test_an_adviser_reports_a_concern_and_only_the_commissioner_lead_and_rcgp_admin_find_it(live_server, page):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Contract.objects.get(reference=REF).consent.status != "given"  # nothing is shared

    adviser = _as(page, live_server, "demo-rcgp_adviser")
    adviser.go(f"/contracts/{REF}/")
    page.get_by_role("link", name="Report a concern").click()
    adviser.scan()
    page.get_by_role("button", name="Report the concern").click()  # nothing filled in
    adviser.scan()
    assert page.locator(".nhsuk-error-summary").get_by_role("link", name="Choose what the concern is about.")\
        .is_visible()
    page.get_by_label("Safeguarding").check()
    page.get_by_label("What was seen").fill("A child was left alone in the waiting room for an hour.")
    seen = page.get_by_role("group", name="When was it seen?")  # the NHS date input: day, month, year
    seen.get_by_label("Day").fill("5")
    seen.get_by_label("Month").fill("1")
    seen.get_by_label("Year").fill("2026")
    page.get_by_label("Who is involved").fill("A locum GP and a receptionist.")
    page.get_by_role("button", name="Report the concern").click()
    adviser.scan()
    assert page.get_by_text("The concern has been reported").is_visible()
    concern = Concern.objects.get(contract__reference=REF)
    assert adviser.problems == {} and not unexpected_console_errors(page)

    lead = _as(page, live_server, "demo-commissioner_lead")
    page.locator("#open-concerns").get_by_role("link", name="Safeguarding").click()
    lead.scan()
    assert page.get_by_text("A child was left alone").is_visible()
    page.get_by_role("button", name="Acknowledge the concern").click()
    lead.scan()
    assert page.get_by_text("Concern acknowledged.").is_visible()
    page.get_by_label("Referred to the safeguarding lead").check()
    page.get_by_role("button", name="Record what was done").click()
    lead.scan()
    assert page.locator("#concern-actions").get_by_text("Referred to the safeguarding lead").is_visible()
    concern.refresh_from_db()
    assert concern.acknowledged_by.username == "demo-commissioner_lead"
    assert lead.problems == {} and not unexpected_console_errors(page)

    for username in ("demo-commissioner_peer_support", "demo-nhse_reporting"):
        other = _as(page, live_server, username)
        other.expect_not_found(f"/concerns/{concern.pk}/")
        other.expect_not_found(f"/contracts/{REF}/concerns/")
        other.go(f"/contracts/{REF}/")
        assert page.get_by_role("link", name=re.compile("concern", re.I)).count() == 0
        assert other.problems == {} and not unexpected_console_errors(page)
