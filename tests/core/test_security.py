"""Authentication and sessions, headers and the Content Security Policy."""

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import Role

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
R = Role


def test_passwords_are_hashed_with_argon2():
    user = UserFactory()
    user.set_password("a-new-long-passphrase")
    assert user.password.startswith("argon2$")


def test_repeated_failures_lock_out_that_username_from_that_address(client, world):
    user = world["users"][R.PRACTICE_LEAD]
    statuses = [client.post(reverse("login"), {"username": user.username, "password": "wrong"},
                            REMOTE_ADDR="10.0.0.1").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429 and "Your account is locked for now" in locked.content.decode()
    elsewhere = client.post(reverse("login"), {"username": user.username, "password": PASSWORD},
                            REMOTE_ADDR="10.0.0.2")
    assert elsewhere.status_code == 302  # the same user from another address is not locked


def test_sessions_expire_after_inactivity(client, world, settings):
    client.force_login(world["users"][R.PRACTICE_USER])
    assert client.get(reverse("practices:list")).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 1800
    session = client.session
    session.set_expiry(-1)  # as if the user had been away longer than the idle limit
    session.save()
    response = client.get(reverse("practices:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _stored_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_slides_but_is_written_at_most_once_a_refresh_period(client, world, settings):
    """The idle limit counts from the last request, give or take SESSION_REFRESH_SECONDS, without writing the
    session row on every page view."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SESSION_REFRESH_SECONDS = 3600
    client.force_login(world["users"][R.PRACTICE_USER])
    assert client.get(reverse("practices:list")).status_code == 200  # refreshes: never refreshed before
    written = _stored_expiry(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("practices:list")).status_code == 200
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
    assert _stored_expiry(client) == written  # within the refresh period: not written again

    settings.SESSION_REFRESH_SECONDS = 0
    assert client.get(reverse("practices:list")).status_code == 200
    assert _stored_expiry(client) > written  # the period is over: the expiry moves on from this request


def test_a_stale_cookie_or_a_signed_out_session_is_never_written_back(client, world, settings):
    from django.contrib.sessions.models import Session

    settings.SESSION_REFRESH_SECONDS = 0
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session-key"
    assert client.get(reverse("practices:list")).status_code == 302  # to the login page
    assert not Session.objects.exists()  # no session made for a stranger's cookie
    client.force_login(world["users"][R.PRACTICE_USER])
    client.post(reverse("logout"))
    assert client.get(reverse("login")).status_code == 200
    assert not Session.objects.filter(session_data__contains="_auth_user_id").exists()


def test_the_headers_log_out_button_signs_out_with_csrf_checks_on(world):
    """The header is rendered once per user and page and reused (core/components.py); its sign-out form must
    still carry this request's CSRF token, or Django refuses the sign-out as a browser would send it."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    forms = []
    for _ in range(2):
        html = client.get(reverse("practices:list")).content.decode()
        forms.append(re.search(r'<form class="nhsuk-header__account-form" action="([^"]+)" method="post" novalidate>'
                               r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">', html))
    assert all(forms) and forms[0].group(2) != forms[1].group(2)  # each page its own token, not a cached one
    action, token = forms[1].groups()
    assert client.post(action).status_code == 403  # without the token, refused
    response = client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("practices:list"))["Location"].startswith(reverse("login"))


def test_pages_carry_a_content_security_policy_with_no_inline_script_but_the_nonced_one(client, world):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert " style=" not in html
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", [R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.RCGP_ADVISER, R.RCGP_ADMIN,
                                  R.RCGP_DEPUTY_LEAD, R.NHSE_REPORTING, R.NHSE_REGIONAL])
def test_two_factor_is_required_for_rcgp_commissioner_and_nhse_roles_when_switched_on(client, world, settings, role):
    settings.REQUIRE_TWO_FACTOR = True
    user = world["users"][role]
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    blocked = client.get(reverse("practices:list"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("two_factor"))
    setup = client.get(blocked["Location"])
    assert "Set up two-factor authentication" in setup.content.decode() and "<svg" in setup.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()  # the new secret waits in the session
    secret = setup.context["secret"]
    assert secret in setup.content.decode() and client.get(blocked["Location"]).context["secret"] == secret
    done = client.post(blocked["Location"], {"token": f"{totp(base64.b32decode(secret)):06d}"})
    # Confirmed: the recovery codes are shown once (tests/people/test_two_factor.py), then on to where they were.
    assert done.status_code == 200 and "Your recovery codes" in done.content.decode()
    assert f'href="{reverse("practices:list")}"' in done.content.decode()
    assert client.get(reverse("practices:list")).status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed


def test_a_wrong_two_factor_code_is_refused(client, world, settings):
    settings.REQUIRE_TWO_FACTOR = True
    user = world["users"][R.COMMISSIONER_LEAD]
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    secret = client.get(reverse("two_factor")).context["secret"]
    wrong = f"{(totp(base64.b32decode(secret)) + 1) % 1000000:06d}"
    response = client.post(reverse("two_factor"), {"token": wrong})
    assert "The code is not right" in response.content.decode()
    assert client.get(reverse("practices:list")).status_code == 302
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@pytest.mark.parametrize("role", [R.PRACTICE_USER, R.PRACTICE_LEAD])
def test_two_factor_is_not_forced_on_other_roles(client, world, settings, role):
    settings.REQUIRE_TWO_FACTOR = True
    client.post(reverse("login"), {"username": world["users"][role].username, "password": PASSWORD})
    assert client.get(reverse("practices:list")).status_code == 200


def test_two_factor_is_off_by_default(client, world):
    client.post(reverse("login"), {"username": world["users"][R.RCGP_ADMIN].username, "password": PASSWORD})
    assert client.get(reverse("practices:list")).status_code == 200
