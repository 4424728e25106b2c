"""Invitation e-mails and their links: the message sent over a real SMTP server (the job run in this process; the
real Celery worker sends it in test_invitations_worker.py), the link making an account or adding the role to an
existing one, and the links that no longer work (resent, expired, used, revoked, tampered): a page that says which,
404 or 410, nothing changed, the attempt logged."""

import datetime
import hashlib
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Membership, User
from core.roles import Role
from people import invitation_mail, tasks
from people.models import Invitation, PeopleChange
from people.services import invitation_resend, invitation_revoke
from tests.factories import user_for

pytestmark = pytest.mark.django_db
R = Role
LINK = r"/people/invitations/accept/[^/\s]+/"
GOOD_PASSWORD = "violet-harbour-lantern-42"


def _invite(client, lead, practice, email, role=R.PRACTICE_USER):
    client.force_login(lead)
    response = client.post(reverse("people:invite", kwargs={"org": f"practice/{practice.ods_code}"}),
                           {"email": email, "role": role})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return Invitation.objects.get(email=email.lower(), role=role)


def _send(invitation):
    return tasks.send_people_invitation.apply(args=[invitation.pk]).get()


def _new_account(**changes):
    return {"first_name": "Sam", "last_name": "Jones", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD,
            **changes}


def test_the_e_mail_names_the_organisation_role_and_expiry_and_its_link_makes_the_account(
        client, world, smtp_server, smtp_settings, settings):
    settings.SITE_URL = "https://resilience.example.nhs.uk"
    practice = world["practices"]["own"]
    invitation = _invite(client, world["users"][R.PRACTICE_LEAD], practice, "Sam.Jones@example.nhs.uk")
    assert _send(invitation) == "sent"
    [(tos, message)] = smtp_server.mailbox.messages
    body = message.get_content()
    assert tos == ["sam.jones@example.nhs.uk"] and message["Subject"] == invitation_mail.SUBJECT
    assert f"{practice} has invited you to use Practice Resilience as Practice user." in body
    invitation.refresh_from_db()
    assert f"until {timezone.localtime(invitation.expires_at):%-d %B %Y at %H:%M}" in body
    site, path = re.search(rf"(https://[^/\s]+)({LINK})", body).groups()
    assert site == "https://resilience.example.nhs.uk"
    secret = path.rstrip("/").rsplit("/", 1)[1]
    # Only the secret's sha256 is kept; the e-mail's state is recorded.
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in str(
        Invitation.objects.filter(pk=invitation.pk).values().get())
    assert (invitation.email_status, invitation.email_attempts, invitation.sent_at is not None) == ("sent", 1, True)
    assert _send(invitation) == "nothing"  # sent already: a redelivered job sends nothing

    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Own Practice" in html and "as Practice user" in html and "sam.jones@example.nhs.uk" in html
    response = client.post(path, _new_account(password2="something-else-entirely"))
    html = response.content.decode()
    assert response.status_code == 422 and 'href="#id_password2"' in html and 'value="Sam"' in html
    response = client.post(path, _new_account(password1="password", password2="password"))
    assert response.status_code == 422 and "too common" in response.content.decode()
    assert not User.objects.filter(username="sam.jones@example.nhs.uk").exists()

    response = client.post(path, _new_account())
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(username="sam.jones@example.nhs.uk")
    assert (user.role, user.practice_id, user.get_full_name()) == (R.PRACTICE_USER, practice.pk, "Sam Jones")
    assert client.get("/").context["request"].user == user  # signed in
    assert client.get(path).status_code == 410  # used: once only
    assert list(PeopleChange.objects.filter(practice=practice).order_by("pk").values_list("action", "outcome")) == [
        ("invited", "done"), ("invitation_accepted", "done"), ("invitation_refused", "refused")]


def test_resending_makes_a_new_link_and_the_old_one_stops_working(client, world, smtp_server, smtp_settings):
    lead = world["users"][R.PRACTICE_LEAD]
    invitation = _invite(client, lead, world["practices"]["own"], "again@example.nhs.uk")
    _send(invitation)
    old = smtp_server.link_for("again@example.nhs.uk", LINK)
    invitation.refresh_from_db()
    invitation_resend(invitation=invitation, base_version=invitation.version, actor=lead)
    assert client.get(old).status_code == 404  # at once, before the new e-mail goes
    _send(invitation)
    first, second = smtp_server.wait_for("again@example.nhs.uk", count=2)
    new = re.search(LINK, second).group(0)
    assert new != old and re.search(LINK, first).group(0) == old
    response = client.get(old)
    assert response.status_code == 404 and "not recognised" in response.content.decode()
    assert client.get(new).status_code == 200


