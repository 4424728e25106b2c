"""Background jobs through a REAL Celery worker process on the real Redis and the test database (not eager).

See tests/celery_worker.py for the fixtures. Data a worker must see is committed: these tests use
transactional_db (through the ``celery_worker`` / ``start_worker`` fixtures).
"""

import datetime
import email
import hashlib
import io
import re
import subprocess
import time
import uuid
from email.header import decode_header, make_header

import pytest
import redis
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from core.roles import Role
from forwardplans import outbox, pdf, services
from forwardplans.job_models import EmailStatus, Notification, OutboxJob, PdfStatus, SentReminder, StoredPdf
from forwardplans.models import Action, Milestone

from .. import servers
from ..cases import advance
from ..celery_worker import publishing_to, wait_for
from ..docs import ACTION_FIELDS

# Reminders only: the lifecycle steps the fixtures make tell people too (tests/casework/test_case_events.py).
REMINDERS = Notification.objects.filter(event__isnull=True)
SENT = SentReminder.objects.exclude(item_type="event")

R = Role
D = datetime.date
HTMX = {"HTTP_HX_REQUEST": "true"}
VISIBILITY_TIMEOUT = 3  # seconds, for the killed-worker test


def _prepare(docs, leads=1):
    """Everyone has an e-mail address; the practice lead leads the action (and ``leads - 1`` more actions
    with a milestone due on 10 January)."""
    for role, user in docs["users"].items():
        user.email = f"{role}@example.nhs.uk"
        user.save(update_fields=["email"])
    docs["action"].lead_user = docs["users"][R.PRACTICE_LEAD]
    docs["action"].save(update_fields=["lead_user"])
    docs["contract"].first_contact_on = D(2026, 1, 6)
    docs["contract"].save(update_fields=["first_contact_on"])
    for n in range(leads - 1):
        services.action_create(plan=docs["plan"], actor=docs["users"][R.RCGP_ADVISER],
                               **{**ACTION_FIELDS, "action_planned": f"Extra action {n}",
                                  "lead_user": docs["users"][R.PRACTICE_LEAD]},
                               milestones=[(f"Extra milestone {n}", D(2026, 1, 10))])


def _enqueue(task, *args):
    with transaction.atomic():
        job = outbox.enqueue(task, *args)
    job.refresh_from_db()
    assert job.published_at is not None and job.task_id, job.last_error
    return job


def _result_of(worker, job, timeout=60):
    """The return value the worker logged for the job's task."""
    pattern = re.compile(rf"\[{re.escape(job.task_id)}\] succeeded in [0-9.]+s: (.*)")
    return wait_for(lambda: (m := pattern.search(worker.log())) and m.group(1), timeout=timeout,
                    message=f"{job.task} to succeed on the worker")


def _emails(worker):
    """(to, subject, body) of each message the worker wrote with Django's file e-mail backend."""
    found = []
    for text in worker.emails():
        for raw in text.split(b"-" * 79):
            if b"Subject:" in raw:
                message = email.message_from_bytes(raw.strip())
                subject = re.sub(r"\r?\n(?=[ \t])", "", str(make_header(decode_header(message["Subject"]))))
                found.append((message["To"], subject,
                              message.get_payload(decode=True).decode()))
    return found


@pytest.fixture
def clean_mail(celery_worker):
    for path in celery_worker.mail_dir.glob("*"):
        path.unlink()
    return celery_worker


# PDFs -------------------------------------------------------------------------------------------------

