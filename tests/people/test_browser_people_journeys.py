"""Two journeys of an organisation's admins in headless Chromium, on the real live server.

(a) A practice lead invites a colleague through the pages; the real Celery worker sends the invitation through a
real SMTP server; the colleague opens the link from the e-mail, makes their account with a password (first with
passwords that do not match: the NHS error summary, the names kept) and, signed in, reads the practice's forward
plan. (b) RCGP admin deactivates an adviser, with a reason, while the adviser has the service open in another
browser and an API token: the adviser's next page load lands on the sign-in page, and the token gets 401 from
/api/v1/. Every page visited is scanned (axe, duplicate ids, console, phone widths)."""

import re
import urllib.error
import urllib.request
import uuid

import pytest

from core.api_tokens import api_token_create
from core.models import User
from core.roles import Role
from people.models import Invitation, PeopleChange

from ..browser import Journey, axe_violations, log_in, new_page, unexpected_console_errors
from ..celery_worker import publishing_to, wait_for
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
R = Role
LINK = re.compile(r"https?://[^/\s]+(/people/invitations/accept/[^/\s]+/)")
NEW_PASSWORD = "violet-harbour-lantern-42"


def _as(page, live_server, user):
    page.context.clear_cookies()
    log_in(page, live_server, user.username, PASSWORD)
    return Journey(page, live_server).scan()


