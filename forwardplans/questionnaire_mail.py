"""Sending staff questionnaire invitations by e-mail (the job behind forwardplans.tasks.send_questionnaire_invitations).

An invitation goes PENDING → SENDING → SENT. Rows are taken with SELECT ... FOR UPDATE SKIP LOCKED and marked
SENDING before the message goes out, so two senders never pick the same one. The link's secret is made at that
moment: only its sha256 is stored, and the secret itself exists only in the message. A retry makes a new secret
(the earlier one stops working), so a message sent twice never leaves two working links.

A transient failure (the mail server down, a 4xx answer) puts the row back to PENDING for the task's retry; after
MAX_ATTEMPTS it is FAILED. An address the server refuses for good (5xx), or one that cannot be sent to at all, is
FAILED at once with the reason recorded on that invitation, and the others carry on. The practice sees failed
addresses on its invitations page and may enter a corrected one.

The address is deleted as soon as its invitation is sent; one that could not be sent to is kept, for the practice
to see, until the questionnaire closes.

The message is neutral: no practice name, no contract, no confidential text; a subject, the link and how it works.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import InvitationKind, InvitationStatus, QuestionnaireInvitation
from .notifications import EmailResult, describe_email_error, permanent_email_error
from .questionnaire_services import format_code, invitation_hash, new_code

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and the task's five retries
SENDING_LEASE = timezone.timedelta(minutes=15)
SUBJECT = "Your invitation to a confidential staff questionnaire"


def invitation_email(address, code):
    link = settings.SITE_URL + reverse("questionnaires:answer", kwargs={"token": format_code(code)})
    body = render_to_string("emails/questionnaire_invitation.txt", {"link": link})
    return EmailMessage(subject=SUBJECT, body=body, to=[address], from_email=settings.DEFAULT_FROM_EMAIL)


def _take(ids, limit, exclude):
    """Lock, give a fresh secret to, and mark SENDING the invitations to e-mail now: [(invitation, code)]."""
    stale = timezone.now() - SENDING_LEASE
    with transaction.atomic():
        todo = (QuestionnaireInvitation.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(Q(status=InvitationStatus.PENDING) | Q(status=InvitationStatus.SENDING, claimed_at__lt=stale),
                        kind=InvitationKind.EMAIL, used=False, questionnaire__closed_at__isnull=True)
                .exclude(email=""))
        if ids is not None:
            todo = todo.filter(pk__in=ids)
        if exclude:
            todo = todo.exclude(pk__in=exclude)
        taken, now = [], timezone.now()
        for invitation in todo.order_by("pk")[:limit]:
            code = new_code()
            invitation.status, invitation.claimed_at, invitation.token_hash = (InvitationStatus.SENDING, now,
                                                                              invitation_hash(code))
            invitation.attempts += 1
            taken.append((invitation, code))
        QuestionnaireInvitation.objects.bulk_update(  # one query for the batch: each row has its own secret
            [invitation for invitation, _code in taken], ["status", "claimed_at", "attempts", "token_hash"])
    return taken


def send_invitation_emails(ids=None, batch=200, max_batches=50):
    """Send the invitations waiting (only ``ids`` if given), in batches over one connection each. Never raises
    for a mail server that is down: those invitations wait (``retry``) for the next attempt."""
    result = EmailResult()
    attempted = set()
    for _ in range(max_batches):
        rows = _take(ids, batch, attempted)
        if not rows:
            break
        attempted.update(invitation.pk for invitation, _code in rows)
        if not _send_batch(rows, result) or len(rows) < batch:
            break
    return result




def _send_batch(rows, result):
    """Send ``rows`` over one connection; False when the mail server could not be reached at all."""
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        for invitation, _code in rows:
            _failed(invitation, exc, result)
        return False
    try:
        for invitation, code in rows:
            try:
                connection.send_messages([invitation_email(invitation.email, code)])
            except Exception as exc:  # one bad row must not stop the others
                _failed(invitation, exc, result, for_good=permanent_email_error(exc))
            else:
                # Sent: the address has done its job (address_key still stops a second invitation to it).
                QuestionnaireInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SENDING).update(
                    status=InvitationStatus.SENT, error="", email="")
                result.sent += 1
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            log.warning("closing the mail connection failed", exc_info=True)
    return True


def _failed(invitation, exc, result, for_good=False):
    error = describe_email_error(exc)
    rows = QuestionnaireInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SENDING)
    if for_good or invitation.attempts >= MAX_ATTEMPTS:
        # Nobody received this secret; the address stays (until closing) for the practice to correct, but no
        # longer counts as invited, so the same address may be entered again.
        rows.update(status=InvitationStatus.FAILED, error=error, token_hash=None, address_key="")
        result.failed += 1
        log.warning("questionnaire invitation %s could not be sent: %s", invitation.pk, error)
    else:
        # The secret is kept: the message may have gone through after all. The retry replaces it.
        rows.update(status=InvitationStatus.PENDING, error=error)
        result.retry += 1
        log.info("questionnaire invitation %s will be retried: %s", invitation.pk, error)
