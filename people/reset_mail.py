"""The forgotten-password e-mail (sent by people.tasks.send_password_reset_emails).

The link is made at sending time with Django's ``default_token_generator`` (people/passwords.py says why it works
once and expires); it exists only in the message. An account that does not sign in with a password (it has none,
or one of its organisations has turned password sign-in off: people/sign_in.py) gets a message saying to sign in
with an NHS account, with the sign-in page, instead of a link. A deactivated account, or one
without an address, gets nothing.

A mail server that is down or answers 4xx leaves that account's message to the job's retry; a 5xx refusal is final
(logged, without the address).
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import User
from forwardplans.notifications import describe_email_error, permanent_email_error

from .sign_in import password_turned_off_for

log = logging.getLogger(__name__)

SUBJECT = "Reset your Practice Resilience password"
SSO_ONLY_SUBJECT = "Signing in to Practice Resilience"


def reset_link(user):
    """A new reset link for ``user`` (absolute, on settings.SITE_URL)."""
    path = reverse("account:password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    return settings.SITE_URL + path


def reset_email(user):
    """The message for ``user``, or None when they get none (deactivated, no address)."""
    if not user.is_active or not user.email:
        return None
    has_password = user.has_usable_password() and not password_turned_off_for(user).exists()
    body = render_to_string("emails/password_reset.txt", {
        "user": user, "has_password": has_password, "link": reset_link(user) if has_password else "",
        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60, "sign_in": settings.SITE_URL + reverse("login")})
    return EmailMessage(subject=SUBJECT if has_password else SSO_ONLY_SUBJECT, body=body, to=[user.email],
                        from_email=settings.DEFAULT_FROM_EMAIL)


def send_reset_emails(ids):
    """Send the message of each account in ``ids`` over one connection. Returns the ids whose message met a
    transient failure (for the job's retry)."""
    users = list(User.objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk"))
    if not users:
        return []
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("password reset e-mail waits: the mail server could not be reached: %s", describe_email_error(exc))
        return [user.pk for user in users]
    waiting = []
    try:
        for user in users:
            message = reset_email(user)
            if message is None:
                continue
            try:
                connection.send_messages([message])
            except Exception as exc:  # one refused address must not stop the others
                if permanent_email_error(exc):
                    log.warning("password reset e-mail for user %s could not be sent: %s", user.pk,
                                describe_email_error(exc))
                else:
                    waiting.append(user.pk)
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            log.warning("closing the mail connection failed", exc_info=True)
    return waiting
