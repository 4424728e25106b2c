"""In headless Chromium: a practice lead turns password sign-in off for their practice; a colleague's password is
then refused with the reason, and they sign in with their NHS account instead, through the real provider process
(tests/oidc.py) and its authorization page, coming back signed in. Every page of ours is scanned (axe, ids,
console, phone widths)."""

import pytest
from django.contrib.auth import get_user_model

from core.roles import Role
from people import sso
from people.models import SignInPolicy, SsoIdentity

from ..browser import Journey, log_in, unexpected_console_errors
from ..factories import PASSWORD
from ..oidc import client_key, oidc_provider  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_practice_turns_passwords_off_and_a_colleague_signs_in_with_their_nhs_account(
        page, live_server, world, settings, oidc_provider):  # noqa: F811
    settings.OIDC_PROVIDERS = [oidc_provider.config(label="NHS Care Identity Service 2")]
    settings.SITE_URL = live_server.url
    sso.forget_cached(sso.provider("nhs"))
    lead, colleague = world["users"][Role.PRACTICE_LEAD], world["users"][Role.PRACTICE_USER]
    colleague.email = "colleague@nhs.net"
    colleague.save(update_fields=["email"])
    oidc_provider.set_user("cis2-browser-1", {"email": "colleague@nhs.net", "email_verified": True})
    practice = world["practices"]["own"]

    # The provider's page links a stylesheet on a CDN the tests cannot reach: an empty one stands in for it.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.fulfill(status=200, body="",
                                                                           content_type="text/css"))
    log_in(page, live_server, lead.username, PASSWORD)
    journey = Journey(page, live_server).go(f"/people/practice/{practice.ods_code}/sign-in/")
    assert "Signing in with a password is" in page.locator("#password-sign-in-status").inner_text()
    page.get_by_label("No: an NHS account only").check()
    page.get_by_label("Reason for the change").fill("Everyone now has a smartcard")
    page.get_by_role("button", name="Save").click()
    journey.scan()
    assert "Password sign-in is now off" in page.content()
    assert SignInPolicy.objects.get(practice=practice).password_sign_in is False

    page.context.clear_cookies()
    journey.go("/accounts/login/")
    page.fill("#id_username", colleague.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    journey.scan()
    assert "Your organisation has turned off signing in with a password" in page.locator(
        ".nhsuk-error-summary").inner_text()

    page.get_by_role("button", name="Sign in with your NHS account").click()
    page.wait_for_url(f"{oidc_provider.base}/oauth2/authorize*")  # the provider's own page
    page.locator("input[name=sub]").fill("cis2-browser-1")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{live_server.url}/")
    journey.scan()
    assert get_user_model().objects.get(pk=colleague.pk).sso_identities.get().subject == "cis2-browser-1"
    assert SsoIdentity.objects.count() == 1
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(page) == []
