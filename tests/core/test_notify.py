"""E-mail through GOV.UK Notify (core.notify) with the official client against a local Notify-like API
(tests/notify_server.py) that verifies the signed token and the request body: the backend itself, the reminder and
questionnaire-invitation jobs in this process and on a real Celery worker, retries and failures; and SMTP still
working for the same reminder job."""

import datetime
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from core.notify import NotifyEmailBackend, NotifyRefused, NotifyUnavailable
from core.roles import Role
from forwardplans import notifications, outbox, reminders, tasks
from forwardplans.job_models import EmailStatus, Notification, SentReminder
from forwardplans.models import InvitationStatus, QuestionnaireInvitation
from forwardplans.questionnaire_mail import SUBJECT
from forwardplans.questionnaire_services import SEND_INVITATIONS_TASK, questionnaire_open
from forwardplans.vocabulary import QUESTIONNAIRE_STATEMENTS

from ..celery_worker import publishing_to, wait_for
from ..factories import ContractFactory
from ..notify_server import (
    API_KEY,
    INVALID_ADDRESS,
    SERVICE_ID,
    TEMPLATE_ID,
    key_with_secret,
    notify_server_fixture,  # noqa: F401 - the fixture notify_server
    notify_settings_fixture,  # noqa: F401 - the fixture notify_settings
)

R = Role
D = datetime.date
ROOT = Path(__file__).resolve().parents[2]
REMINDERS = Notification.objects.filter(event__isnull=True)
SENT = SentReminder.objects.exclude(item_type="event")
LEAD, DEPUTY = "practice_lead@example.nhs.uk", "rcgp_deputy_lead@example.nhs.uk"
WEEK_SUBJECT = "[Practice Resilience] Due within a week: a milestone on contract DOC-1"
SITE = "https://resilience.example.nhs.uk"
REFUSED_REASON = f"GOV.UK Notify answered 400: ValidationError: {INVALID_ADDRESS}"


def _message(to, subject="A subject", body="A body\nwith a link https://example.nhs.uk/x/"):
    return EmailMessage(subject=subject, body=body, to=to, from_email="no-reply@example.nhs.uk")


def _led(docs):
    """Everyone in the docs fixture has an address; the practice lead leads the action (a milestone on 10 Jan)."""
    for role, user in docs["users"].items():
        user.email = f"{role}@example.nhs.uk"
        user.save(update_fields=["email"])
    docs["action"].lead_user = docs["users"][R.PRACTICE_LEAD]
    docs["action"].save(update_fields=["lead_user"])
    docs["contract"].first_contact_on = D(2026, 1, 6)  # no first-contact alerts
    docs["contract"].save(update_fields=["first_contact_on"])
    return docs


def _questionnaire(world):
    users = world["users"]
    contract = ContractFactory(reference="NTF-1", practice=world["practices"]["own"], state="scoping",
                               deputy_lead=users[R.RCGP_DEPUTY_LEAD])
    return questionnaire_open(contract=contract, actor=users[R.RCGP_DEPUTY_LEAD])


def _invite(client, world, questionnaire, *addresses):
    client.force_login(world["users"][R.PRACTICE_LEAD])
    url = reverse("questionnaires:invitations",
                  kwargs={"reference": questionnaire.contract.reference, "pk": questionnaire.pk})
    response = client.post(url, {"addresses": "\n".join(addresses)})
    client.logout()
    assert response.status_code == 302, response.content.decode()[:500]
    return url


def _answers():
    return {**{key: "3" for key, _statement in QUESTIONNAIRE_STATEMENTS}, "comments": ""}


def _now():
    return int(time.time())


# The backend on its own ----------------------------------------------------------------------------------------