def _api_status(url, secret):
    """The status of a GET of the API with the token alone (no browser, no cookies)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {secret}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own live server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _done(journey):
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(journey.page) == []


def test_a_practice_lead_invites_a_colleague_who_accepts_sets_a_password_and_reads_the_plan(
        live_server, page, browser, docs, world, smtp_server, start_worker):
    queue = f"people-journey-{uuid.uuid4().hex[:8]}"
    start_worker(queue=queue, env={"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", "SITE_URL": live_server.url})
    lead = world["users"][R.PRACTICE_LEAD]
    User.objects.filter(pk=lead.pk).update(first_name="Priya", last_name="Lead")
    practice, contract = world["practices"]["own"], docs["contract"]

    # 1. The practice lead: People → the practice → Invite someone.
    journey = _as(page, live_server, lead)
    page.get_by_role("link", name="People", exact=True).click()
    journey.scan()
    page.locator("#organisations").get_by_role("link", name=str(practice)).click()
    journey.scan()
    assert page.get_by_role("heading", level=1, name=str(practice)).is_visible()
    page.get_by_role("link", name="Invite someone").click()
    journey.scan()
    page.get_by_label("E-mail address").fill("Alex.Morgan@example.nhs.uk")
    page.get_by_role("group", name="Role").get_by_label("Practice user", exact=True).check()
    with publishing_to(queue):
        page.get_by_role("button", name="Send the invitation").click()
        journey.scan()
    assert page.get_by_text("The invitation will be sent by e-mail.").is_visible()
    invitation = Invitation.objects.get()
    wait_for(lambda: Invitation.objects.get(pk=invitation.pk).email_status == "sent", timeout=60,
             message="the invitation e-mail sent by the worker")
    journey.go(f"/people/practice/{practice.ods_code}/")
    row = page.locator(f"#invitation-{invitation.pk}")
    assert "alex.morgan@example.nhs.uk" in row.inner_text() and "Sent" in row.inner_text()
    _done(journey)

    # 2. The colleague opens the link from the e-mail, in a browser of their own, not signed in.
    [body] = smtp_server.wait_for("alex.morgan@example.nhs.uk")
    assert f"{practice} has invited you to use Practice Resilience as Practice user." in body
    path = LINK.search(body).group(1)
    colleague_page = new_page(browser)
    colleague = Journey(colleague_page, live_server)
    colleague.go(path)
    assert colleague_page.locator("#invitation-for").inner_text().startswith(f"{practice} has invited")
    colleague_page.get_by_label("First name").fill("Alex")
    colleague_page.get_by_label("Last name").fill("Morgan")
    colleague_page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    colleague_page.get_by_label("Password again").fill("not-the-same-password-1")
    colleague_page.get_by_role("button", name="Make my account").click()
    colleague.scan()
    summary = colleague_page.locator(".nhsuk-error-summary")
    assert "The passwords do not match" in summary.inner_text()
    assert summary.get_by_role("link").first.get_attribute("href") == "#id_password2"
    assert colleague_page.get_by_label("First name").input_value() == "Alex"
    assert not User.objects.filter(username="alex.morgan@example.nhs.uk").exists()
    colleague_page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    colleague_page.get_by_label("Password again").fill(NEW_PASSWORD)
    colleague_page.get_by_role("button", name="Make my account").click()
    colleague.scan()
    assert colleague_page.get_by_text("Welcome, Alex. You are Practice user at").is_visible()
    user = User.objects.get(username="alex.morgan@example.nhs.uk")
    assert (user.role, user.practice_id) == (R.PRACTICE_USER, practice.pk)

    # 3. Signed in, they read the practice's forward plan.
    response = colleague_page.goto(f"{live_server.url}/contracts/{contract.reference}/plan/")
    colleague.scan()
    assert response.status == 200
    assert colleague_page.get_by_text(docs["action"].action_planned).first.is_visible()
    _done(colleague)
    # The link is used: opening it again says so (410; tests/browser.py counts only 403, 404, 409, 413 and 422 as
    # refusals a page makes on purpose, so this page is checked here rather than scanned).
    response = colleague_page.goto(f"{live_server.url}{path}")
    assert response.status == 410 and colleague_page.get_by_role("heading", name="already been used").is_visible()
    assert axe_violations(colleague_page) == []
    colleague_page.context.close()
    assert Invitation.objects.get(pk=invitation.pk).status == "accepted"


def test_rcgp_admin_deactivates_an_adviser_whose_open_session_and_api_token_stop_at_once(live_server, page, browser,
                                                                                       world):
    admin, adviser = world["users"][R.RCGP_ADMIN], world["users"][R.RCGP_ADVISER]
    User.objects.filter(pk=adviser.pk).update(first_name="Ade", last_name="Adviser", email="ade@example.nhs.uk")
    _token, secret = api_token_create(owner=adviser, name="My scripts", actor=adviser)
    api = f"{live_server.url}/api/v1/contracts/"

    # The adviser has the service open, and a script uses their token.
    adviser_page = new_page(browser)
    log_in(adviser_page, live_server, adviser.username, PASSWORD)
    adviser_journey = Journey(adviser_page, live_server).go("/contracts/")
    assert _api_status(api, secret) == 200

    # RCGP admin: People → RCGP → the adviser → deactivate, first without a reason.
    journey = _as(page, live_server, admin)
    journey.go("/people/")
    page.get_by_role("link", name="RCGP", exact=True).click()
    journey.scan()
    page.get_by_role("link", name="Ade Adviser").click()
    journey.scan()
    page.get_by_role("button", name="Deactivate their account").click()
    journey.scan()
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter the reason for deactivating them" in summary.inner_text()
    assert summary.get_by_role("link").first.get_attribute("href") == "#id_deactivate_reason"
    assert User.objects.get(pk=adviser.pk).is_active
    page.get_by_label("Reason for deactivating them").fill("Left the adviser pool")
    page.get_by_role("button", name="Deactivate their account").click()
    journey.scan()
    assert page.get_by_text("Ade Adviser is deactivated").is_visible()
    assert "Left the adviser pool" in page.locator("#person-changes").inner_text()
    _done(journey)

    # The adviser's next page load lands on the sign-in page; their token gets 401.
    adviser_page.goto(f"{live_server.url}/contracts/")
    assert "/accounts/login/" in adviser_page.url
    adviser_journey.scan()
    assert _api_status(api, secret) == 401
    _done(adviser_journey)
    adviser_page.context.close()
    change = PeopleChange.objects.get(action="deactivated", outcome="done")
    assert (change.actor, change.subject, change.reason) == (admin, adviser, "Left the adviser pool")
