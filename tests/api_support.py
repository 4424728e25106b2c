"""Helpers for the API tests (tests/api/test_*.py): a token-authenticated client and a clean throttle cache."""

import json

import pytest
from django.core.cache import cache

from api.auth import issue_token


@pytest.fixture(autouse=True)
def fresh_throttle_cache():
    """Throttle counts live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


class Api:
    """The Django test client with ``Authorization: Token <token>`` for one user."""

    def __init__(self, client, user=None, key=None):
        self.client = client
        self.user = user
        self.key = key or (issue_token(user)[1] if user is not None else None)

    def headers(self, **extra):
        headers = {"Authorization": f"Token {self.key}"} if self.key else {}
        headers.update(extra)
        return headers

    def get(self, url, params=None, **headers):
        return self.client.get(url, params or {}, headers=self.headers(**headers))

    def patch(self, url, body, **headers):
        return self.client.patch(url, json.dumps(body), content_type="application/json",
                                 headers=self.headers(**headers))


def api_for(client, world, role):
    return Api(client, world["users"][role])


def error_of(response, status):
    """The error body, checked for its shape and status."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "detail", "fields"}
    assert body["error"]["status"] == status
    return body["error"]
