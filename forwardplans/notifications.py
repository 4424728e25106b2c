"""In-app notifications and their e-mails.

A SentReminder row's e-mail goes PENDING → SENDING → SENT. Rows are taken with SELECT ... FOR UPDATE SKIP
LOCKED and marked SENDING before the message goes out, so two senders never pick the same row. A transient
failure (a 4xx answer, the network, GOV.UK Notify down) puts the row back to PENDING for a retry with back-off;
after MAX_EMAIL_ATTEMPTS, or a refusal for good (``permanent_email_error``), it is FAILED and RCGP admins are
told in the app. A sender killed between handing the message to the mail server and recording it leaves the row
SENDING; after SENDING_LEASE it is sent again —
the only case in which someone could get an e-mail twice. A row that cannot be sent at all (an address with a
line break in it, say) is FAILED with its reason and the others go on.

An e-mail carries a neutral title and a link, never the text of a plan or report: the page renders the rest when
it is read, through the access policy (forwardplans.events.present).

E-mail backend: EMAIL_URL (django-environ): smtp+tls://... in production, consolemail:// by default,
filemail:///path to write each message to a file (the test worker), memorymail:// for locmem; or GOV.UK Notify
when NOTIFY_API_KEY is set (core.notify).
"""

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import User
from core.roles import Role
from core.text import one_line

from . import access
from .delivery import Candidate, claim, unread_counts
from .job_models import EmailStatus, Notification, ReminderItem, ReminderKind, SentReminder

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
SENDING_LEASE = timezone.timedelta(minutes=15)
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, OSError)


@dataclass
class EmailResult:
    sent: int = 0
    failed: int = 0
    retry: int = 0


def permanent_email_error(exc):
    """Whether sending the same message again would fail the same way; the one classifier of every e-mail job.
    Permanent: an answer in SMTP's 5xx class (refused for good; core.notify answers so for GOV.UK Notify's 400 and
    403), or a fault of the message itself (an address with a line break, say). Transient: a 4xx answer (busy,
    greylisted; core.notify's 421 for Notify down, failing or rate-limiting), a dropped connection, a network error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return not isinstance(exc, TRANSIENT_EMAIL_ERRORS)


def describe_email_error(exc, limit=500):
    """Why sending failed, in the mail server's words (or GOV.UK Notify's, core.notify), without the address: what
    a page shows beside an e-mail that could not be sent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = exc.recipients.values()
    elif isinstance(exc, smtplib.SMTPResponseException):
        answers = [(exc.smtp_code, exc.smtp_error)]
    else:
        return type(exc).__name__
    said = "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                     for code, text in answers)
    return f"The mail server refused it: {said}"[:limit]


def email_for(notification, recipient):
    body = render_to_string("emails/notification.txt", {
        "notification": notification, "recipient": recipient, "site_url": settings.SITE_URL})
    return EmailMessage(subject=one_line(f"[Practice Resilience] {notification.title}", 250), body=body,
                        to=[recipient.email], from_email=settings.DEFAULT_FROM_EMAIL)


def _take(ids, limit, exclude):
    """Lock and mark SENDING the rows to e-mail now."""
    stale = timezone.now() - SENDING_LEASE
    with transaction.atomic():
        todo = SentReminder.objects.select_for_update(skip_locked=True).filter(
            Q(email_status=EmailStatus.PENDING) | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=stale))
        if ids is not None:
            todo = todo.filter(pk__in=ids)
        if exclude:
            todo = todo.exclude(pk__in=exclude)
        taken = list(todo.order_by("pk").values_list("pk", flat=True)[:limit])
        SentReminder.objects.filter(pk__in=taken).update(email_status=EmailStatus.SENDING,
                                                         email_claimed_at=timezone.now(),
                                                         email_attempts=F("email_attempts") + 1)
    return list(SentReminder.objects.filter(pk__in=taken).select_related("recipient", "notification").order_by("pk"))


def send_pending_emails(ids=None, batch=500, max_batches=40):
    """Send the e-mails of claimed reminders that have not gone yet, in batches over one connection each.
    Never raises for a mail server that is down: those rows wait (``retry``) for the next attempt."""
    result = EmailResult()
    attempted = set()
    for _ in range(max_batches):
        rows = _take(ids, batch, attempted)
        if not rows:
            break
        attempted.update(row.pk for row in rows)
        if not _send_batch(rows, result) or len(rows) < batch:
            break
    return result


def _send_batch(rows, result):
    """Send ``rows`` over one connection; False when the mail server could not be reached at all."""
    connection = get_connection()
    try:
        connection.open()
    except TRANSIENT_EMAIL_ERRORS as exc:
        for row in rows:
            _failed(row, exc, result)
        return False
    try:
        for row in rows:
            try:
                connection.send_messages([email_for(row.notification, row.recipient)])
            except Exception as exc:  # one bad row must not stop the others
                _failed(row, exc, result, permanent=permanent_email_error(exc))
            else:
                SentReminder.objects.filter(pk=row.pk, email_status=EmailStatus.SENDING).update(
                    email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error="")
                result.sent += 1
    finally:
        try:
            connection.close()
        except TRANSIENT_EMAIL_ERRORS:
            log.warning("closing the mail connection failed", exc_info=True)
    return True


def _failed(row, exc, result, permanent=False):
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if permanent or row.email_attempts >= MAX_EMAIL_ATTEMPTS:
        SentReminder.objects.filter(pk=row.pk).update(email_status=EmailStatus.FAILED, email_error=error)
        result.failed += 1
        log.error("e-mail for reminder %s failed for good: %s", row.pk, error)
        notify_job_failure(title=f"An e-mail to {row.recipient.get_full_name() or row.recipient.username} "
                                 f"could not be sent",
                           body=f"“{row.notification.title}”: {error}. The notification is in their list in the app.",
                           link="", item_type=ReminderItem.EMAIL_FAILURE, item_id=row.pk)
    else:
        SentReminder.objects.filter(pk=row.pk).update(email_status=EmailStatus.PENDING, email_error=error)
        result.retry += 1
        log.warning("e-mail for reminder %s will be retried: %s", row.pk, error)


def notify_job_failure(*, title, body, link, item_type, item_id, requester=None):
    """Tell the person who asked (if anyone) and every RCGP admin that a background job failed for good."""
    admins = User.objects.filter(is_active=True, role=Role.RCGP_ADMIN).values_list("pk", flat=True)
    recipients = dict.fromkeys([*([requester.pk] if requester else []), *admins])
    today = timezone.localdate()
    # In the app only: an e-mail about a failed e-mail could fail the same way.
    return claim((Candidate(r, item_type, item_id, ReminderKind.FAILED, today, "self", r, title, body,
                            link) for r in recipients), email=False)


# Reading and marking ---------------------------------------------------------------------------------

def unread_count(user, *, session):
    """How many of the user's notifications are unread, as the header shows it: counted once and kept for the
    session until one is delivered or read (``unread_counts``), for a minute at most."""
    return unread_counts.get(session, user.pk, lambda: access.notifications_for(user)
                             .filter(read_at__isnull=True).count())


def mark_read(notification):
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    unread_counts.forget([notification.recipient_id])
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(notifications):
    unread = notifications.filter(read_at__isnull=True)
    recipients = set(unread.values_list("recipient_id", flat=True).distinct())
    count = unread.update(read_at=timezone.now())
    unread_counts.forget(recipients)
    return count
