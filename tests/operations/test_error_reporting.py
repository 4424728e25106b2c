"""Error reporting (operations/error_reporting.py): an unhandled exception in a view and one in a Celery task
reach a Sentry-compatible endpoint (a local HTTP server this test starts, which records every envelope it
receives), with no free text, e-mail address, cookie, query value or request body anywhere in what it got."""

import contextlib
import gzip
import http.server
import json
import threading
import uuid
import zlib

import pytest
import sentry_sdk
from django.http import HttpResponse
from django.urls import path

from core.roles import Role
from operations import error_reporting
from resilience.celery import app

from ..celery_worker import wait_for

EMAIL = "jo.bloggs@example.org"
NOTE = "Patient disclosed a safeguarding concern at the practice"
NHS_NUMBER = "943 476 5919"
QUERY_VALUE = "Bloggs-surname-search"


class Received:
    """What the endpoint was sent: (path, headers, decoded body) for each POST."""

    def __init__(self):
        self.posts = []

    def text(self):
        return "\n".join(f"{p}\n{json.dumps(h)}\n{body}" for p, h, body in self.posts)

    def events(self):
        """The ``event`` items of the envelopes received."""
        found = []
        for _path, _headers, body in self.posts:
            lines = body.split("\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                with contextlib.suppress(ValueError):
                    if json.loads(header).get("type") == "event":
                        found.append(json.loads(payload))
        return found


def _decode(body, encoding):
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


@pytest.fixture
def sentry_endpoint():
    """A local HTTP server taking Sentry's envelope POSTs: yield (DSN, Received)."""
    received = Received()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            decoded = _decode(body, self.headers.get("Content-Encoding", "")).decode("utf-8", "replace")
            received.posts.append((self.path, dict(self.headers), decoded))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://public{uuid.uuid4().hex[:8]}@127.0.0.1:{server.server_address[1]}/42", received
    finally:
        server.shutdown()
        server.server_close()


def _assert_nothing_personal(received, *also):
    text = received.text()
    for personal in (EMAIL, NOTE, "safeguarding", NHS_NUMBER, "9434765919", QUERY_VALUE, *also):
        assert personal not in text, personal


def failing_view(request):
    note, email = request.POST["note"], request.POST["email"]
    if note:
        raise ValueError(f"no account matches {email} (NHS number {NHS_NUMBER})")
    return HttpResponse("never")


urlpatterns = [path("fail/", failing_view)]


@pytest.fixture
def reporting_here(sentry_endpoint):
    """Error reporting switched on in this (web) process, as SENTRY_DSN does at start-up; off afterwards."""
    dsn, received = sentry_endpoint
    client = error_reporting.init(dsn, environment="test-env", release="practice-resilience@test")
    try:
        yield received
    finally:
        client.close(timeout=5)
        sentry_sdk.get_global_scope().set_client(None)


def test_an_exception_in_a_view_reaches_the_endpoint_without_body_cookie_email_query_or_locals(
        reporting_here, world, settings):
    from django.test import Client

    settings.ROOT_URLCONF = __name__
    user = world["users"][Role.RCGP_ADMIN]
    user.email = "admin.person@example.org"
    user.save(update_fields=["email"])
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies["tracking"] = "cookie-value-that-must-not-leave"
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(f"/fail/?q={QUERY_VALUE}", {"note": NOTE, "email": EMAIL})

    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    (event,) = wait_for(reporting_here.events, timeout=10, message="the view's exception at the endpoint")
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "no account matches [email] (NHS number [number])"
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    assert event["environment"] == "test-env" and event["release"] == "practice-resilience@test"
    assert event["request"].get("query_string") in (None, "q=[Filtered]"), event["request"]
    assert set(event["request"]) <= {"method", "url", "query_string", "headers"}
    assert {name.lower() for name in event["request"]["headers"]} <= error_reporting.SAFE_HEADERS
    assert event["user"] == {"id": str(user.pk)}
    assert event["tags"]["request_id"]
    _assert_nothing_personal(reporting_here, session_cookie, "cookie-value-that-must-not-leave", user.email,
                             user.username)


def test_an_exception_in_a_celery_task_reaches_the_endpoint_without_arguments_locals_or_email(
        sentry_endpoint, start_worker, jobs_broker_url):
    dsn, received = sentry_endpoint
    queue = f"errors-test-{uuid.uuid4().hex[:10]}"
    start_worker(queue=queue, env={"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "worker-env",
                                   "DJANGO_SETTINGS_MODULE": "tests.operations.test_error_reporting_settings"})

    with app.connection_for_write(jobs_broker_url) as connection:
        result = app.send_task("tests.operations.fail_with_personal_data", args=[NOTE, EMAIL], queue=queue,
                               connection=connection)

    (event,) = wait_for(received.events, timeout=60, message="the task's exception at the endpoint")
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"].startswith("no account matches [email] after ")
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    assert event["environment"] == "worker-env"
    assert event["extra"]["celery-job"] == {"task_name": "tests.operations.fail_with_personal_data"}
    assert event["tags"]["task_id"] == result.id
    _assert_nothing_personal(received)
