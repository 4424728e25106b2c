"""Two-factor authentication (core/security.py) for RCGP, commissioner and NHS England roles, and its recovery codes
(django-otp's static plugin; people/recovery.py and the ``account:recovery_codes`` page)."""

import base64
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import DomainError
from core.roles import COMMISSIONER_ROLES, NHSE_ROLES, PRACTICE_ROLES, RCGP_ROLES, Role
from core.security import RECOVERY_CODES, code_hash, needs_two_factor
from core.services import membership_add
from people import recovery
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
R = Role
ROOT = Path(__file__).resolve().parents[2]
THROTTLE_SECONDS = 1.1
CODE = re.compile(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>")


@pytest.fixture
def required(settings):
    settings.REQUIRE_TWO_FACTOR = True


def _now_code(secret):
    return f"{totp(base64.b32decode(secret)):06d}"


def _sign_in(user):
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _set_up(user):
    """Sign in and set up the authenticator: (client, the app's secret, the recovery codes shown)."""
    client = _sign_in(user)
    secret = client.get(reverse("two_factor")).context["secret"]
    shown = client.post(reverse("two_factor") + "?next=/practices/", {"token": _now_code(secret)})
    assert shown.status_code == 200
    return client, secret, CODE.findall(shown.content.decode())


# Who needs it -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", Role.values)
def test_two_factor_is_needed_for_rcgp_commissioner_and_nhse_roles_only(world, required, role):
    user = world["users"][role]
    assert needs_two_factor(user) is (role in RCGP_ROLES | COMMISSIONER_ROLES | NHSE_ROLES)
    assert role not in PRACTICE_ROLES or not needs_two_factor(user)


@pytest.mark.parametrize("role", Role.values)
def test_no_role_needs_it_when_it_is_switched_off(world, settings, role):
    settings.REQUIRE_TWO_FACTOR = False
    assert not needs_two_factor(world["users"][role])


def test_a_practice_user_who_also_holds_an_rcgp_membership_needs_it_whichever_they_use(world, required):
    user = world["users"][R.PRACTICE_USER]
    assert not needs_two_factor(user)
    membership_add(user=user, role=R.RCGP_ADVISER)
    user.refresh_from_db()
    assert user.role == R.PRACTICE_USER and user.other_memberships == 1
    assert needs_two_factor(user)
    client = _sign_in(user)
    blocked = client.get(reverse("practices:list"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("two_factor"))


def test_no_signed_out_visitor_needs_it(required):
    from django.contrib.auth.models import AnonymousUser

    assert not needs_two_factor(AnonymousUser())


def test_production_settings_require_two_factor_unless_the_environment_says_otherwise():
    def production(**extra):
        env = {key: value for key, value in os.environ.items() if key != "REQUIRE_TWO_FACTOR"}
        env.update({"DJANGO_SETTINGS_MODULE": "resilience.settings.production", "SECRET_KEY": "x" * 50,
                    "ALLOWED_HOSTS": "resilience.example.nhs.uk", **extra})
        result = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import "
                                 "settings; print(settings.REQUIRE_TWO_FACTOR)"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert production() == "True"
    assert production(REQUIRE_TWO_FACTOR="false") == "False"


# Recovery codes -----------------------------------------------------------------------------------------------------

def test_confirming_the_app_shows_ten_recovery_codes_once_and_keeps_only_their_hashes(world, required):
    user = world["users"][R.COMMISSIONER_LEAD]
    client, _secret, codes = _set_up(user)
    assert len(codes) == len(set(codes)) == RECOVERY_CODES
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {code_hash(code) for code in codes}
    assert not stored & set(codes) and not stored & {c.replace("-", "") for c in codes}
    # Continuing goes where the person was going; the codes are not shown again.
    assert client.get("/practices/").status_code == 200
    page = client.get(reverse("account:recovery_codes")).content.decode()
    assert "You have 10 of 10 recovery codes left." in page and not CODE.findall(page)


def test_a_recovery_code_works_once_in_place_of_the_apps_code(world, required):
    user = world["users"][R.RCGP_ADVISER]
    _client, _secret, codes = _set_up(user)
    client = _sign_in(user)
    assert client.get(reverse("practices:list")).status_code == 302
    used = client.post(reverse("two_factor") + "?next=/practices/", {"token": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302 and used["Location"] == "/practices/"
    page = client.get(reverse("practices:list")).content.decode()
    assert "You signed in with a recovery code" in page and "9 recovery codes left" in page

    again = _sign_in(user)
    refused = again.post(reverse("two_factor"), {"token": codes[3]})
    assert refused.status_code == 422 and "The code is not right" in refused.content.decode()
    assert again.get(reverse("practices:list")).status_code == 302
    time.sleep(THROTTLE_SECONDS)  # django-otp makes the next try wait a second after a wrong code
    assert again.post(reverse("two_factor"), {"token": codes[4]}).status_code == 302
    assert again.get(reverse("practices:list")).status_code == 200


def test_a_new_set_replaces_the_old_one_and_only_in_a_verified_session(world, required):
    user = world["users"][R.NHSE_REPORTING]
    client, secret, old = _set_up(user)
    # Not verified yet (a new sign-in): the page sends the person to enter their code first.
    unverified = _sign_in(user)
    for response in (unverified.get(reverse("account:recovery_codes")),
                     unverified.post(reverse("account:recovery_codes"))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == {
        code_hash(code) for code in old}

    made = client.post(reverse("account:recovery_codes"))
    new = CODE.findall(made.content.decode())
    assert made.status_code == 200 and len(new) == RECOVERY_CODES and not set(new) & set(old)
    assert "The codes you had before no longer work" in made.content.decode()
    late = _sign_in(user)
    assert late.post(reverse("two_factor"), {"token": old[0]}).status_code == 422
    time.sleep(THROTTLE_SECONDS)
    assert late.post(reverse("two_factor"), {"token": new[0]}).status_code == 302


def test_the_app_still_works_beside_the_codes_and_the_header_links_the_codes_page(world, required):
    user = world["users"][R.RCGP_DEPUTY_LEAD]
    _client, secret, _codes = _set_up(user)
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # the same 30-second step may be used again here
    client = _sign_in(user)
    assert client.post(reverse("two_factor"), {"token": _now_code(secret)}).status_code == 302
    html = client.get(reverse("practices:list")).content.decode()
    assert f'href="{reverse("account:recovery_codes")}"' in html


def test_recovery_codes_are_each_persons_own(world):
    user, other = world["users"][R.RCGP_ADMIN], world["users"][R.RCGP_ADVISER]
    with pytest.raises(DomainError):
        recovery.recovery_codes_renew(user=user, actor=other)
    assert not StaticToken.objects.exists()
    assert len(recovery.recovery_codes_renew(user=user, actor=user)) == RECOVERY_CODES
    assert recovery.recovery_codes_left(user) == RECOVERY_CODES and recovery.recovery_codes_left(other) == 0


def test_wrong_codes_in_a_row_are_slowed_down_and_the_person_is_told(world, required):
    user = world["users"][R.COMMISSIONER_PEER_SUPPORT]
    _client, _secret, codes = _set_up(user)
    client = _sign_in(user)
    first = client.post(reverse("two_factor"), {"token": "aaaa-bbbb-cccc"})
    assert first.status_code == 422 and "Check the time on your phone" in first.content.decode()
    hurried = client.post(reverse("two_factor"), {"token": codes[0]})  # right, but too soon
    assert hurried.status_code == 422 and "wait a minute" in hurried.content.decode()
    time.sleep(THROTTLE_SECONDS)
    assert client.post(reverse("two_factor"), {"token": codes[0]}).status_code == 302
