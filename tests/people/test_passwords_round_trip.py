"""The forgotten-password round trip through the real doors: the page enqueues the job through the outbox, a real
Celery worker sends over a real SMTP server (tests/smtp.py), and the link in the message sets a new password."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.roles import Role
from forwardplans.job_models import OutboxJob
from people import passwords
from people.models import PeopleChange
from tests.celery_worker import publishing_to, wait_for
from tests.factories import PASSWORD, user_for

R = Role
NEW_PASSWORD = "violet-harbour-lantern-42"
LINK = r"/accounts/password/reset/[^/\s]+/[^/\s]+/"
SITE = "https://resilience.example.nhs.uk"


def _signs_in(username, password):
    return Client().post(reverse("login"), {"username": username, "password": password}).status_code == 302


def test_the_reset_round_trip_over_real_smtp_and_the_worker_with_no_mail_for_an_unknown_address(
        world, smtp_server, start_worker):
    cache.clear()
    queue = f"resets-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue=queue, env={"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", "SITE_URL": SITE})
    person = user_for(R.COMMISSIONER_LEAD, commissioner=world["own"], username="casey",
                      email="casey.lead@example.nhs.uk")
    nhs_only = user_for(R.PRACTICE_USER, practice=world["practices"]["own"], username="nhs-only",
                        email="nhs.only@example.nhs.uk")
    nhs_only.set_unusable_password()
    nhs_only.save()

    answers = []
    with publishing_to(queue):
        for address in ("nobody@example.nhs.uk", "Casey.Lead@example.nhs.uk", "nhs.only@example.nhs.uk"):
            answers.append(Client().post(reverse("account:password_reset"), {"email": address}))
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("account:password_reset_sent"))}
    jobs = OutboxJob.objects.filter(task=passwords.RESET_TASK).order_by("pk")
    assert [job.args for job in jobs] == [[[]], [[person.pk]], [[nhs_only.pk]]]
    assert all(job.published_at is not None for job in jobs), [job.last_error for job in jobs]

    # The worker takes the jobs in order, one at a time: once all three have run, only the two accounts had mail.
    done = re.compile(r"Task people\.tasks\.send_password_reset_emails\[[^\]]+\] succeeded")
    wait_for(lambda: len(done.findall(worker.log())) == 3, timeout=60, message="the three jobs to run")
    smtp_server.wait_for(person.email)
    smtp_server.wait_for(nhs_only.email)
    assert smtp_server.mailbox.recipients() == ["casey.lead@example.nhs.uk", "nhs.only@example.nhs.uk"]
    [nhs_only_body] = smtp_server.bodies_for(nhs_only.email)
    assert "sign in with your NHS account" in nhs_only_body and "/accounts/password/reset/" not in nhs_only_body
    assert f"{SITE}/accounts/login/" in nhs_only_body

    [body] = smtp_server.bodies_for(person.email)
    assert f"{SITE}/accounts/password/reset/" in body and "casey" in body
    path = smtp_server.link_for(person.email, LINK)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not OutboxJob.objects.filter(args__icontains=token).exists()  # the secret is only in the message

    browser = Client()
    opened = browser.get(path)
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    done_page = browser.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done_page.status_code == 302 and done_page["Location"] == reverse("account:password_reset_complete")
    assert _signs_in("casey", NEW_PASSWORD) and not _signs_in("casey", PASSWORD)
    assert "This link does not work" in Client().get(path).content.decode()
    assert list(PeopleChange.objects.filter(subject=person, action=PeopleChange.Action.PASSWORD_RESET)
                .order_by("pk").values_list("outcome", flat=True)) == ["done", "refused"]


@pytest.mark.django_db
def test_the_job_for_no_account_sends_nothing_and_succeeds(smtp_settings):
    """The job of an unknown address, run here: nothing to send, no connection opened, no retry."""
    from people.tasks import send_password_reset_emails

    assert send_password_reset_emails.apply(args=[[]]).get() == {"accounts": 0}
    assert smtp_settings.mailbox.recipients() == []
