"""The forgotten-password job. Enqueued with forwardplans.outbox by people.passwords.password_reset_request; takes
account ids (an empty list for an address no account has: nothing to send)."""

from celery import shared_task

from . import reset_mail

RETRIES = 5


def backoff(retries, base=30, cap=1800):
    return min(cap, base * 2 ** retries)


@shared_task(bind=True, max_retries=RETRIES)
def send_password_reset_emails(self, ids):
    """E-mail each account in ``ids`` a reset link (or, without a password, how to sign in). Messages that met a
    transient mail-server failure are retried alone, each with a new link."""
    waiting = reset_mail.send_reset_emails(list(ids or []))
    if waiting:
        raise self.retry(args=[waiting], countdown=backoff(self.request.retries))
    return {"accounts": len(ids or [])}
