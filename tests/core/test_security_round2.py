"""Smaller security items, each through its real door: the API's per-token limit over real HTTP to several gunicorn
worker processes; the API's schema and docs for signed-in users only; the demo's RCGP admin without superuser
powers; a new password that must differ from the current one; and spreadsheet downloads (CSV and XLSX) of text
holding every C0 control character and every formula lead."""

import collections
import csv
import io
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.request

import openpyxl
import pytest
import redis
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.urls import reverse

from api.auth import issue_token
from core.models import User
from core.roles import Role
from forwardplans.models import Action

from .. import servers
from ..api_support import Api, error_of, fresh_throttle_cache  # noqa: F401
from ..factories import PASSWORD

R = Role


# b) The per-token limit holds across worker processes ------------------------------------------------------------

LIMIT = 5


@pytest.fixture
def gunicorn_workers(tmp_path):
    """gunicorn on the test database with 3 single-threaded worker processes, the API limited to LIMIT requests an
    hour per token, and an access log naming the process that answered each request."""
    assert os.environ.get("REDIS_URL"), "the shared cache is Redis: run the suite with REDIS_URL"
    access_log = tmp_path / "access.log"
    with servers.gunicorn(tmp_path, "--workers", "3", "--worker-class", "sync", "--access-logfile", str(access_log),
                          "--access-logformat", "%(p)s %(s)s %(U)s",
                          env={"API_THROTTLE_RATE": f"{LIMIT}/hour"}) as (base, _port, _process):
        yield base, access_log


def _get(url, token):
    assert url.startswith("http://127.0.0.1:"), url  # only the test's own server
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  # nosec B310 - our own server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_the_per_token_limit_holds_across_worker_processes(world, gunicorn_workers):
    base, access_log = gunicorn_workers
    _token, key = issue_token(world["users"][R.NHSE_REPORTING], name="load test")
    _other, other_key = issue_token(world["users"][R.NHSE_REPORTING], name="another client")
    url = f"{base}/api/v1/practices/"
    results = []
    for _burst in range(5):  # bursts of three at once, so that every worker process answers some
        burst = [None] * 3
        threads = [threading.Thread(target=lambda i=i, into=burst: into.__setitem__(i, _get(url, key)))
                   for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        results += burst
    statuses = collections.Counter(status for status, _body in results)
    assert statuses == {200: LIMIT, 429: 15 - LIMIT}, statuses
    refused = json.loads(next(body for status, body in results if status == 429))
    assert refused["error"]["status"] == 429 and refused["error"]["code"] == "throttled"
    assert _get(url, other_key)[0] == 200  # another token has its own allowance

    time.sleep(0.5)  # the access log is written after each response
    lines = [line.split() for line in access_log.read_text().splitlines() if "/api/v1/practices/" in line]
    processes = {pid for pid, _status, _path in lines}
    assert len(lines) == 16 and len(processes) >= 2, lines  # more than one process answered, and all held the limit


def test_clearing_the_shared_cache_leaves_the_celery_brokers_keys_alone():
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCacheClient

    assert isinstance(cache._cache, RedisCacheClient)  # the shared Redis cache
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    binding = f"_kombu.binding.test-{os.getpid()}"
    broker.set(binding, "queue")
    try:
        cache.set("throttle_api_token-x", 3)
        cache.clear()
        assert cache.get("throttle_api_token-x") is None
        assert broker.get(binding) == b"queue"
    finally:
        broker.delete(binding)


@pytest.mark.django_db
def test_with_redis_down_the_api_still_answers_unthrottled(client, world, settings, caplog):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.CACHES = {"default": {"BACKEND": "core.shared_cache.PrefixedRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}/0", "KEY_PREFIX": "resilience"}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "1/hour"}}
    api = Api(client, world["users"][R.NHSE_REPORTING])
    assert [api.get("/api/v1/practices/").status_code for _ in range(3)] == [200, 200, 200]
    assert "the cache is unavailable" in caplog.text


# d) The schema and the docs page need sign-in ---------------------------------------------------------------------

SCHEMA, DOCS = "/api/v1/schema/", "/api/docs/"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_for_the_docs_and_refused_the_schema(client, db, settings):
    assert settings.API_DOCS_PUBLIC is False
    for path in (DOCS, f"{DOCS}?script="):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next=")
    response = client.get(SCHEMA)
    assert error_of(response, 401)["code"] == "not_authenticated" and response["WWW-Authenticate"] == "Token"
    assert error_of(client.get(DOCS, headers={"Authorization": "Token wrong"}), 401)["code"] == \
        "authentication_failed"


@pytest.mark.django_db
def test_signed_in_and_token_users_read_the_docs_and_the_schema(client, world):
    client.force_login(world["users"][R.PRACTICE_USER])
    assert client.get(DOCS).status_code == 200
    assert client.get(DOCS, {"script": ""}).status_code == 200
    assert client.get(SCHEMA, headers={"Accept": "application/vnd.oai.openapi+json"}).json()["openapi"]
    client.logout()
    api = Api(client, world["users"][R.NHSE_REPORTING])
    assert api.get(SCHEMA, Accept="application/vnd.oai.openapi+json").json()["openapi"].startswith("3.")
    assert api.get(DOCS).status_code == 200


