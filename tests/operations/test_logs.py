"""Structured logs (operations/logs.py): one JSON line per request and per Celery task, the request's id carried
from the web request into the task it enqueued (a REAL Celery worker, tests/celery_worker.py, whose output is
read), the user's id and never their username, name or e-mail, and no personal data in other libraries' lines."""

import io
import json
import logging
import uuid

import pytest
import structlog
from django.urls import reverse

from core.roles import Role
from forwardplans import outbox
from forwardplans.job_models import OutboxJob, PdfStatus, StoredPdf
from operations import logs

from .. import servers
from ..celery_worker import publishing_to, wait_for

HTMX = {"HTTP_HX_REQUEST": "true"}
EMAIL = "jo.bloggs@example.org"


@pytest.fixture
def json_lines():
    """What this process logs, through the production JSON formatter, one parsed object a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)

    def read():
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    try:
        yield read
    finally:
        root.removeHandler(handler)


def _lines_of(text):
    """The JSON lines of a worker's output (it also has Celery's banner, which is not JSON)."""
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
    return found


def _request_lines(lines, event="request_finished"):
    return [line for line in lines if line.get("event") == event]


def test_a_requests_line_has_the_user_id_and_no_username_email_query_values_or_link_token(client, world,
                                                                                            json_lines):
    user = world["users"][Role.RCGP_ADMIN]
    user.email = EMAIL
    user.save(update_fields=["email"])
    client.force_login(user)

    response = client.get("/", {"q": "Dr Jo Bloggs", "page": "2"})
    client.get("/people/invitations/accept/secret-link-token-123/")

    finished = _request_lines(json_lines())
    assert len(finished) == 2, finished
    home, invitation = finished
    assert home["user_id"] == user.pk and home["code"] == response.status_code
    assert home["request"] == "GET /?q&page" and home["view"] and home["level"] in ("info", "warning")
    uuid.UUID(home["request_id"])
    assert home["ip"] == "127.0.0.1"
    assert invitation["request"] == "GET /people/invitations/accept/[token]/"
    assert invitation["request_id"] != home["request_id"]
    text = json.dumps(finished)
    for personal in (user.username, EMAIL, "Bloggs", user.first_name or user.username, "secret-link-token-123"):
        assert personal not in text


def test_other_librarys_lines_are_json_with_email_nhs_number_and_database_values_masked(json_lines):
    logging.getLogger("forwardplans.notifications").error(
        "e-mail for reminder %s failed for good: %s", 7, f"550 <{EMAIL}> unknown; NHS number 943 476 5919")
    logging.getLogger("django.db").warning(
        'duplicate key value violates unique constraint "u" DETAIL:  Key (name)=(Ashgrove Surgery) already exists.')

    first, second = json_lines()
    assert first["event"] == "e-mail for reminder 7 failed for good: 550 <[email]> unknown; NHS number [number]"
    assert first["level"] == "error" and first["logger"] == "forwardplans.notifications" and first["timestamp"]
    assert second["event"].endswith("Key (name)=([value]) already exists.")


def test_the_request_id_follows_the_work_from_the_web_request_into_the_celery_task_it_enqueued(
        client, docs, start_worker, jobs_broker_url, json_lines):
    queue = f"logs-test-{uuid.uuid4().hex[:10]}"
    worker = start_worker(queue=queue, env={"LOG_FORMAT": "json"})
    user = docs["users"][Role.RCGP_ADVISER]
    user.email = EMAIL
    user.save(update_fields=["email"])
    client.force_login(user)

    with publishing_to(queue, jobs_broker_url):
        panel = client.post(reverse("jobs:pdf", args=["DOC-1", "report"]), **HTMX)
    assert panel.status_code == 200
    stored = wait_for(lambda: (pdf := StoredPdf.objects.filter(document="report").first())
                      and pdf.status != PdfStatus.PENDING and pdf, timeout=90,
                      message="the worker to render the report")
    assert stored.status == PdfStatus.READY, stored.error

    (web,) = _request_lines(json_lines())
    assert web["request"] == "POST /contracts/DOC-1/pdf/report/" and web["code"] == 200
    assert web["user_id"] == user.pk

    def task_line():
        return next((line for line in _lines_of(worker.log()) if line.get("event") == "task_succeeded"
                     and line.get("task") == "forwardplans.tasks.render_pdf"), None)

    task = wait_for(task_line, timeout=30, message="the worker's line for render_pdf")
    assert task["request_id"] == web["request_id"]
    assert task["user_id"] == user.pk and task["task_id"] and task["level"] == "info"
    assert isinstance(task["duration_ms"], int)
    # Celery's own line for the task is JSON too, and carries the same request id.
    (celery_line,) = [line for line in _lines_of(worker.log()) if line.get("logger") == "celery.app.trace"
                      and task["task_id"] in line["event"] and "succeeded" in line["event"]]
    assert celery_line["request_id"] == web["request_id"]
    worker_text = worker.log()
    assert EMAIL not in worker_text and user.username not in worker_text


def test_a_job_kept_while_the_broker_was_down_carries_the_request_id_when_the_relay_publishes_it(
        client, docs, start_worker, jobs_broker_url, json_lines):
    queue = f"logs-relay-{uuid.uuid4().hex[:10]}"
    worker = start_worker(queue=queue, env={"LOG_FORMAT": "json"})
    user = docs["users"][Role.RCGP_ADVISER]
    client.force_login(user)

    nothing_there = f"redis://127.0.0.1:{servers.free_port()}/0"
    with publishing_to(queue, nothing_there):
        assert client.post(reverse("jobs:pdf", args=["DOC-1", "report"]), **HTMX).status_code == 200
    (web,) = _request_lines(json_lines())
    job = OutboxJob.objects.get()
    assert job.published_at is None and job.context == {"request_id": web["request_id"], "user_id": user.pk}

    # Beat's relay, later and outside any request, with its own context.
    with publishing_to(queue, jobs_broker_url), structlog.contextvars.bound_contextvars(request_id="the-relay's"):
        assert outbox.relay() == 1
        assert structlog.contextvars.get_contextvars()["request_id"] == "the-relay's"  # its own is back

    def task_line():
        return next((line for line in _lines_of(worker.log()) if line.get("event") == "task_succeeded"
                     and line.get("task") == "forwardplans.tasks.render_pdf"), None)

    task = wait_for(task_line, timeout=90, message="the worker's line for the relayed render_pdf")
    assert task["request_id"] == web["request_id"] and task["user_id"] == user.pk
