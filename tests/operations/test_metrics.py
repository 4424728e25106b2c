"""Prometheus metrics (operations/metrics.py): the token, the counts across gunicorn workers and a real Celery
worker (prometheus_client's multiprocess mode), and what is read at scrape time (Redis queues, the database)."""

import datetime
import glob
import os
import socket
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from prometheus_client import multiprocess
from prometheus_client.parser import text_string_to_metric_families

from forwardplans import pdf, tasks
from forwardplans.job_models import EmailStatus, OutboxJob, ReminderItem, ReminderKind, SentReminder
from surveillance.models import SyncRun

from ..celery_worker import publishing_to, wait_for
from ..factories import UserFactory
from ..servers import free_port, gunicorn

TOKEN = "metrics-test-token-" + uuid.uuid4().hex
LOGIN = "django_http_requests_total_by_view_transport_method_total"


def value(text, name, **labels):
    """The value of sample ``name`` with exactly ``labels`` in Prometheus text, or None."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


def scrape(base, token=TOKEN):
    request = urllib.request.Request(f"{base}/metrics/",  # noqa: S310  # nosec B310 - our own server
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.read().decode()


def get(base, path):
    with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:  # noqa: S310  # nosec B310
        return response.status


def _started(port, path):
    """A request whose headers are not finished: the sync worker that accepted it waits on it, busy."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
    return sock


def _finish(sock):
    sock.sendall(b"Connection: close\r\n\r\n")
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    sock.close()
    return answer.split(b" ", 2)[1]


def _per_process(directory, view):
    """{pid: that process's count of requests to ``view``}, read from each file of the multiprocess directory."""
    counts = {}
    for name in glob.glob(os.path.join(directory, "counter_*.db")):
        for family in multiprocess.MultiProcessCollector.merge([name]):
            for sample in family.samples:
                if sample.name == LOGIN and sample.labels.get("view") == view:
                    pid = Path(name).stem.removeprefix("counter_")
                    counts[pid] = counts.get(pid, 0) + sample.value
    return counts


def _web(tmp_path, **env):
    web_dir = tmp_path / "metrics-web"
    return gunicorn(tmp_path, "-c", "resilience/gunicorn.conf.py", "--workers", "2", "--worker-class", "sync",
                    env={"PROMETHEUS_MULTIPROC_DIR": str(web_dir), "METRICS_TOKEN": TOKEN, **env})


# The token ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_endpoint_answers_404_without_metrics_token_and_wants_the_right_bearer_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics")).status_code == 404
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer anything").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    missing = client.get(reverse("metrics"))
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 401
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 403
    right = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert right.status_code == 200 and right["Content-Type"].startswith("text/plain; version=0.0.4")
    assert b"resilience_db_queries_total" in right.content


# One process (the demo: no PROMETHEUS_MULTIPROC_DIR) -------------------------------------------------------------

@pytest.mark.django_db
def test_without_a_multiprocess_directory_one_process_counts_its_own_requests_and_queries(client, settings):
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    settings.METRICS_TOKEN = TOKEN
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    labels = {"view": "login", "transport": "http", "method": "GET"}
    before = value(client.get(reverse("metrics"), **auth).content.decode(), LOGIN, **labels) or 0
    for _ in range(3):
        assert client.get(reverse("login")).status_code == 200
    text = client.get(reverse("metrics"), **auth).content.decode()
    assert value(text, LOGIN, **labels) == before + 3
    assert value(text, "resilience_db_queries_total", alias="default", vendor="postgresql") > 0


