"""What every signed-in page pays for (issue: sign-in costs little): the session is read from Redis and written
through to the database (core/session_store.py); the signed-in user and the header's unread count are kept for
the session (core/session_cache.py) and worked out again as soon as they change; a Redis that cannot be reached
costs a query, never a page."""

import uuid
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import User
from core.roles import Role
from core.session_cache import SessionCache
from forwardplans import notifications
from forwardplans.delivery import Candidate, claim
from forwardplans.job_models import ReminderKind

from .. import servers

SHELL = "/bench/baseline-page/?bytes=2000"


@pytest.fixture
def shell(settings):
    """The benchmark's page shell (base.jinja around fixed text): what a page costs before its own work."""
    settings.ROOT_URLCONF = "bench.urls"
    return SHELL


def _queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    return response, [query["sql"] for query in context.captured_queries]


def test_a_signed_in_page_shell_makes_no_query_once_the_session_has_been_read(client, world, shell):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    client.force_login(lead)
    first, _ = _queries(client, shell)
    assert first.status_code == 200
    response, queries = _queries(client, shell)
    assert response.status_code == 200 and b"Log out" in response.content
    assert queries == []
    # The database keeps the session too, for when Redis restarts.
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_a_signed_in_page_shell_reads_redis_twice_the_session_then_every_kept_value(client, world, shell,
                                                                                     monkeypatch):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    assert client.get(shell).status_code == 200  # the user and the unread count worked out and kept
    redis_client = cache._cache.get_client()
    commands = []
    execute = redis_client.execute_command
    monkeypatch.setattr(redis_client, "execute_command", lambda *args, **kw: commands.append(args[0]) or
                        execute(*args, **kw))
    response, queries = _queries(client, shell)
    assert b"Log out" in response.content and queries == []
    assert commands == ["GET", "MGET"]


def test_a_change_to_the_user_is_seen_on_their_next_request(client, world, shell):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    client.force_login(lead)
    assert b"Risk register" in client.get(shell).content
    User.objects.filter(pk=lead.pk).update(role=Role.PRACTICE_USER)  # an update() that bypasses save()
    assert b"Risk register" not in client.get(shell).content
    lead.role = Role.COMMISSIONER_LEAD
    lead.save()
    assert b"Risk register" in client.get(shell).content


def test_a_deactivated_user_or_a_changed_password_ends_the_session_at_the_next_request(client, world, shell):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    client.force_login(lead)
    assert b"Log out" in client.get(shell).content
    lead.set_password("a-brand-new-password-99")
    lead.save()
    assert b"Log out" not in client.get(shell).content

    client.force_login(lead)
    assert b"Log out" in client.get(shell).content
    User.objects.filter(pk=lead.pk).update(is_active=False)
    home = client.get(reverse("contracts:list"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("login"))


def test_a_value_worked_out_before_a_change_and_kept_after_it_is_not_used(db):
    kept = SessionCache(f"test-generations-{uuid.uuid4().hex}")  # nothing kept from an earlier run
    calls = []

    def request(session_key="session-a"):  # each request has its own session object
        return SimpleNamespace(session_key=session_key)

    def work_out_while_the_owner_changes():
        calls.append("old")
        kept.forget([7])  # the change commits while this request works the value out from what it read before
        return "old value"

    assert kept.get(request(), 7, work_out_while_the_owner_changes) == "old value"
    assert kept.get(request(), 7, lambda: calls.append("new") or "new value") == "new value"
    assert calls == ["old", "new"]
    assert kept.get(request(), 7, lambda: "not asked") == "new value"  # now kept
    assert kept.get(request("session-b"), 7, lambda: "its own") == "its own"  # each session keeps its own
    same = request()
    assert kept.get(same, 7, lambda: "not asked") == "new value"
    kept.forget([7])  # a change made by this request: what it read ahead is not used after it
    assert kept.get(same, 7, lambda: "changed") == "changed"


def test_the_unread_count_is_kept_for_the_session_and_follows_delivery_and_reading(client, world, shell):
    lead = world["users"][Role.PRACTICE_LEAD]
    client.force_login(lead)
    assert b"Notifications (" not in client.get(shell).content

    def deliver(item_id):
        claim([Candidate(lead.pk, "test", item_id, ReminderKind.FAILED, lead.date_joined.date(), "self", lead.pk,
                         "A job failed", "", "/")], email=False)

    deliver(1)
    response, queries = _queries(client, shell)
    assert b"Notifications (1)" in response.content
    assert len(queries) == 1  # counted again once, then kept
    response, queries = _queries(client, shell)
    assert b"Notifications (1)" in response.content and queries == []
    deliver(2)
    assert b"Notifications (2)" in client.get(shell).content
    notifications.mark_read(lead.notifications.order_by("pk").first())
    assert b"Notifications (1)" in client.get(shell).content
    notifications.mark_all_read(lead.notifications.all())
    assert b"Notifications (" not in client.get(shell).content


def test_pages_work_from_the_database_when_redis_cannot_be_reached(client, world, shell, settings):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    client.force_login(lead)
    assert b"Log out" in client.get(shell).content
    settings.CACHES = {"default": {"BACKEND": "core.shared_cache.PrefixedRedisCache", "KEY_PREFIX": "gone",
                                   "LOCATION": f"redis://127.0.0.1:{servers.free_port()}/0"}}
    response, queries = _queries(client, shell)
    assert response.status_code == 200 and b"Log out" in response.content
    assert any("django_session" in sql for sql in queries) and any("resilience_user" in sql for sql in queries)
    assert client.get(reverse("contracts:list")).status_code == 200


def test_signing_out_ends_the_session_in_redis_and_the_database(client, world, shell):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    client.force_login(lead)
    key = client.session.session_key
    client.get(shell)
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    response = client.get(reverse("contracts:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
