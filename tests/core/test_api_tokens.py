"""API tokens in the application: each person lists, makes (the secret shown once) and revokes their own under
/accounts/api-tokens/; RCGP admin lists and revokes everyone's; anyone else's token answers 404. Every token
expires, and an expired or revoked one answers 401 with the API's error body."""

import datetime
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from core.api_tokens import api_token_create
from core.models import ApiToken
from core.roles import Role

from ..api_support import Api, error_of, fresh_throttle_cache  # noqa: F401
from ..factories import UserFactory

pytestmark = pytest.mark.django_db
R = Role
PRACTICES = "/api/v1/practices/"
OWN, ALL, REVOKE = reverse("api_tokens"), reverse("api_tokens_all"), reverse("api_token_revoke")


def make_token(client, name="Quarterly figures", days="90"):
    return client.post(OWN, {"name": name, "days": days})


def secret_on(response):
    match = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', response.content.decode())
    return match and match.group(1)


# The owner's page ----------------------------------------------------------------------------------------------

def test_the_owner_makes_a_token_sees_its_secret_once_and_it_works_until_it_expires(client, world):
    nhse = world["users"][R.NHSE_REPORTING]
    client.force_login(nhse)
    page = client.get(OWN)
    assert page.status_code == 200 and "You have no API tokens." in page.content.decode()
    assert 'value="90"' in page.content.decode()  # the default lifetime, API_TOKEN_DAYS

    response = make_token(client, days="90")
    assert response.status_code == 200
    secret = secret_on(response)
    token = ApiToken.objects.get(user=nhse)
    assert secret and token.prefix == secret[:8] and token.name == "Quarterly figures"
    assert abs(token.expires_at - (token.created_at + datetime.timedelta(days=90))) < datetime.timedelta(seconds=5)
    assert secret not in client.get(OWN).content.decode()  # shown only the once
    assert "no-store" in response["Cache-Control"]

    client.logout()
    assert Api(client, key=secret).get(PRACTICES).status_code == 200
    client.force_login(nhse)
    html = client.get(OWN).content.decode()
    row = html[html.index(f'id="token-{token.pk}"'):]
    row = row[:row.index("</tr>")]
    for shown in ("Quarterly figures", f"{token.prefix}…", "Active"):
        assert shown in row
    assert "Never" not in row  # last used: now a date
    assert row.count(str(timezone.localtime(token.expires_at).year)) >= 1

    # The day it expires, it stops working, with the API's error body.
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.logout()
    error = error_of(Api(client, key=secret).get(PRACTICES), 401)
    assert error == {"status": 401, "code": "authentication_failed", "detail": "Invalid, expired or revoked token.",
                     "fields": {}}
    client.force_login(nhse)
    assert "Expired" in client.get(OWN).content.decode()


@pytest.mark.parametrize(("name", "days", "field", "message"), [
    ("", "90", "name", "Enter a name for the token"),
    ("   ", "90", "name", "Enter a name for the token"),
    ("x" * 101, "90", "name", "Name must be 100 characters or fewer"),
    ("Figures", "", "days", "Enter how many days the token lasts"),
    ("Figures", "0", "days", "A token must last at least 1 day"),
    ("Figures", "367", "days", "A token can last at most 366 days"),
    ("Figures", "ninety", "days", "as a whole number"),
])
def test_bad_input_is_explained_kept_and_saves_nothing(client, world, name, days, field, message):
    client.force_login(world["users"][R.PRACTICE_USER])
    response = make_token(client, name=name, days=days)
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html and f'href="#id_{field}"' in html and message in html
    assert f'id="id_{field}"' in html
    if name.strip() and field == "days":
        assert f'value="{name}"' in html  # what was typed is kept
    assert not ApiToken.objects.exists() and secret_on(response) is None


def test_a_token_is_always_made_for_whoever_asks(client, world):
    practice_user, nhse = world["users"][R.PRACTICE_USER], world["users"][R.NHSE_REPORTING]
    client.force_login(practice_user)
    client.post(OWN, {"name": "Mine", "days": "30", "user": nhse.pk, "owner": nhse.pk})
    assert list(ApiToken.objects.values_list("user", flat=True)) == [practice_user.pk]


def test_the_owner_revokes_a_token_and_it_stops_at_once(client, world):
    user = world["users"][R.PRACTICE_LEAD]
    token, secret = api_token_create(owner=user, name="Script", actor=user)
    kept, kept_secret = api_token_create(owner=user, name="Other", actor=user)
    client.force_login(user)
    response = client.post(REVOKE, {"token": token.pk})
    assert response.status_code == 302 and response["Location"] == OWN
    assert f"Token {token.prefix}… revoked" in client.get(OWN).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    first = token.revoked_at
    again = client.post(REVOKE, {"token": token.pk}, follow=True)
    assert "was already revoked" in again.content.decode()
    token.refresh_from_db()
    assert token.revoked_at == first
    client.logout()
    assert error_of(Api(client, key=secret).get(PRACTICES), 401)["code"] == "authentication_failed"
    assert Api(client, key=kept_secret).get(PRACTICES).status_code == 200


# RCGP admin's page ---------------------------------------------------------------------------------------------

