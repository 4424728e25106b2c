"""The invitation e-mail sent by the real Celery worker (a separate process, autodiscovering people.tasks) through
a real SMTP server, and the link in it accepted: the account made with the membership, the link used once."""

import re
import uuid

import pytest
from django.urls import reverse

from core.models import User
from core.roles import Role
from forwardplans.job_models import OutboxJob
from people.models import Invitation

from ..celery_worker import publishing_to, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
R = Role
LINK = re.compile(r"(https?://[^/\s]+)(/people/invitations/accept/[^/\s]+/)")


def test_the_worker_sends_the_invitation_over_smtp_and_its_link_makes_the_account(client, world, smtp_server,
                                                                                  start_worker):
    queue = f"people-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue=queue, env={"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
                                            "SITE_URL": "https://resilience.example.nhs.uk"})
    practice = world["practices"]["own"]
    client.force_login(world["users"][R.PRACTICE_LEAD])
    with publishing_to(queue):
        response = client.post(reverse("people:invite", kwargs={"org": f"practice/{practice.ods_code}"}),
                               {"email": "worker.test@example.nhs.uk", "role": R.PRACTICE_USER})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    job = OutboxJob.objects.get(task="people.tasks.send_people_invitation")
    assert job.published_at is not None and job.args == [invitation.pk], job.last_error
    [body] = smtp_server.wait_for("worker.test@example.nhs.uk", timeout=60)
    assert "people.tasks.send_people_invitation" in worker.log()
    site, path = LINK.search(body).groups()
    assert site == "https://resilience.example.nhs.uk" and str(practice) in body
    wait_for(lambda: Invitation.objects.get(pk=invitation.pk).email_status == "sent", message="the e-mail recorded")

    client.logout()
    assert client.get(path).status_code == 200
    response = client.post(path, {"first_name": "Wyn", "last_name": "Worker", "password1": "violet-harbour-42x",
                                  "password2": "violet-harbour-42x"})
    assert response.status_code == 302
    user = User.objects.get(username="worker.test@example.nhs.uk")
    assert (user.role, user.practice_id) == (R.PRACTICE_USER, practice.pk)
    assert Invitation.objects.get(pk=invitation.pk).status == "accepted"
    assert client.get(path).status_code == 410