def test_pdfs_are_rendered_by_the_worker_end_to_end(client, docs, clean_mail):
    users, worker = docs["users"], clean_mail
    advance(docs["contract"], "factual_accuracy_review", users)
    amber = services.action_create(plan=docs["plan"], actor=users[R.RCGP_ADVISER],
                                   **{**ACTION_FIELDS, "action_planned": "Appoint a practice manager"})
    services.action_set_rag(action=amber, actor=users[R.RCGP_ADVISER], to_status="amber", reason="Started",
                            base_version=amber.version)
    client.force_login(users[R.PRACTICE_LEAD])

    for document in ("report", "plan"):
        started = time.monotonic()
        response = client.post(reverse("jobs:pdf", args=["DOC-1", document]), **HTMX)
        assert response.status_code == 200 and time.monotonic() - started < 5  # answers at once
        assert 'hx-trigger="every 2s"' in response.content.decode()
    stored = wait_for(lambda: (rows := list(StoredPdf.objects.order_by("document")))
                      and all(r.status != PdfStatus.PENDING for r in rows) and rows, timeout=90,
                      message="both PDFs to be rendered by the worker")
    assert [(s.document, s.status) for s in stored] == [("plan", "ready"), ("report", "ready")], \
        [s.error for s in stored]

    for s in stored:
        panel = client.get(reverse("jobs:pdf_panel", args=["DOC-1", s.document])).content.decode()
        assert "every 2s" not in panel and f"/pdfs/{s.pk}/download/" in panel
        response = client.get(reverse("jobs:pdf_download", args=[s.pk]))
        data = b"".join(response.streaming_content)
        assert hashlib.sha256(data).hexdigest() == s.sha256 and len(data) == s.size
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) == s.page_count >= 1
        for words in ("Own Practice", "Contract DOC-1", "CONFIDENTIAL", "Confidential", "Generated",
                      f"Page 1 of {len(reader.pages)}"):
            assert words in text, (s.document, words)
    plan_text = "\n".join(p.extract_text() for p in PdfReader(pdf.file_path(stored[0])).pages)
    for words in ("Red", "Amber", "Green", "Set up a monthly recall", "Appoint a practice manager",
                  "Draft, before version 1"):
        assert words in plan_text, words
    report_text = "\n".join(p.extract_text() for p in PdfReader(pdf.file_path(stored[1])).pages)
    assert "Founded 1974." in report_text and "With the practice for factual accuracy" in report_text
    assert "· Version 1 · Practice Resilience" in report_text  # sent to the practice: its version 1
    assert "forwardplans.tasks.render_pdf" in worker.log()


def test_render_documents_queues_on_the_worker_waits_and_prints_path_bytes_sha256(docs, celery_worker, capsys):
    call_command("render_documents", "--contract", "DOC-1", "--wait", "90")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # the CQC action plan, the report and the plan, in that order
    assert sorted(StoredPdf.objects.values_list("document", flat=True)) == ["cqc_plan", "plan", "report"]
    for line, stored in zip(lines, StoredPdf.objects.order_by("document"), strict=True):
        path, size, sha = line.split(" ")
        assert stored.status == "ready" and path == str(pdf.file_path(stored))
        data = open(path, "rb").read()  # noqa: SIM115
        assert int(size) == len(data) == stored.size and sha == hashlib.sha256(data).hexdigest() == stored.sha256


def test_render_documents_without_a_worker_says_so_and_fails_after_the_wait(docs, celery_worker, capsys):
    queue = f"nobody-{uuid.uuid4().hex[:8]}"
    try:
        with publishing_to(queue), pytest.raises(CommandError, match="no worker was running"):
            call_command("render_documents", "--contract", "DOC-1", "--wait", "1.5")
    finally:
        redis.Redis.from_url(celery_worker.broker_url).delete(queue)
    assert "No Celery worker is consuming queue 'nobody-" in capsys.readouterr().err
    assert set(StoredPdf.objects.values_list("status", flat=True)) == {"pending"}  # queued, never rendered here