def test_rcgp_admin_lists_everyones_tokens_without_secrets_and_revokes_one(client, world):
    users = world["users"]
    tokens = {role: api_token_create(owner=users[role], name=f"{role} laptop", actor=users[role])
              for role in (R.NHSE_REPORTING, R.PRACTICE_USER)}
    admin = users[R.RCGP_ADMIN]
    client.force_login(admin)
    assert reverse("api_tokens_all") in client.get(OWN).content.decode()  # linked from the admin's own page
    html = client.get(ALL).content.decode()
    for role, (token, secret) in tokens.items():
        assert users[role].username in html and f"{role} laptop" in html and f"{token.prefix}…" in html
        assert secret not in html and token.key_hash not in html
    token, secret = tokens[R.NHSE_REPORTING]
    response = client.post(REVOKE, {"token": token.pk, "back": "all"})
    assert response.status_code == 302 and response["Location"] == ALL
    assert f"Token {token.prefix}… of {users[R.NHSE_REPORTING].username} revoked" in client.get(ALL).content.decode()
    client.logout()
    assert error_of(Api(client, key=secret).get(PRACTICES), 401)["code"] == "authentication_failed"
    assert Api(client, key=tokens[R.PRACTICE_USER][1]).get(PRACTICES).status_code == 200
    client.force_login(users[R.NHSE_REPORTING])
    assert "Revoked" in client.get(OWN).content.decode()  # the owner sees what happened


# Who may do what: every role, every URL and verb -------------------------------------------------------------------

def _status(client, method, url, data=None):
    return (client.get(url) if method == "GET" else client.post(url, data or {})).status_code


def test_permission_matrix(client, world):
    users = world["users"]
    stranger = UserFactory(role=R.NHSE_REPORTING, username="stranger")
    wrong = []
    for role in [None, *Role.values]:
        others_token, _ = api_token_create(owner=stranger, name="Someone else's", actor=stranger)
        client.logout()
        if role is None:
            own_token = None
        else:
            user = users[role]
            own_token, _ = api_token_create(owner=user, name="Own", actor=user)
            client.force_login(user)
        admin = role == R.RCGP_ADMIN
        cases = [
            ("GET", OWN, None, 200 if role else 302),
            ("POST", OWN, {"name": "New", "days": "7"}, 200 if role else 302),
            ("GET", ALL, None, 200 if admin else (404 if role else 302)),
            ("POST", ALL, {}, 405 if admin else (404 if role else 302)),
            ("GET", REVOKE, None, 405 if role else 302),
            ("POST", REVOKE, {"token": others_token.pk}, 302 if admin else (404 if role else 302)),
            ("POST", REVOKE, {"token": "not-a-number"}, 404 if role else 302),
            ("POST", REVOKE, {"token": 10**9}, 404 if role else 302),
        ]
        if own_token is not None:
            cases.append(("POST", REVOKE, {"token": own_token.pk}, 302))
        for method, url, data, expected in cases:
            status = _status(client, method, url, data)
            if status != expected:
                wrong.append((role, method, url, data, expected, status))
        others_token.refresh_from_db()
        if (others_token.revoked_at is not None) != admin:
            wrong.append((role, "revoked someone else's token" if not admin else "could not revoke"))
        if own_token is not None:
            own_token.refresh_from_db()
            if own_token.revoked_at is None:
                wrong.append((role, "could not revoke their own token"))
        made = ApiToken.objects.filter(name="New")
        if made.count() != (1 if role else 0) or (role and made.get().user_id != users[role].pk):
            wrong.append((role, "made", list(made.values_list("user", flat=True))))
        made.delete()
    assert wrong == []


def test_an_inactive_users_tokens_are_not_listed_to_them_and_they_cannot_sign_in_to_see_them(client, world):
    user = world["users"][R.PRACTICE_USER]
    _token, secret = api_token_create(owner=user, name="Old", actor=user)
    user.is_active = False
    user.save()
    client.force_login(user)
    assert client.get(OWN).status_code == 302  # an inactive user is not signed in
    client.logout()
    assert error_of(Api(client, key=secret).get(PRACTICES), 401)["code"] == "authentication_failed"


# The migration: tokens made before expiry was required get one --------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_tokens_without_an_expiry_one(settings):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [("resilience", "0002_apitoken")]
    fixed = timezone.now() + datetime.timedelta(days=3)
    try:
        executor.migrate(before)
        apps = executor.loader.project_state(before).apps
        User, OldToken = apps.get_model("resilience", "User"), apps.get_model("resilience", "ApiToken")
        owner = User.objects.create(username="old-owner", password="!")
        OldToken.objects.create(user=owner, name="open", prefix="aaaaaaaa", key_hash="a" * 64, expires_at=None)
        OldToken.objects.create(user=owner, name="dated", prefix="bbbbbbbb", key_hash="b" * 64, expires_at=fixed)
        started = timezone.now()
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    days = datetime.timedelta(days=settings.API_TOKEN_DAYS)
    open_token = ApiToken.objects.get(name="open")
    assert started + days <= open_token.expires_at <= timezone.now() + days
    assert ApiToken.objects.get(name="dated").expires_at == fixed
    field = ApiToken._meta.get_field("expires_at")
    assert not field.null
