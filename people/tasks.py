"""Celery tasks of the people app (found by the worker's autodiscovery of each installed app's ``tasks`` module):
invitation e-mails and forgotten-password e-mails. Each takes ids, is idempotent, and is enqueued after commit
through forwardplans.outbox."""

from celery import shared_task
from django.db import OperationalError


class InvitationEmailWaiting(Exception):
    """The invitation's e-mail hit a transient error and waits for a retry."""


@shared_task(bind=True, autoretry_for=(InvitationEmailWaiting, OperationalError), retry_backoff=30,
             retry_backoff_max=1800, retry_jitter=True, max_retries=5)
def send_people_invitation(self, invitation_id):
    """E-mail invitation ``invitation_id`` with a new link. A sent, ended or expired invitation is not sent (a
    redelivery is harmless); an address refused for good is recorded on the invitation."""
    from . import invitation_mail

    outcome = invitation_mail.send_invitation(invitation_id)
    if outcome == "retry":
        raise InvitationEmailWaiting(f"invitation {invitation_id} to retry")
    return outcome


RESET_RETRIES = 5


def backoff(retries, base=30, cap=1800):
    return min(cap, base * 2 ** retries)


@shared_task(bind=True, max_retries=RESET_RETRIES)
def send_password_reset_emails(self, ids):
    """E-mail each account in ``ids`` a reset link (or, without a password, how to sign in); an empty list for an
    address no account has: nothing to send. Messages that met a transient mail-server failure are retried alone,
    each with a new link."""
    from . import reset_mail

    waiting = reset_mail.send_reset_emails(list(ids or []))
    if waiting:
        raise self.retry(args=[waiting], countdown=backoff(self.request.retries))
    return {"accounts": len(ids or [])}