# Several gunicorn workers -----------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_request_counter_equals_the_requests_sent_whichever_gunicorn_worker_answered(tmp_path):
    with _web(tmp_path) as (base, port, _process):
        # One worker is held by an unfinished request, so the other answers the first batch; then that one is
        # held and the first answers the second batch. Both workers answer, whatever the kernel's choice.
        held = _started(port, "/accounts/login/")
        for _ in range(7):
            assert get(base, "/accounts/login/") == 200
        other = _started(port, "/accounts/login/")
        assert _finish(held) == b"200"
        for _ in range(5):
            assert get(base, "/accounts/login/") == 200
        assert _finish(other) == b"200"

        text = scrape(base)
        assert value(text, LOGIN, view="login", transport="http", method="GET") == 14
        assert value(text, "django_http_responses_total_by_status_view_method_total",
                     status="200", view="login", method="GET") == 14
        assert value(text, "django_http_requests_latency_seconds_by_view_method_count",
                     view="login", method="GET") == 14
        per_process = _per_process(tmp_path / "metrics-web", "login")
        assert len(per_process) == 2 and all(count > 0 for count in per_process.values())
        assert sum(per_process.values()) == 14
        assert value(text, "resilience_db_queries_total", alias="default", vendor="postgresql") > 0
        # A new run starts from an empty directory (gunicorn.conf.py's on_starting).
    with _web(tmp_path) as (base, _port, _process):
        assert value(scrape(base), LOGIN, view="login", transport="http", method="GET") is None


# A real Celery worker ------------------------------------------------------------------------------------------

def test_tasks_failures_retries_and_pdf_render_times_are_counted_from_the_worker(tmp_path, docs, start_worker):
    queue = f"metrics-test-{uuid.uuid4().hex[:10]}"
    worker_dir = tmp_path / "metrics-worker"
    # Nothing listens on the mail port: an e-mail waits and its task is retried (a transient error).
    start_worker(queue=queue, env={"PROMETHEUS_MULTIPROC_DIR": str(worker_dir),
                                   "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}"})
    waiting = SentReminder.objects.create(recipient=UserFactory(), item_type=ReminderItem.ACTION, item_id=1,
                                          kind=ReminderKind.OVERDUE, due_on=datetime.date(2026, 1, 1),
                                          batch=uuid.uuid4())
    with publishing_to(queue):
        # The PDF first: published (and marked so in the outbox) at commit, before a relay could publish it again.
        pdf.request_pdf(contract=docs["contract"], document="plan")
        tasks.relay_outbox.delay()
        tasks.relay_outbox.delay()
        tasks.reminder_sweep.delay("not-a-date")  # ValueError before it reads anything: a failure
        tasks.send_reminder_emails.delay([waiting.pk])

    with _web(tmp_path, METRICS_READ_DIRS=str(worker_dir), CELERY_QUEUE=queue) as (base, _port, _process):
        def finished():
            text = scrape(base)
            done = value(text, "resilience_celery_tasks_finished_total",
                         task="forwardplans.tasks.render_pdf", state="SUCCESS")
            failed = value(text, "resilience_celery_tasks_finished_total",
                           task="forwardplans.tasks.reminder_sweep", state="FAILURE")
            relayed = value(text, "resilience_celery_tasks_finished_total",
                            task="forwardplans.tasks.relay_outbox", state="SUCCESS")
            retried = value(text, "resilience_celery_tasks_finished_total",
                            task="forwardplans.tasks.send_reminder_emails", state="RETRY")
            retries = value(text, "resilience_celery_task_retries_total",
                            task="forwardplans.tasks.send_reminder_emails")
            return text if (done, failed, relayed) == (1, 1, 2) and retried and retries == retried else None

        text = wait_for(finished, timeout=120, message="the worker to finish the five tasks")
        assert value(text, "resilience_celery_tasks_started_total", task="forwardplans.tasks.relay_outbox") == 2
        assert value(text, "resilience_celery_tasks_started_total", task="forwardplans.tasks.reminder_sweep") == 1
        assert value(text, "resilience_celery_task_failures_total", task="forwardplans.tasks.reminder_sweep",
                     error="ValueError") == 1
        assert value(text, "resilience_celery_task_failures_total", task="forwardplans.tasks.relay_outbox",
                     error="ValueError") is None
        assert value(text, "resilience_celery_task_retries_total", task="forwardplans.tasks.send_reminder_emails") >= 1
        assert value(text, "resilience_celery_task_failures_total", task="forwardplans.tasks.send_reminder_emails",
                     error="EmailsWaiting") is None  # a retry is not a failure
        assert value(text, "resilience_emails_waiting", kind="notification") == 1
        assert value(text, "resilience_celery_task_duration_seconds_count",
                     task="forwardplans.tasks.relay_outbox") == 2
        assert value(text, "resilience_pdf_render_seconds_count", document="plan") == 1
        assert value(text, "resilience_pdf_render_seconds_sum", document="plan") > 0
        assert value(text, "resilience_celery_queue_length", queue=queue) == 0  # the worker took everything


