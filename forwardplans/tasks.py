"""Celery tasks. Each takes ids (never model instances), is idempotent, and is enqueued after commit through
the outbox (forwardplans.outbox). Settings give every task acks_late and reject_on_worker_lost, so a killed
worker's task runs again; only transient errors (mail server, network/files, WeasyPrint, database
connection) are retried, with exponential back-off; anything else fails at once and is reported.

Beat (settings.CELERY_BEAT_SCHEDULE): reminder_sweep daily at 07:00, weekly_digest on Mondays at 07:30,
relay_outbox every minute.
"""

import datetime
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import notifications, outbox, pdf, reminders

log = logging.getLogger(__name__)

RENDER_RETRIES = 3
TRANSIENT_RENDER_ERRORS = (OSError, pdf.RenderError, OperationalError, InterfaceError)


class EmailsWaiting(Exception):
    """Some e-mails hit a transient error and wait for a retry."""


def backoff(retries, base=30, cap=1800):
    return min(base * 2 ** retries, cap)


def _day(value):
    return datetime.date.fromisoformat(value) if value else None


@shared_task(bind=True, autoretry_for=(EmailsWaiting, OperationalError), retry_backoff=30, retry_backoff_max=1800,
             retry_jitter=True, max_retries=5)
def reminder_sweep(self, today=None):
    """One reminder sweep (beat: daily). A retry re-runs it: what was claimed is not claimed again, and the
    e-mails still waiting go out."""
    result = reminders.sweep(_day(today))
    if result.email_retry:
        raise EmailsWaiting(f"{result.email_retry} e-mail(s) to retry")
    return {"sent": result.sent, "skipped": result.skipped, "emailed": result.emailed}


@shared_task(bind=True, autoretry_for=(EmailsWaiting, OperationalError), retry_backoff=30, retry_backoff_max=1800,
             retry_jitter=True, max_retries=5)
def weekly_digest(self, today=None):
    result = reminders.digest(_day(today))
    if result.email_retry:
        raise EmailsWaiting(f"{result.email_retry} e-mail(s) to retry")
    return {"sent": result.sent, "skipped": result.skipped}


@shared_task(bind=True, autoretry_for=(EmailsWaiting, OperationalError), retry_backoff=30, retry_backoff_max=1800,
             retry_jitter=True, max_retries=5)
def send_reminder_emails(self, ids=None):
    result = notifications.send_pending_emails(ids)
    if result.retry:
        raise EmailsWaiting(f"{result.retry} e-mail(s) to retry")
    return {"sent": result.sent, "failed": result.failed}


@shared_task(bind=True, max_retries=RENDER_RETRIES)
def render_pdf(self, pdf_id):
    """Render a requested PDF once; a READY PDF is left alone, so redelivery is harmless."""
    try:
        stored = pdf.render(pdf_id)
    except TRANSIENT_RENDER_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            pdf.mark_failed(pdf_id, f"{type(exc).__name__}: {exc}")
            return "failed"
        log.warning("PDF %s: %s; retrying", pdf_id, exc)
        raise self.retry(exc=exc, countdown=backoff(self.request.retries, base=10)) from exc
    except Exception as exc:  # a template or data fault: retrying would fail the same way
        log.exception("PDF %s failed", pdf_id)
        pdf.mark_failed(pdf_id, f"{type(exc).__name__}: {exc}")
        return "failed"
    return stored.status if stored else "gone"


@shared_task
def relay_outbox():
    """Publish jobs kept in the outbox while Redis was down (beat: every minute)."""
    return outbox.relay()


@shared_task(bind=True, autoretry_for=(EmailsWaiting, OperationalError), retry_backoff=30, retry_backoff_max=1800,
             retry_jitter=True, max_retries=5)
def send_questionnaire_invitations(self, ids=None):
    """E-mail staff questionnaire invitations (only ``ids`` if given). Sent ones are not sent again, so a
    redelivery is harmless; an address refused for good is recorded on its invitation and the rest go on."""
    from . import questionnaire_mail

    result = questionnaire_mail.send_invitation_emails(ids)
    if result.retry:
        raise EmailsWaiting(f"{result.retry} invitation(s) to retry")
    return {"sent": result.sent, "failed": result.failed}
