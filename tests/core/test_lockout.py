"""Sign-in lockout through the login page: per (username, address), so nobody elsewhere can lock a real user out;
per address across usernames (password spraying) with a higher limit; and one client address for the lockout, the
API throttle and the logs, which a forged X-Forwarded-For cannot choose (TRUSTED_PROXY_COUNT 0 and 1)."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import RequestFactory
from django.urls import reverse

from core.client_address import client_address
from core.roles import Role

from ..api_support import error_of, fresh_throttle_cache  # noqa: F401
from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOCKED = "Your account is locked for now"
VICTIM_ADDRESS, ATTACKER_ADDRESS, PROXY = "198.51.100.10", "203.0.113.66", "10.0.0.2"


def sign_in(client, username, password, address, forwarded=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


@pytest.fixture
def victim(world):
    return world["users"][Role.PRACTICE_LEAD]


# The address itself ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    (0, "198.51.100.10", None, "198.51.100.10"),
    (0, "198.51.100.10", "203.0.113.1", "198.51.100.10"),              # forged: ignored without a proxy
    (0, "198.51.100.10", "203.0.113.1, 192.0.2.9", "198.51.100.10"),
    (1, PROXY, "203.0.113.1", "203.0.113.1"),                            # the proxy's entry is the client
    (1, PROXY, "198.51.100.10, 203.0.113.1", "203.0.113.1"),            # forged left entry: the right-most counts
    (1, PROXY, "198.51.100.10,203.0.113.1", "203.0.113.1"),
    (1, PROXY, "2001:db8::1", "2001:db8::1"),
    (1, PROXY, None, PROXY),                                             # not through the proxy: the connection
    (1, PROXY, "not-an-address", PROXY),
    (2, PROXY, "198.51.100.10, 203.0.113.1, 192.0.2.9", "203.0.113.1"),
])
def test_client_address_reads_only_what_trusted_proxies_wrote(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    assert client_address(RequestFactory().get("/", **meta)) == expected


# One username from one address -----------------------------------------------------------------------------------

def test_an_attacker_elsewhere_cannot_lock_the_user_out_even_forging_the_users_address(client, victim, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [sign_in(client, victim.username, "wrong", ATTACKER_ADDRESS, forwarded=VICTIM_ADDRESS).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert LOCKED in sign_in(client, victim.username, PASSWORD, ATTACKER_ADDRESS, VICTIM_ADDRESS).content.decode()
    # The lock and the log name the connection's address, not the forged one.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER_ADDRESS}
    response = sign_in(client, victim.username, PASSWORD, VICTIM_ADDRESS)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert AccessLog.objects.get(username=victim.username).ip_address == VICTIM_ADDRESS


def test_behind_one_proxy_each_client_has_its_own_lock_and_forged_entries_change_nothing(client, victim, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker forges the victim's address at the left; the proxy appends the attacker's real one.
    forged = f"{VICTIM_ADDRESS}, {ATTACKER_ADDRESS}"
    statuses = [sign_in(client, victim.username, "wrong", PROXY, forwarded=forged).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER_ADDRESS}
    # Through the same proxy, the victim's own address is not locked (nor is the proxy's).
    assert sign_in(client, victim.username, PASSWORD, PROXY, forwarded=VICTIM_ADDRESS).status_code == 302
    assert AccessLog.objects.get(username=victim.username).ip_address == VICTIM_ADDRESS


def test_with_no_trusted_proxy_a_changing_forged_header_does_not_escape_the_lock(client, victim, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [sign_in(client, victim.username, "wrong", ATTACKER_ADDRESS, forwarded=f"192.0.2.{n}").status_code
                for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_a_successful_sign_in_clears_that_users_failures_from_that_address(client, victim):
    for _ in range(4):
        assert sign_in(client, victim.username, "wrong", VICTIM_ADDRESS).status_code == 200
    assert sign_in(client, victim.username, PASSWORD, VICTIM_ADDRESS).status_code == 302
    client.logout()
    assert [sign_in(client, victim.username, "wrong", VICTIM_ADDRESS).status_code for _ in range(4)] == [200] * 4


# Password spraying: one address, many usernames --------------------------------------------------------------------

def test_spraying_many_usernames_from_one_address_locks_that_address(client, victim, settings):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20
    targets = [UserFactory(role=Role.PRACTICE_USER, practice=victim.practice) for _ in range(20)]
    statuses = [sign_in(client, user.username, "Spring2026!", ATTACKER_ADDRESS).status_code for user in targets]
    assert statuses == [200] * 19 + [429]  # no username failed more than once: the address's 20th failure locks
    # From that address nobody signs in now, not even with the right password...
    locked = sign_in(client, victim.username, PASSWORD, ATTACKER_ADDRESS)
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    # ...and from any other address everyone does.
    assert sign_in(client, victim.username, PASSWORD, VICTIM_ADDRESS).status_code == 302


def test_the_sprayer_cannot_clear_the_address_count_by_signing_in_to_an_account_of_their_own(client, victim,
                                                                                            settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8  # fewer sign-ins (each hashes a password); the rule is the same
    own_account = UserFactory(role=Role.PRACTICE_USER, practice=victim.practice)
    for user in [UserFactory(role=Role.PRACTICE_USER, practice=victim.practice) for _ in range(7)]:
        assert sign_in(client, user.username, "Spring2026!", ATTACKER_ADDRESS).status_code == 200
    assert sign_in(client, own_account.username, PASSWORD, ATTACKER_ADDRESS).status_code == 302
    client.logout()
    assert sign_in(client, victim.username, "Spring2026!", ATTACKER_ADDRESS).status_code == 429  # the 8th


def test_below_the_address_limit_a_shared_address_keeps_working(client, victim):
    """Colleagues behind one practice address mistyping now and then are not locked out together."""
    colleagues = [UserFactory(role=Role.PRACTICE_USER, practice=victim.practice) for _ in range(6)]
    for user in colleagues:
        for _ in range(3):
            assert sign_in(client, user.username, "typo", VICTIM_ADDRESS).status_code == 200
    assert sign_in(client, victim.username, PASSWORD, VICTIM_ADDRESS).status_code == 302


# The API throttle counts the same address ------------------------------------------------------------------------

def _public_schema(client, address, forwarded):
    return client.get("/api/v1/schema/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.fixture
def anonymous_api(settings):
    """The schema open to anonymous callers (API_DOCS_PUBLIC), whose allowance is per client address."""
    settings.API_DOCS_PUBLIC = True
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/hour"}}


def test_the_api_throttle_ignores_a_forged_header_without_a_proxy(client, db, settings, anonymous_api):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [_public_schema(client, ATTACKER_ADDRESS, f"192.0.2.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert error_of(_public_schema(client, ATTACKER_ADDRESS, "192.0.2.99"), 429)["code"] == "throttled"
    assert _public_schema(client, VICTIM_ADDRESS, ATTACKER_ADDRESS).status_code == 200  # another connection


def test_the_api_throttle_counts_the_client_behind_one_proxy(client, db, settings, anonymous_api):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [_public_schema(client, PROXY, f"192.0.2.{n}, {ATTACKER_ADDRESS}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # forged left entries do not make new clients
    assert _public_schema(client, PROXY, VICTIM_ADDRESS).status_code == 200  # another client of the same proxy