def test_a_message_goes_to_notify_with_a_signed_token_the_template_and_a_stable_impersonal_reference(
        notify_settings):
    server = notify_settings
    connection = get_connection()
    assert isinstance(connection, NotifyEmailBackend)
    message = _message(["one@example.nhs.uk", "Two Person <two@example.nhs.uk>"])
    assert connection.send_messages([message]) == 1
    assert connection.send_messages([message]) == 1  # the same message again (as a retry would)

    first, second, again_first, again_second = server.answered()
    assert [r.status for r in server.answered()] == [201] * 4
    for request in server.answered():
        assert request.claims["iss"] == SERVICE_ID and abs(request.claims["iat"] - _now()) <= 5
        assert request.body["template_id"] == TEMPLATE_ID
        assert request.body["personalisation"] == {"subject": "A subject",
                                                   "body": "A body\nwith a link https://example.nhs.uk/x/"}
        assert request.user_agent == "NOTIFY-API-PYTHON-CLIENT/13.0.0"
        assert "example" not in request.body["reference"] and "one" not in request.body["reference"]
    assert (first.body["email_address"], second.body["email_address"]) == ("one@example.nhs.uk", "two@example.nhs.uk")
    assert first.body["reference"] == again_first.body["reference"] != second.body["reference"]
    assert second.body["reference"] == again_second.body["reference"]
    assert first.reply["content"]["subject"] == "A subject"  # answered as Notify answers


def test_a_message_id_the_sender_set_is_the_reference(notify_settings):
    message = _message(["one@example.nhs.uk"])
    message.extra_headers["Message-ID"] = "<reminder-42@practice-resilience>"
    assert get_connection().send_messages([message]) == 1
    [request] = notify_settings.sent
    assert request.body["reference"] == "reminder-42@practice-resilience"


@pytest.mark.parametrize(("key", "backend"), [(API_KEY, "core.notify.NotifyEmailBackend"),
                                              ("", "django.core.mail.backends.smtp.EmailBackend")])
def test_the_environment_chooses_notify_or_smtp(key, backend):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resilience.settings", "NOTIFY_API_KEY": key,
           "NOTIFY_TEMPLATE_ID": TEMPLATE_ID, "EMAIL_URL": "smtp://127.0.0.1:2525"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == backend


@pytest.mark.parametrize(("status", "said"), [
    (500, "GOV.UK Notify answered 500: Exception: Internal server error"),
    (429, "GOV.UK Notify answered 429: RateLimitError: Exceeded rate limit for key type LIVE of 3000 requests "
          "per 60 seconds")])
def test_notify_failing_or_rate_limiting_is_transient(notify_settings, status, said):
    notify_settings.fail_once(status)
    with pytest.raises(NotifyUnavailable) as raised:
        get_connection().send_messages([_message(["one@example.nhs.uk"])])
    assert raised.value.smtp_code == 421 and raised.value.http_status == status
    assert str(raised.value) == f"421 {said}"
    assert notifications.permanent_email_error(raised.value) is False
    assert get_connection().send_messages([_message(["one@example.nhs.uk"])]) == 1  # once only


