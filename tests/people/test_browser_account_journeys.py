"""Two account journeys in headless Chromium, every page scanned (axe, duplicate ids, console, phone widths):

(a) a forgotten password, round trip: the person asks for a link, the real Celery worker e-mails it through the
    test's SMTP server, they open it, set a new password and sign in with it; the old one no longer works.
(b) a person with two memberships (commissioner lead at one commissioner, practice user at another commissioner's
    practice) signs in: the header names the first; a contract of the other membership opens; they switch, the
    header and home page change, and the same contract (and one of the first membership) still opens.
"""

import uuid

import pytest
from django.core.cache import cache

from core.models import Membership
from core.roles import Role
from core.services import membership_add
from tests.browser import Journey, log_in, unexpected_console_errors
from tests.celery_worker import publishing_to
from tests.factories import PASSWORD, ContractFactory, user_for

pytestmark = pytest.mark.django_db(transaction=True)
R = Role
NEW_PASSWORD = "violet-harbour-lantern-42"
LINK = r"/accounts/password/reset/[^/\s]+/[^/\s]+/"


def _done(journey):
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(journey.page) == []


def _header_role(page):
    return " ".join(page.locator(".app-header__account-role").inner_text().split())


def test_a_forgotten_password_round_trip(live_server, page, world, smtp_server, start_worker):
    cache.clear()  # the hourly request limits
    queue = f"reset-journey-{uuid.uuid4().hex[:8]}"
    start_worker(queue=queue, env={"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
                                   "SITE_URL": live_server.url})
    user_for(R.PRACTICE_LEAD, practice=world["practices"]["own"], username="morgan", email="morgan@example.nhs.uk")
    journey = Journey(page, live_server)

    with publishing_to(queue):
        journey.go("/accounts/password/reset/")
        page.get_by_role("button", name="Send me a link").click()  # nothing entered: the error summary
        journey.scan()
        assert page.locator(".nhsuk-error-summary").get_by_role("link", name="Enter your email address").is_visible()
        page.get_by_label("Email address").fill("morgan@example.nhs.uk")
        page.get_by_role("button", name="Send me a link").click()
        journey.scan()
    assert page.get_by_role("heading", name="Check your email").is_visible()

    smtp_server.wait_for("morgan@example.nhs.uk", timeout=60)
    path = smtp_server.link_for("morgan@example.nhs.uk", LINK)
    journey.go(path)
    assert page.url.endswith("/set-password/"), "the link's secret leaves the address bar"
    assert page.get_by_role("heading", name="Choose a new password").is_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    journey.scan()
    assert page.get_by_text("Your password has been changed").is_visible()

    page.get_by_role("link", name="Sign in with your new password").click()
    page.fill("#id_username", "morgan")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url, "the old password no longer works"
    log_in(page, live_server, "morgan", NEW_PASSWORD)
    journey.scan()
    assert page.locator(".app-header__account-role").is_visible()

    # The link again: it has done its job.
    journey.go(path)
    assert page.get_by_role("heading", name="This link does not work").is_visible()
    _done(journey)


def test_a_person_with_two_memberships_switches_between_them(live_server, page, world):
    person = user_for(R.COMMISSIONER_LEAD, commissioner=world["own"], username="robin", first_name="Robin",
                      last_name="Hart")
    membership_add(user=person, role=R.PRACTICE_USER, practice=world["practices"]["other"])
    ContractFactory(practice=world["practices"]["own"], reference="OWN-7")
    ContractFactory(practice=world["practices"]["other"], reference="OTHER-7")
    other_practice = world["practices"]["other"]

    log_in(page, live_server, "robin", PASSWORD)
    journey = Journey(page, live_server).scan()
    assert _header_role(page) == f"In use: Commissioner lead – {world['own']}"
    assert page.get_by_role("heading", name="Your practices today").is_visible()
    journey.go("/contracts/OTHER-7/")
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert "Page not found" not in page.content()

    page.get_by_role("link", name="Switch membership").click()
    journey.scan()
    assert page.get_by_role("heading", name="Your memberships").is_visible()
    page.get_by_role("button", name=f"Use this membership: Practice user, {other_practice}").click()
    journey.scan()
    assert page.url == f"{live_server.url}/"
    assert _header_role(page) == f"In use: Practice user – {other_practice}"
    assert not page.get_by_role("heading", name="Your practices today").is_visible()
    assert page.get_by_text("You are now using your membership as Practice user").is_visible()

    for reference in ("OTHER-7", "OWN-7"):
        response = page.goto(f"{live_server.url}/contracts/{reference}/")
        assert response.status == 200, reference
        journey.scan()
    person.refresh_from_db()
    assert person.role == R.PRACTICE_USER and Membership.objects.filter(user=person).count() == 2
    _done(journey)