@pytest.mark.parametrize(("ending", "status", "heading"), [
    ("expired", 410, "This invitation has expired"),
    ("used", 410, "This invitation has already been used"),
    ("revoked", 410, "This invitation has been withdrawn"),
])
def test_ended_links_say_which_with_410_change_nothing_and_are_logged(client, world, smtp_server, smtp_settings,
                                                                     ending, status, heading):
    lead = world["users"][R.PRACTICE_LEAD]
    invitation = _invite(client, lead, world["practices"]["own"], f"{ending}@example.nhs.uk")
    _send(invitation)
    path = smtp_server.link_for(f"{ending}@example.nhs.uk", LINK)
    if ending == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif ending == "used":
        assert client.post(path, _new_account()).status_code == 302
        client.logout()
    else:
        invitation_revoke(invitation=invitation, base_version=invitation.version, actor=lead)
    users, memberships = User.objects.count(), Membership.objects.count()
    before = Invitation.objects.filter(pk=invitation.pk).values().get()
    for response in (client.get(path), client.post(path, _new_account(first_name="Eve"))):
        html = response.content.decode()
        assert response.status_code == status and heading in html
        assert "Ask your organisation&#39;s admin to send you the invitation again" in html or "ask your" in html
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert Invitation.objects.filter(pk=invitation.pk).values().get() == before
    refused = PeopleChange.objects.filter(action="invitation_refused", outcome="refused")
    assert refused.count() == 2 and {row.subject_email for row in refused} == {f"{ending}@example.nhs.uk"}
    assert all(ending in row.detail for row in refused)


def test_a_tampered_or_unknown_link_is_404_and_logged_on_the_security_log(client, world, smtp_server, smtp_settings,
                                                                        caplog):
    caplog.set_level(logging.WARNING, logger="people.security")
    invitation = _invite(client, world["users"][R.PRACTICE_LEAD], world["practices"]["own"], "t@example.nhs.uk")
    _send(invitation)
    path = smtp_server.link_for("t@example.nhs.uk", LINK)
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = reverse("people:invitation_accept", kwargs={"token": token[:-1] + ("A" if token[-1] != "A" else "B")})
    for response in (client.get(tampered), client.post(tampered, _new_account())):
        assert response.status_code == 404
        assert "This invitation link is not recognised" in response.content.decode()
    assert caplog.text.count("unknown invitation link") == 2
    assert not User.objects.filter(username="t@example.nhs.uk").exists()
    assert Invitation.objects.get(pk=invitation.pk).status == "pending" and client.get(path).status_code == 200


def test_someone_with_an_account_signs_in_to_it_and_confirms(client, world, smtp_server, smtp_settings):
    lead = world["users"][R.PRACTICE_LEAD]
    colleague = user_for(R.PRACTICE_USER, practice=world["practices"]["own_sibling"], email="Kim@Example.nhs.uk")
    invitation = _invite(client, lead, world["practices"]["own"], "kim@example.nhs.uk")
    _send(invitation)
    path = smtp_server.link_for("kim@example.nhs.uk", LINK)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={path}"
    # Signed in as someone else: nothing is accepted in their name.
    client.force_login(world["users"][R.PRACTICE_USER])
    response = client.get(path)
    assert response.status_code == 200 and "You are signed in as" in response.content.decode()
    assert client.post(path).status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
    client.force_login(colleague)
    response = client.get(path)
    assert response.status_code == 200 and "Accept the invitation" in response.content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert sorted(Membership.objects.filter(user=colleague).values_list("practice__name", flat=True)) == [
        "Own Practice", "Sibling Practice"]
    colleague.refresh_from_db()
    assert colleague.other_memberships == 1 and colleague.practice == world["practices"]["own_sibling"]


def test_a_transient_failure_is_retried_and_a_permanent_one_shows_as_could_not_be_sent(client, world, smtp_server,
                                                                                     smtp_settings):
    lead = world["users"][R.PRACTICE_LEAD]
    smtp_server.mailbox.busy_once.add("busy@example.nhs.uk")
    smtp_server.mailbox.refused.add("gone@example.nhs.uk")
    busy = _invite(client, lead, world["practices"]["own"], "busy@example.nhs.uk")
    gone = _invite(client, lead, world["practices"]["own"], "gone@example.nhs.uk")
    assert invitation_mail.send_invitation(busy.pk) == "retry"
    busy.refresh_from_db()
    assert (busy.email_status, busy.email_attempts) == ("pending", 1) and "451" in busy.email_error
    assert _send(busy) == "sent"  # the task's retry
    busy.refresh_from_db()
    assert (busy.email_status, busy.email_attempts, busy.email_error) == ("sent", 2, "")
    assert _send(gone) == "failed"
    gone.refresh_from_db()
    assert (gone.email_status, gone.token_hash) == ("failed", "")
    assert gone.email_error == "The mail server refused it: 550 5.1.1 No such mailbox here"
    client.force_login(lead)
    html = client.get(reverse("people:organisation", kwargs={"org": f"practice/{world['practices']['own'].ods_code}"}
                              )).content.decode()
    assert "Could not be sent" in html and "550 5.1.1 No such mailbox here" in html
    assert smtp_server.mailbox.recipients() == ["busy@example.nhs.uk"]