def test_notify_unreachable_or_silent_is_transient(notify_settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(NotifyUnavailable, match="could not be reached: ConnectionError") as raised:
        NotifyEmailBackend(base_url=f"http://127.0.0.1:{port}").send_messages([_message(["a@example.nhs.uk"])])
    assert notifications.permanent_email_error(raised.value) is False

    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        with pytest.raises(NotifyUnavailable, match="could not be reached: ReadTimeout") as raised:
            NotifyEmailBackend(base_url=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=1).send_messages(
                [_message(["a@example.nhs.uk"])])
        assert time.monotonic() - started < 10
    assert notifications.permanent_email_error(raised.value) is False


def test_an_address_notify_refuses_and_a_wrong_key_are_permanent_with_notifys_reason(notify_settings, settings):
    notify_settings.refuse("bad@example.nhs.uk")
    with pytest.raises(NotifyRefused) as raised:
        get_connection().send_messages([_message(["bad@example.nhs.uk"])])
    assert (raised.value.smtp_code, raised.value.http_status) == (550, 400)
    assert raised.value.reason == f"ValidationError: {INVALID_ADDRESS}"
    assert notifications.permanent_email_error(raised.value) is True

    settings.NOTIFY_API_KEY = key_with_secret(str(uuid.uuid4()))
    with pytest.raises(NotifyRefused) as raised:
        get_connection().send_messages([_message(["good@example.nhs.uk"])])
    assert str(raised.value) == "550 GOV.UK Notify answered 403: AuthError: Invalid token: API key not found"
    assert notifications.permanent_email_error(raised.value) is True
    assert notify_settings.sent == []


def test_fail_silently_is_honoured(notify_settings, settings):
    notify_settings.refuse("bad@example.nhs.uk")
    messages = [_message(["bad@example.nhs.uk"]), _message(["good@example.nhs.uk"])]
    assert get_connection(fail_silently=True).send_messages(messages) == 1
    assert [r.body["email_address"] for r in notify_settings.sent] == ["good@example.nhs.uk"]
    settings.NOTIFY_API_KEY = key_with_secret(str(uuid.uuid4()))
    assert mail.send_mail("S", "B", None, ["good@example.nhs.uk"], fail_silently=True) == 0
    settings.NOTIFY_API_KEY = "not-a-key"
    assert mail.send_mail("S", "B", None, ["good@example.nhs.uk"], fail_silently=True) == 0
    with pytest.raises(NotifyRefused, match="not a GOV.UK Notify API key"):
        mail.send_mail("S", "B", None, ["good@example.nhs.uk"])
    assert len(notify_settings.sent) == 1


def test_attachments_html_and_line_breaks_in_headers_are_refused_before_anything_is_sent(notify_settings):
    with_file = _message(["a@example.nhs.uk"])
    with_file.attach("plan.pdf", b"%PDF-1.7", "application/pdf")
    with pytest.raises(ValueError, match="cannot send attachments"):
        get_connection().send_messages([with_file])
    html = _message(["a@example.nhs.uk"])
    html.content_subtype = "html"
    with pytest.raises(ValueError, match="plain-text body"):
        get_connection().send_messages([html])
    with pytest.raises(ValueError, match="newlines"):
        get_connection().send_messages([_message(["a@example.nhs.uk\nBcc: spy@example.com"])])
    with pytest.raises(ValueError, match="newlines"):
        get_connection().send_messages([_message(["a@example.nhs.uk"], subject="One\nBcc: spy@example.com")])
    assert notify_settings.answered() == []
    assert notifications.permanent_email_error(ValueError("Header values can't contain newlines")) is True


# The reminder job through Notify, in this process ----------------------------------------------------------------

@pytest.mark.django_db
def test_a_reminder_email_goes_through_notify(docs, notify_settings):
    _led(docs)
    result = reminders.sweep(D(2026, 1, 3))
    assert (result.sent, result.emailed, result.email_retry) == (1, 1, 0)
    [request] = notify_settings.sent
    assert request.body["email_address"] == LEAD and request.body["personalisation"]["subject"] == WEEK_SUBJECT
    assert f"/actions/{docs['action'].pk}/" in request.body["personalisation"]["body"]
    assert "Searches built" not in request.body["personalisation"]["body"]  # a neutral title and a link
    row = SENT.get()
    assert (row.email_status, row.email_attempts, row.email_error) == (EmailStatus.SENT, 1, "")


@pytest.mark.django_db
def test_notify_answering_500_once_leaves_the_reminder_waiting_and_the_task_retry_sends_it(docs, notify_settings):
    _led(docs)
    notify_settings.fail_once(500)
    first = reminders.sweep(D(2026, 1, 3))
    assert (first.sent, first.emailed, first.email_retry) == (1, 0, 1)
    row = SENT.get()
    assert row.email_status == EmailStatus.PENDING
    assert row.email_error == "NotifyUnavailable: 421 GOV.UK Notify answered 500: Exception: Internal server error"
    assert REMINDERS.count() == 1  # in the app at once

    assert tasks.send_reminder_emails.apply(args=[None]).get() == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.email_status, row.email_attempts, row.email_error) == (EmailStatus.SENT, 2, "")
    assert [r.status for r in notify_settings.answered()] == [500, 201]
    assert not REMINDERS.filter(kind="failed").exists()


@pytest.mark.django_db
def test_notify_refusing_one_address_fails_that_reminder_at_once_and_sends_the_others(docs, notify_settings):
    _led(docs)
    notify_settings.refuse(DEPUTY)
    result = reminders.sweep(D(2026, 1, 11))  # overdue: the lead and the deputy lead
    assert (result.sent, result.emailed) == (2, 1)
    rows = {r.recipient.email: r for r in SENT.select_related("recipient")}
    assert rows[LEAD].email_status == EmailStatus.SENT
    assert (rows[DEPUTY].email_status, rows[DEPUTY].email_attempts) == (EmailStatus.FAILED, 1)
    assert rows[DEPUTY].email_error == f"NotifyRefused: 550 {REFUSED_REASON}"
    told = REMINDERS.get(recipient=docs["users"][R.RCGP_ADMIN], kind="failed")
    assert "could not be sent" in told.title and INVALID_ADDRESS in told.body
    assert [r.body["email_address"] for r in notify_settings.sent] == [LEAD]