@pytest.mark.django_db
def test_api_docs_public_opens_them_to_everyone(client, db, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get(DOCS).status_code == 200
    assert client.get(SCHEMA, headers={"Accept": "application/vnd.oai.openapi+json"}).json()["openapi"]


# e) The demo's RCGP admin is not a Django superuser -------------------------------------------------------------

@pytest.mark.django_db
def test_the_demo_rcgp_admin_has_its_role_not_superuser_powers_and_can_still_do_its_work(client, settings):
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(username="demo-rcgp_admin")
    assert admin.role == R.RCGP_ADMIN and not admin.is_superuser and not admin.is_staff
    assert not User.objects.filter(username__startswith="demo-", is_superuser=True).exists()

    response = client.post(reverse("login"), {"username": admin.username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "Contracts today" in home and "Referrals waiting for acknowledgement or assessment" in home
    assert reverse("reports:programme_figures") in home  # the RCGP admin's own home page, by role
    for name in ("practices:list", "contracts:list", "contracts:board", "contracts:commission", "referrals:list",
                 "reports:programme_figures", "api_tokens_all", "jobs:notifications"):
        assert client.get(reverse(name)).status_code == 200, name
    # Every contract, whoever's it is (docs/domain.md §8: RCGP admin works on every contract), with its access log.
    for reference in ("DEMO-SHARED", "DEMO-REPORT"):
        assert client.get(reverse("contracts:detail", args=[reference])).status_code == 200, reference
        assert client.get(reverse("forwardplans:access_log", args=[reference])).status_code == 200, reference
    assert "/admin/" not in client.get(reverse("practices:list")).content.decode()  # no Django admin link
    assert client.get("/admin/").status_code == 302  # the Django admin sends a non-staff user to its own login

    # An older demo database made it a superuser: seeding again takes that away.
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    call_command("seed_demo", stdout=io.StringIO())
    admin.refresh_from_db()
    assert not admin.is_superuser and not admin.is_staff


# f) A new password must differ from the current one -------------------------------------------------------------

@pytest.mark.django_db
def test_the_password_change_page_refuses_the_current_password_as_the_new_one(client, world):
    user = world["users"][R.PRACTICE_USER]
    stored = user.password
    client.force_login(user)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_new_password2"' in html
    assert "Your new password must be different from your current password." in html
    user.refresh_from_db()
    assert user.password == stored

    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a-different-long-passphrase",
        "new_password2": "a-different-long-passphrase"})
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert check_password("a-different-long-passphrase", user.password)


# g) Spreadsheet downloads: formula leads neutralised, control characters removed -----------------------------------

FORMULA_LEADS = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r"]
# Every C0 control character PostgreSQL can store (it refuses NUL in text).
C0 = "".join(chr(n) for n in range(1, 32))
# The controls that are neither a tab nor a line break: removed, whatever their place (so they cannot hide a lead).
REMOVED = "".join(chr(n) for n in [*range(1, 9), *range(14, 32)])
FORBIDDEN_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.fixture
def hostile_plan(docs):
    """DOC-1's plan with an action for each formula lead, one whose text holds every C0 control character and one
    whose controls come before an =. Written straight to the rows, as text stored before any normalisation would
    be. The same text is in the regulation, which the API's export also carries."""
    plan, first = docs["plan"], docs["action"]

    def action_with(**text):
        action = Action.objects.get(pk=first.pk)
        action.pk = action.id = None
        action.save()
        Action.objects.filter(pk=action.pk).update(**text)

    for n, lead in enumerate(FORMULA_LEADS):
        formula = f'{lead}HYPERLINK("http://evil.example/{n}","x")'
        action_with(action_planned=formula, regulation=formula)
    action_with(underlying_issue=f"{REMOVED}=1+1", regulation=f"{REMOVED}=1+1")
    Action.objects.filter(pk=first.pk).update(problem=f"Soft{C0}break", regulation=f"Soft{C0}break")
    assert Action.objects.get(pk=first.pk).problem == f"Soft{C0}break"  # stored as typed
    return plan


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))


def _xlsx(response):
    assert response.status_code == 200, response.content[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula anywhere
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _check(rows, planned_column, problem_column, underlying_column):
    header, body = rows[0], rows[1:]
    planned = sorted(row[planned_column] for row in body if "evil.example" in str(row[planned_column]))
    # A carriage return is a line break: one way of writing it (core/text.py), and a lead like the others.
    expected = sorted("'" + ("\n" if lead == "\r" else lead) + f'HYPERLINK("http://evil.example/{n}","x")'
                      for n, lead in enumerate(FORMULA_LEADS))
    assert planned == expected, (header, planned)
    # Tab and line feed stay; vertical tab, form feed and carriage return end a line; every other control goes.
    assert [row[problem_column] for row in body if str(row[problem_column]).startswith("Soft")] == \
        ["Soft\t\n\n\n\nbreak"]
    assert [row[underlying_column] for row in body if "=1+1" in str(row[underlying_column])] == ["'=1+1"]
    for row in rows:
        for value in row:
            assert not FORBIDDEN_IN_XML.search(str(value or "")), repr(value)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_plan_downloads_neutralise_every_formula_lead_and_drop_control_characters(client, world, hostile_plan, fmt):
    client.force_login(world["users"][R.PRACTICE_USER])
    response = client.get(reverse("forwardplans:plan", args=["DOC-1"]), {"format": fmt})
    rows = _csv(response) if fmt == "csv" else _xlsx(response)
    header = rows[0]
    _check(rows, header.index("Action (SMART)"), header.index("Problem"), header.index("Underlying issue"))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_api_downloads_neutralise_every_formula_lead_and_drop_control_characters(client, world, hostile_plan, fmt):
    api = Api(client, world["users"][R.PRACTICE_USER])
    response = api.get("/api/v1/actions/", {"contract": "DOC-1", "format": fmt})
    rows = _csv(response) if fmt == "csv" else _xlsx(response)
    header = rows[0]
    column = header.index("regulation")  # the API leaves the plan's other free text out
    _check(rows, column, column, column)
