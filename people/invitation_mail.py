"""Sending an invitation to join an organisation by e-mail (the job behind people.tasks.send_people_invitation).

An invitation's e-mail goes PENDING → SENDING → SENT. The row is taken with SELECT ... FOR UPDATE SKIP LOCKED and
marked SENDING before the message goes out, so two senders never send it twice at once. The link's secret is made
at that moment: only its sha256 is stored (``Invitation.token_hash``), and the secret exists only in the message.
A retry makes a new secret, so a message sent twice never leaves two working links.

A transient failure (the mail server down, a 4xx answer) puts it back to PENDING for the task's retry; after
MAX_ATTEMPTS, or at once for a permanent one (a 5xx answer), it is FAILED, with the reason kept: the organisation's
page shows it as "could not be sent", and its admin may correct the address (revoke, invite again) or resend.

The message is neutral: the organisation and the role it invites to, the link, and when the link expires.
"""

import logging
import secrets

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from forwardplans.notifications import describe_email_error, permanent_email_error

from .access import Organisation
from .models import Invitation
from .services import token_hash

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and the task's five retries
SENDING_LEASE = timezone.timedelta(minutes=15)
SUBJECT = "Your invitation to Practice Resilience"
EmailStatus = Invitation.EmailStatus


def invitation_link(secret):
    return settings.SITE_URL + reverse("people:invitation_accept", kwargs={"token": secret})


def invitation_email(invitation, secret):
    body = render_to_string("emails/people_invitation.txt", {
        "organisation": Organisation.of(invitation).name(),
        "role": (f"{invitation.get_role_display()} ({invitation.get_region_display()})" if invitation.region
                 else invitation.get_role_display()),
        "link": invitation_link(secret),
        "expires": f"{timezone.localtime(invitation.expires_at):%-d %B %Y at %H:%M}",
    })
    return EmailMessage(subject=SUBJECT, body=body, to=[invitation.email], from_email=settings.DEFAULT_FROM_EMAIL)


def _take(pk):
    """Lock the invitation, give it a fresh secret and mark it SENDING: (invitation, secret), or None when there is
    nothing to send (sent already, ended, expired, or being sent by another worker)."""
    stale = timezone.now() - SENDING_LEASE
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update(skip_locked=True)
                      .filter(Q(email_status=EmailStatus.PENDING)
                              | Q(email_status=EmailStatus.SENDING, claimed_at__lt=stale),
                              pk=pk, status=Invitation.Status.PENDING, expires_at__gt=timezone.now())
                      .first())
        if invitation is None:
            return None
        secret = secrets.token_urlsafe(32)
        invitation.email_status, invitation.claimed_at, invitation.token_hash = (
            EmailStatus.SENDING, timezone.now(), token_hash(secret))
        invitation.email_attempts += 1
        invitation.save(update_fields=["email_status", "claimed_at", "token_hash", "email_attempts"])
    return invitation, secret


def send_invitation(pk):
    """Send invitation ``pk``'s e-mail if it is waiting. Returns "sent", "failed", "retry" or "nothing"."""
    taken = _take(pk)
    if taken is None:
        return "nothing"
    invitation, secret = taken
    sending = Invitation.objects.filter(pk=pk, email_status=EmailStatus.SENDING, token_hash=invitation.token_hash)
    try:
        connection = get_connection()
        connection.send_messages([invitation_email(invitation, secret)])
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the invitation
        error = describe_email_error(exc, 300)
        if permanent_email_error(exc) or invitation.email_attempts >= MAX_ATTEMPTS:
            # Nobody received this secret: the link cannot work.
            sending.update(email_status=EmailStatus.FAILED, email_error=error, token_hash="")
            log.warning("people invitation %s could not be sent: %s", pk, error)
            return "failed"
        # The secret is kept: the message may have gone through after all. The retry replaces it.
        sending.update(email_status=EmailStatus.PENDING, email_error=error)
        log.info("people invitation %s will be retried: %s", pk, error)
        return "retry"
    sending.update(email_status=EmailStatus.SENT, email_error="", sent_at=timezone.now())
    return "sent"