@pytest.mark.django_db
def test_a_wrong_notify_key_fails_the_reminder_for_good_and_rcgp_admins_are_told(docs, notify_settings, settings):
    _led(docs)
    settings.NOTIFY_API_KEY = key_with_secret(str(uuid.uuid4()))
    result = reminders.sweep(D(2026, 1, 3))
    assert (result.emailed, result.email_retry) == (0, 0)
    row = SENT.get(item_type="milestone")
    assert (row.email_status, row.email_attempts) == (EmailStatus.FAILED, 1)
    assert "403" in row.email_error and "Invalid token: API key not found" in row.email_error
    told = REMINDERS.get(recipient=docs["users"][R.RCGP_ADMIN], kind="failed")
    assert "Invalid token: API key not found" in told.body
    assert notify_settings.sent == [] and [r.status for r in notify_settings.answered()] == [403]


# The questionnaire-invitation job through Notify, in this process --------------------------------------------

@pytest.mark.django_db
def test_a_questionnaire_invitation_goes_through_notify_and_its_link_lets_one_answer_in(client, world,
                                                                                         notify_settings):
    questionnaire = _questionnaire(world)
    _invite(client, world, questionnaire, "staff@example.nhs.uk")
    assert tasks.send_questionnaire_invitations.apply(args=[None]).get() == {"sent": 1, "failed": 0}
    [request] = notify_settings.sent
    assert request.body["personalisation"]["subject"] == SUBJECT
    assert "NTF-1" not in request.body["personalisation"]["body"]
    link = notify_settings.link_for("staff@example.nhs.uk")
    assert client.post(link, _answers()).status_code == 302
    assert client.get(link).status_code == 410  # single use
    invitation = QuestionnaireInvitation.objects.get()
    assert (invitation.status, invitation.email, invitation.used) == (InvitationStatus.SENT, "", True)


@pytest.mark.django_db
def test_a_wrong_notify_key_fails_the_invitations_with_the_reason_the_practice_sees(client, world,
                                                                                   notify_settings, settings):
    settings.NOTIFY_API_KEY = key_with_secret(str(uuid.uuid4()))
    questionnaire = _questionnaire(world)
    url = _invite(client, world, questionnaire, "staff@example.nhs.uk")
    assert tasks.send_questionnaire_invitations.apply(args=[None]).get() == {"sent": 0, "failed": 1}
    invitation = QuestionnaireInvitation.objects.get()
    assert (invitation.status, invitation.attempts, invitation.token_hash) == (InvitationStatus.FAILED, 1, None)
    assert invitation.error == ("The mail server refused it: 550 GOV.UK Notify answered 403: AuthError: "
                                "Invalid token: API key not found")
    client.force_login(world["users"][R.PRACTICE_LEAD])
    html = client.get(url).content.decode()
    failed = html[html.index('id="failed-addresses"'):]
    assert "staff@example.nhs.uk" in failed and "Invalid token: API key not found" in failed


# On a real Celery worker ------------------------------------------------------------------------------------------

def test_the_reminder_sweep_on_the_worker_sends_through_notify(docs, notify_server, start_worker):
    queue = f"notify-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue=queue, env=notify_server.env)
    _led(docs)
    with publishing_to(queue), transaction.atomic():
        job = outbox.enqueue("forwardplans.tasks.reminder_sweep", "2026-01-03")
    job.refresh_from_db()
    assert job.published_at is not None, job.last_error
    notify_server.wait_for(LEAD, timeout=60)
    wait_for(lambda: SENT.filter(email_status=EmailStatus.SENT).exists(), message="the reminder recorded as sent")
    [request] = notify_server.sent
    assert request.claims["iss"] == SERVICE_ID and request.body["personalisation"]["subject"] == WEEK_SUBJECT
    assert f"/actions/{docs['action'].pk}/" in request.body["personalisation"]["body"], worker.log()[-2000:]