# Read at scrape time -------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_queue_depth_is_what_waits_in_redis_at_each_scrape(tmp_path, jobs_broker_url):
    queue = f"metrics-idle-{uuid.uuid4().hex[:10]}"  # no worker consumes it
    client = redis.Redis.from_url(jobs_broker_url)
    try:
        with _web(tmp_path, REDIS_URL=jobs_broker_url, CELERY_QUEUE=queue, METRICS_QUEUES="metrics-empty") \
                as (base, _port, _process):
            assert value(scrape(base), "resilience_celery_queue_length", queue=queue) == 0
            with publishing_to(queue, jobs_broker_url):
                for _ in range(4):
                    tasks.relay_outbox.delay()
                tasks.relay_outbox.apply_async(priority=9)  # kept in the queue's priority list
            text = scrape(base)
            waiting = client.llen(queue) + sum(client.llen(f"{queue}\x06\x16{step}") for step in (3, 6, 9))
            assert waiting == 5
            assert value(text, "resilience_celery_queue_length", queue=queue) == 5
            assert value(text, "resilience_celery_queue_length", queue="metrics-empty") == 0
            assert value(text, "resilience_celery_broker_up") == 1
            client.delete(queue)
            assert value(scrape(base), "resilience_celery_queue_length", queue=queue) == 1  # no cached value
    finally:
        client.delete(queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9)))
        client.close()


@pytest.mark.django_db
def test_the_outbox_e_mails_sync_runs_and_pdfs_are_counted_at_scrape_time(client, settings):
    settings.METRICS_TOKEN = TOKEN
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    now = timezone.now()
    OutboxJob.objects.create(task="forwardplans.tasks.relay_outbox")
    OutboxJob.objects.create(task="forwardplans.tasks.relay_outbox")
    OutboxJob.objects.create(task="forwardplans.tasks.relay_outbox", published_at=now)
    person = UserFactory()
    for number, status in enumerate([EmailStatus.PENDING, EmailStatus.SENDING, EmailStatus.FAILED,
                                     EmailStatus.SENT, EmailStatus.FAILED]):
        SentReminder.objects.create(recipient=person, item_type=ReminderItem.ACTION, item_id=number,
                                    kind=ReminderKind.OVERDUE, due_on=datetime.date(2026, 1, 1),
                                    batch=uuid.uuid4(), email_status=status)
    for outcome in ("succeeded", "failed", "failed", "partial"):
        SyncRun.objects.create(kind="cqc", started_at=now, finished_at=now, outcome=outcome)
    SyncRun.objects.create(kind="ods", started_at=now, outcome="running")

    text = client.get(reverse("metrics"), **auth).content.decode()
    assert value(text, "resilience_metrics_database_up") == 1
    assert value(text, "resilience_outbox_unpublished_jobs") == 2
    assert value(text, "resilience_outbox_oldest_unpublished_age_seconds") >= 0
    assert value(text, "resilience_emails_waiting", kind="notification") == 2
    assert value(text, "resilience_emails_failed", kind="notification") == 2
    assert value(text, "resilience_emails_waiting", kind="invitation") == 0
    assert value(text, "resilience_sync_runs", kind="cqc", outcome="failed") == 2
    assert value(text, "resilience_sync_runs", kind="cqc", outcome="succeeded") == 1
    assert value(text, "resilience_sync_runs", kind="ods", outcome="running") == 1
    assert value(text, "resilience_sync_runs", kind="ods", outcome="failed") == 0
    assert value(text, "resilience_sync_last_success_timestamp_seconds", kind="cqc") == now.timestamp()
    assert value(text, "resilience_sync_last_success_timestamp_seconds", kind="ods") is None

    OutboxJob.objects.filter(published_at__isnull=True).update(published_at=now)
    text = client.get(reverse("metrics"), **auth).content.decode()
    assert value(text, "resilience_outbox_unpublished_jobs") == 0  # read again, not kept
    assert value(text, "resilience_outbox_oldest_unpublished_age_seconds") == 0
    assert connection.vendor == "postgresql"
    assert "@" not in text  # no e-mail address, whatever the labels