def test_killed_worker_the_render_is_redelivered_and_the_pdf_made_exactly_once(docs, start_worker, jobs_media):
    """SIGKILL the worker while it renders (the file written, the row not yet committed): with acks_late the
    message stays unacknowledged in Redis; after the visibility timeout the next worker gets it, and the PDF is
    made once."""
    queue = f"jobs-kill-{uuid.uuid4().hex[:8]}"
    first = start_worker(queue=queue, env={"PDF_RENDER_TEST_DELAY": "120",
                                                 "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)})
    with publishing_to(queue), transaction.atomic():
        stored = pdf.request_pdf(contract=docs["contract"], document="plan")
    target = jobs_media / pdf.relative_path(stored)
    wait_for(target.exists, timeout=60, message="the first worker to write the PDF file")  # delivered before
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("pending", 1)  # mid-render: nothing recorded yet
    first.kill()
    seen_at = time.monotonic()
    first_bytes = target.read_bytes()

    # kombu restores unacknowledged messages older than the visibility timeout when a worker starts polling
    # (and then only every ~100 s): start the next worker once the message is old enough.
    time.sleep(max(0.0, VISIBILITY_TIMEOUT + 1.0 - (time.monotonic() - seen_at)))
    second = start_worker(queue=queue, env={"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)})
    wait_for(lambda: StoredPdf.objects.get(pk=stored.pk).status == PdfStatus.READY, timeout=90,
             message="the redelivered render on the second worker")
    stored.refresh_from_db()
    assert stored.attempts == 2 and stored.file == pdf.relative_path(stored)
    files = sorted(p.name for p in target.parent.iterdir())
    assert files == [target.name]  # one PDF, no leftovers of the killed attempt
    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest() == stored.sha256 and len(data) == stored.size
    assert len(PdfReader(io.BytesIO(data)).pages) == stored.page_count and first_bytes[:5] == b"%PDF-"
    assert StoredPdf.objects.count() == 1
    assert "render_pdf" in second.log()
    # A further delivery (e.g. a duplicate) leaves it alone.
    rendered_at = stored.rendered_at
    with publishing_to(queue), transaction.atomic():
        outbox.enqueue(pdf.RENDER_TASK, stored.pk)
    job = OutboxJob.objects.latest("pk")
    _result_of(second, job)
    stored.refresh_from_db()
    assert stored.rendered_at == rendered_at and stored.attempts == 2


# Reminder sweeps -------------------------------------------------------------------------------------

def test_reminder_sweep_on_the_worker_sends_once_even_when_run_twice(docs, clean_mail):
    worker = clean_mail
    _prepare(docs)
    first = _result_of(worker, _enqueue("forwardplans.tasks.reminder_sweep", "2026-01-03"))
    assert first == "{'sent': 1, 'skipped': 0, 'emailed': 1}"
    second = _result_of(worker, _enqueue("forwardplans.tasks.reminder_sweep", "2026-01-03"))
    assert second == "{'sent': 0, 'skipped': 1, 'emailed': 0}"

    reminder = SENT.get()
    assert (reminder.recipient, reminder.kind, reminder.email_status) == (
        docs["users"][R.PRACTICE_LEAD], "week_before", EmailStatus.SENT)
    assert REMINDERS.get().recipient == docs["users"][R.PRACTICE_LEAD]
    [(to, subject, body)] = _emails(worker)
    assert to == "practice_lead@example.nhs.uk"
    assert subject == "[Practice Resilience] Due within a week: a milestone on contract DOC-1"
    assert f"/actions/{docs['action'].pk}/" in body and "Searches built" not in body  # a neutral title and a link


def test_a_sweep_meeting_a_row_it_cannot_send_records_why_and_sends_the_rest(docs, clean_mail):
    """An address with a line break in it (edited in the Django admin, say) fails on its own row; a title with line
    breaks (an older notification) goes as a one-line subject; the task completes and RCGP admins are told."""
    worker, users = clean_mail, docs["users"]
    _prepare(docs)
    hostile = "rcgp_deputy_lead@example.nhs.uk\nBcc: spy@example.com"
    type(users[R.RCGP_DEPUTY_LEAD]).objects.filter(pk=users[R.RCGP_DEPUTY_LEAD].pk).update(email=hostile)
    older = SentReminder.objects.create(recipient=users[R.RCGP_ADVISER], item_type="pdf_failure", item_id=1,
                                        kind="failed", due_on=D(2026, 1, 1), batch=uuid.uuid4())
    Notification.objects.create(recipient=users[R.RCGP_ADVISER], reminder=older, kind="failed",
                                title="First line\r\nBcc: spy@example.com\x0bthird")

    result = _result_of(worker, _enqueue("forwardplans.tasks.reminder_sweep", "2026-01-11"))  # overdue: lead, deputy
    assert result == "{'sent': 2, 'skipped': 0, 'emailed': 2}"
    rows = {r.recipient.role: r for r in SENT.select_related("recipient")}
    assert rows[R.RCGP_DEPUTY_LEAD].email_status == EmailStatus.FAILED
    assert "newline" in rows[R.RCGP_DEPUTY_LEAD].email_error.lower()
    assert rows[R.PRACTICE_LEAD].email_status == rows[R.RCGP_ADVISER].email_status == EmailStatus.SENT
    sent = {to: subject for to, subject, _body in _emails(worker)}
    assert sent == {"practice_lead@example.nhs.uk": "[Practice Resilience] Overdue: a milestone on contract DOC-1",
                    "rcgp_adviser@example.nhs.uk": "[Practice Resilience] First line Bcc: spy@example.com third"}
    told = Notification.objects.get(recipient=users[R.RCGP_ADMIN], kind="failed")
    assert "could not be sent" in told.title and "newline" in told.body.lower()
    assert not SentReminder.objects.filter(email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING]).exists()


def test_two_sweeps_at_once_on_the_worker_send_each_reminder_once(docs, clean_mail):
    worker = clean_mail
    _prepare(docs, leads=40)
    assert Milestone.objects.filter(due_on=D(2026, 1, 10)).count() == 40
    with transaction.atomic():  # both published together; the worker runs two at a time
        jobs = [outbox.enqueue("forwardplans.tasks.reminder_sweep", "2026-01-03") for _ in range(2)]
    for job in jobs:
        job.refresh_from_db()
    results = [_result_of(worker, job) for job in jobs]
    sent = [int(re.search(r"'sent': (\d+)", r).group(1)) for r in results]
    skipped = [int(re.search(r"'skipped': (\d+)", r).group(1)) for r in results]
    assert sum(sent) == 40 and sum(sent) + sum(skipped) == 80
    assert SENT.count() == REMINDERS.count() == 40
    assert SENT.filter(email_status=EmailStatus.SENT).count() == 40
    assert len(_emails(worker)) == 40
    assert Action.objects.filter(lead_user=docs["users"][R.PRACTICE_LEAD]).count() == 40


# Outbox: Redis down while a user saves -----------------------------------------------------------------

def _redis_server(port):
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                    text=True).stdout.strip() == "PONG", timeout=15, message="redis-server")
    return process


def test_a_save_while_redis_is_down_succeeds_and_the_job_runs_when_redis_is_back(client, docs, start_worker):
    port = servers.free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    queue = f"jobs-outbox-{uuid.uuid4().hex[:8]}"
    redis_process = _redis_server(port)
    try:
        worker = start_worker(queue=queue, broker=broker)
        redis_process.kill()
        redis_process.wait(timeout=10)

        client.force_login(docs["users"][R.RCGP_ADVISER])
        started = time.monotonic()
        with publishing_to(queue, broker):
            response = client.post(reverse("jobs:pdf", args=["DOC-1", "plan"]))
        assert response.status_code == 302 and time.monotonic() - started < 3  # the user's request succeeded
        stored = StoredPdf.objects.get()
        job = OutboxJob.objects.get()
        assert stored.status == "pending" and job.published_at is None and job.attempts == 1
        assert "Error" in job.last_error
        with publishing_to(queue, broker):
            assert outbox.relay() == 0  # still down: kept

        redis_process = _redis_server(port)
        with publishing_to(queue, broker):  # what beat's relay_outbox (and the sweep command) does
            assert outbox.relay() == 1
        job.refresh_from_db()
        assert job.published_at is not None and job.task_id
        wait_for(lambda: StoredPdf.objects.get(pk=stored.pk).status == PdfStatus.READY, timeout=90,
                 message="the relayed render after Redis came back")
        assert "render_pdf" in worker.log()
    finally:
        redis_process.kill()
        redis_process.wait(timeout=10)


def test_the_relay_runs_as_a_beat_task_on_the_worker(docs, celery_worker):
    with transaction.atomic():
        stored = pdf.request_pdf(contract=docs["contract"], document="report", enqueue=False)
        OutboxJob.objects.create(task=pdf.RENDER_TASK, args=[stored.pk])  # left behind while Redis was down
    relay = _enqueue("forwardplans.tasks.relay_outbox")
    assert _result_of(celery_worker, relay) == "1"
    wait_for(lambda: StoredPdf.objects.get(pk=stored.pk).status == PdfStatus.READY, timeout=90,
             message="the render the relay published")