def test_the_invitation_job_on_the_worker_retries_notifys_500_and_records_its_400(
        client, world, notify_server, start_worker):
    queue = f"notify-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue=queue, env={**notify_server.env, "SITE_URL": SITE})
    notify_server.refuse("nobody@example.nhs.uk")
    notify_server.fail_once(500, address="busy@example.nhs.uk")
    questionnaire = _questionnaire(world)
    addresses = ["first@example.nhs.uk", "nobody@example.nhs.uk", "busy@example.nhs.uk", "last@example.nhs.uk"]
    with publishing_to(queue):
        url = _invite(client, world, questionnaire, *addresses)
    job = outbox.OutboxJob.objects.get(task=SEND_INVITATIONS_TASK)
    assert job.published_at is not None, job.last_error

    def settled():
        rows = QuestionnaireInvitation.objects.all()
        return not rows.filter(status__in=[InvitationStatus.PENDING, InvitationStatus.SENDING]).exists()

    wait_for(settled, timeout=120, message="every invitation sent or failed")  # the retry backs off up to 30 s
    refused = QuestionnaireInvitation.objects.get(status=InvitationStatus.FAILED)
    assert (refused.email, refused.attempts, refused.token_hash) == ("nobody@example.nhs.uk", 1, None)
    assert refused.error == f"The mail server refused it: 550 {REFUSED_REASON}"
    sent = QuestionnaireInvitation.objects.filter(status=InvitationStatus.SENT)
    assert sorted(sent.values_list("email", "attempts")) == [("", 1), ("", 1), ("", 2)], worker.log()[-3000:]
    answered = [(r.body["email_address"], r.status) for r in notify_server.answered()]
    assert sorted(answered) == [("busy@example.nhs.uk", 201), ("busy@example.nhs.uk", 500),
                                ("first@example.nhs.uk", 201), ("last@example.nhs.uk", 201),
                                ("nobody@example.nhs.uk", 400)]
    for request in notify_server.sent:
        assert request.claims["iss"] == SERVICE_ID
        body = request.body["personalisation"]["body"]
        assert f"{SITE}/questionnaires/answer/" in body
        assert client.get(notify_server.link_for(request.body["email_address"])).status_code == 200

    client.force_login(world["users"][R.PRACTICE_LEAD])
    failed = client.get(url).content.decode()
    failed = failed[failed.index('id="failed-addresses"'):]
    assert "nobody@example.nhs.uk" in failed and INVALID_ADDRESS in failed and "first@example.nhs.uk" not in failed


# SMTP still works for the same reminder job ------------------------------------------------------------------

@pytest.mark.django_db
def test_the_reminder_job_over_real_smtp_retries_a_451_and_fails_a_550_at_once(docs, smtp_settings):
    _led(docs)
    smtp_settings.mailbox.busy_once.add(LEAD)
    smtp_settings.mailbox.refused.add(DEPUTY)
    first = reminders.sweep(D(2026, 1, 11))  # overdue: the lead and the deputy lead
    assert (first.sent, first.emailed, first.email_retry) == (2, 0, 1)
    rows = {r.recipient.email: r for r in SENT.select_related("recipient")}
    assert rows[LEAD].email_status == EmailStatus.PENDING and "451" in rows[LEAD].email_error
    assert (rows[DEPUTY].email_status, rows[DEPUTY].email_attempts) == (EmailStatus.FAILED, 1)
    assert "550" in rows[DEPUTY].email_error and "No such mailbox" in rows[DEPUTY].email_error

    assert tasks.send_reminder_emails.apply(args=[None]).get() == {"sent": 1, "failed": 0}
    [body] = smtp_settings.wait_for(LEAD)
    assert f"/actions/{docs['action'].pk}/" in body
    rows[LEAD].refresh_from_db()
    assert (rows[LEAD].email_status, rows[LEAD].email_attempts) == (EmailStatus.SENT, 2)
    assert smtp_settings.mailbox.recipients() == [LEAD]
    told = REMINDERS.get(recipient=docs["users"][R.RCGP_ADMIN], kind="failed")
    assert "No such mailbox" in told.body
