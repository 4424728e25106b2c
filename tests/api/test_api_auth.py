import datetime
import hashlib
import io
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from api.auth import issue_token
from core.api_tokens import revoke_tokens
from core.models import ApiToken
from core.roles import Role

from ..api_support import Api, error_of, fresh_throttle_cache  # noqa: F401
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PRACTICES = "/api/v1/practices/"


def create_token(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_the_token_once_and_stores_only_its_hash(client, world):
    nhse = world["users"][Role.NHSE_REPORTING]
    out, err = create_token(nhse.username, "--name", "Quarterly figures")
    key = out.strip()
    assert len(key) >= 40 and "\n" not in key
    token = ApiToken.objects.get(user=nhse)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8] and token.name == "Quarterly figures"
    assert token.revoked_at is None
    # Every token expires: API_TOKEN_DAYS (90) unless asked otherwise.
    assert abs(token.expires_at - (token.created_at + datetime.timedelta(days=90))) < datetime.timedelta(seconds=5)
    assert key not in err and token.prefix in err and "only this once" in err
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert key not in stored
    response = Api(client, key=key).get(PRACTICES)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_command_can_set_an_expiry(world):
    before = timezone.now()
    create_token(world["users"][Role.NHSE_REPORTING].username, "--expires-days", "30")
    token = ApiToken.objects.get()
    assert before + datetime.timedelta(days=30) <= token.expires_at <= timezone.now() + datetime.timedelta(days=30)


@pytest.mark.parametrize(("args", "message"), [
    (["nobody"], "No user 'nobody'"),
    (["{user}", "--expires-days", "0"], "at least one day"),
    (["{user}", "--expires-days", "367"], "at most 366 days"),
])
def test_command_refuses(world, args, message):
    args = [a.format(user=world["users"][Role.NHSE_REPORTING].username) for a in args]
    with pytest.raises(CommandError, match=message):
        create_token(*args)
    assert not ApiToken.objects.exists()


def test_command_refuses_an_inactive_user(db):
    user = UserFactory(role=Role.NHSE_REPORTING, is_active=False)
    with pytest.raises(CommandError, match="not active"):
        create_token(user.username)


def test_no_token_answers_401_with_the_error_body(client, world):
    response = client.get(PRACTICES)
    error = error_of(response, 401)
    assert error["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token", "Token a b", "token \xe9"])
def test_a_bad_token_answers_401(client, world, header):
    response = client.get(PRACTICES, headers={"Authorization": header})
    assert error_of(response, 401)["code"] == "authentication_failed"


def test_expired_revoked_and_inactive_tokens_answer_401(client, world):
    nhse = world["users"][Role.NHSE_REPORTING]
    expired, expired_key = issue_token(nhse, expires_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert error_of(Api(client, key=expired_key).get(PRACTICES), 401)["code"] == "authentication_failed"

    revoked, revoked_key = issue_token(nhse)
    assert Api(client, key=revoked_key).get(PRACTICES).status_code == 200
    assert revoke_tokens(ApiToken.objects.filter(pk=revoked.pk)) == 1
    assert error_of(Api(client, key=revoked_key).get(PRACTICES), 401)["detail"] == "Invalid, expired or revoked token."

    _token, key = issue_token(nhse)
    nhse.is_active = False
    nhse.save()
    assert error_of(Api(client, key=key).get(PRACTICES), 401)["code"] == "authentication_failed"


def test_revoking_keeps_the_first_revocation_date(world):
    token, _key = issue_token(world["users"][Role.NHSE_REPORTING])
    revoke_tokens(ApiToken.objects.all())
    first = ApiToken.objects.get().revoked_at
    assert revoke_tokens(ApiToken.objects.all()) == 0
    assert ApiToken.objects.get().revoked_at == first


def test_admin_lists_tokens_without_secrets_and_revokes_them(client, world):
    admin = UserFactory(is_staff=True, is_superuser=True)
    token, key = issue_token(world["users"][Role.NHSE_REPORTING], name="Analyst laptop")
    client.force_login(admin)
    html = client.get("/admin/resilience/apitoken/").content.decode()
    assert token.prefix in html and "Analyst laptop" in html and "active" in html
    assert key not in html and token.key_hash not in html
    detail = client.get(f"/admin/resilience/apitoken/{token.pk}/change/").content.decode()
    assert key not in detail and token.key_hash not in detail
    assert client.get("/admin/resilience/apitoken/add/").status_code == 403
    response = client.post("/admin/resilience/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert Api(client, key=key).get(PRACTICES).status_code == 401


def test_session_login_works_for_browser_users(client, world):
    client.force_login(world["users"][Role.NHSE_REPORTING])
    response = client.get(PRACTICES, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_a_user_without_a_role_sees_nothing(client, db):
    api = Api(client, UserFactory(role=""))
    response = api.get(PRACTICES)
    assert response.status_code == 200 and response.json()["results"] == []


# Throttling ---------------------------------------------------------------------------------------

def low_rate(rate):
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": rate}})


def test_throttling_is_per_token_and_answers_429_with_the_error_body(client, world):
    nhse = world["users"][Role.NHSE_REPORTING]
    first, second = Api(client, nhse), Api(client, nhse)
    with low_rate("3/minute"):
        for _ in range(3):
            assert first.get(PRACTICES).status_code == 200
        response = first.get(PRACTICES)
        error = error_of(response, 429)
        assert error["code"] == "throttled" and "available in" in error["detail"]
        assert int(response["Retry-After"]) > 0
        # Another token of the same user has its own allowance.
        assert second.get(PRACTICES).status_code == 200
        # An export that is throttled still answers with the JSON error body.
        assert error_of(first.get(PRACTICES, {"format": "csv"}), 429)["code"] == "throttled"


# Schema and docs ----------------------------------------------------------------------------------

def test_schema_is_openapi_3_for_token_users(client, world):
    response = Api(client, world["users"][Role.PRACTICE_USER]).get(
        "/api/v1/schema/", Accept="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in ("/api/v1/practices/", "/api/v1/practices/{ods_code}/", "/api/v1/inspections/", "/api/v1/contracts/",
                 "/api/v1/forward-plans/summary/", "/api/v1/actions/", "/api/v1/actions/{id}/",
                 "/api/v1/reports/programme-outcomes/", "/api/v1/reports/funding/", "/api/v1/reports/rag/"):
        assert path in paths
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def test_docs_serve_their_assets_locally_and_no_inline_script(client, world):
    client.force_login(world["users"][Role.NHSE_REPORTING])
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/' in attributes for attributes in scripts)  # local files, nothing inline
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and b"/api/v1/schema/" in script.content


def test_an_unexpected_error_is_a_json_500_with_the_error_body(rf):
    from rest_framework.request import Request

    from api.errors import api_exception_handler

    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        response = api_exception_handler(exc, {"request": Request(rf.get("/api/v1/practices/"))})
    assert response.status_code == 500
    assert response.data == {"error": {"status": 500, "code": "server_error",
                                       "detail": "Something went wrong on our side.", "fields": {}}}
