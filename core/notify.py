"""E-mail through GOV.UK Notify: a Django e-mail backend beside SMTP.

Settings (resilience/settings/base.py): NOTIFY_API_KEY turns it on (EMAIL_BACKEND becomes this class),
NOTIFY_TEMPLATE_ID is a Notify e-mail template whose subject is ((subject)) and whose body is ((body)),
NOTIFY_BASE_URL is the API (GOV.UK's by default). The jobs that send e-mail do not change: they build Django
EmailMessages and send them over ``get_connection()``, through the same outbox, retries and failure reporting.

Each recipient of each message is one call of the official client (``send_email_notification``), which signs a
JWT (iss = the service id, iat = now, HS256 with the key's secret). Notify sends from the service's own address,
so ``from_email`` is not used; only the plain-text body goes (an HTML alternative is left out, attachments are
refused: Notify sends files through a different API).

Failures are told to the senders in SMTP's terms, so that the one classifier
(forwardplans.notifications.permanent_email_error) treats them as it treats a mail server: Notify unreachable, a
time-out, a 5xx answer or 429 (rate limit) is ``NotifyUnavailable`` with SMTP code 421 (transient: the row waits
and the job retries); 400 or 403 (an address Notify will not send to, a wrong or revoked key, a missing template) is
``NotifyRefused`` with SMTP code 550 (permanent for that message), carrying Notify's own message as the reason.
"""

import smtplib
from email.utils import parseaddr

import requests
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address
from django.utils.crypto import salted_hmac
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

TRANSIENT_HTTP_STATUS = 429
REASON_LENGTH = 500


class NotifyError(smtplib.SMTPResponseException):
    """Notify did not take a message: ``http_status`` is its answer (None: no answer), ``reason`` what it said."""

    smtp_code = 421

    def __init__(self, reason, http_status=None):
        self.reason, self.http_status = reason[:REASON_LENGTH], http_status
        said = f"GOV.UK Notify answered {http_status}: {self.reason}" if http_status else self.reason
        super().__init__(self.smtp_code, said)

    def __str__(self):
        return f"{self.smtp_code} {self.smtp_error}"


class NotifyUnavailable(NotifyError):
    """Transient: Notify could not be reached, timed out, failed (5xx) or asked us to slow down (429)."""

    smtp_code = 421


class NotifyRefused(NotifyError):
    """Permanent for this message: Notify refused the request (400: the address, the template or the
    personalisation; 403: the key)."""

    smtp_code = 550


def _said(error):
    """Notify's own words from an error answer ({"errors": [{"error": ..., "message": ...}]})."""
    message = error.message
    if isinstance(message, list):
        message = "; ".join(f"{e.get('error', 'Error')}: {e.get('message', '')}" if isinstance(e, dict) else str(e)
                            for e in message)
    return str(message)


def translate(error):
    """The NotifyError (SMTP-shaped) for an error the client raised."""
    if isinstance(error, APIError) and error.response is not None:
        status = error.response.status_code
        if status >= 500 or status == TRANSIENT_HTTP_STATUS or not 400 <= status < 500:
            return NotifyUnavailable(_said(error), status)
        return NotifyRefused(_said(error), status)
    cause = error.__cause__ if isinstance(error, APIError) and error.__cause__ else error
    return NotifyUnavailable(f"GOV.UK Notify could not be reached: {type(cause).__name__}: {cause}")


def reference_for(message, recipient):
    """A reference Notify keeps with the notification, to find it there: the sender's own Message-ID if it set one,
    otherwise a keyed hash of recipient, subject and body (the same message gives the same reference on a retry;
    it reveals nothing about the person or the text)."""
    given = {k.lower(): v for k, v in message.extra_headers.items()}.get("message-id")
    if given:
        return given.strip("<>")[:100]
    digest = salted_hmac("core.notify.reference", f"{recipient}\n{message.subject}\n{message.body}",
                         algorithm="sha256").hexdigest()
    return f"pr-{digest[:40]}"


class NotifyEmailBackend(BaseEmailBackend):
    """Send Django e-mail through GOV.UK Notify's API (see the module's docstring)."""

    def __init__(self, fail_silently=False, api_key=None, template_id=None, base_url=None, timeout=None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key or settings.NOTIFY_API_KEY
        self.template_id = template_id or settings.NOTIFY_TEMPLATE_ID
        self.base_url = base_url or settings.NOTIFY_BASE_URL
        self.timeout = timeout or settings.EMAIL_TIMEOUT or 30
        self.client = None

    def open(self):
        """Make the API client (one HTTP session for the messages until ``close``); True if this call made it."""
        if self.client is not None:
            return False
        problem = None
        if not (self.api_key and self.template_id):
            problem = "NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID must both be set to send through GOV.UK Notify."
        else:
            try:
                self.client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)
            except AssertionError:  # the client asserts that the key has its parts
                problem = "NOTIFY_API_KEY is not a GOV.UK Notify API key (name-<service id>-<secret>)."
        if problem:
            if not self.fail_silently:
                raise NotifyRefused(problem)
            return False
        return True

    def close(self):
        if self.client is not None:
            self.client.request_session.close()
            self.client = None

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        created = self.open()
        if self.client is None:  # could not be made, failing silently
            return 0
        sent = 0
        try:
            for message in email_messages:
                try:
                    self._send(message)
                except Exception:
                    if not self.fail_silently:
                        raise
                else:
                    sent += 1
        finally:
            if created:
                self.close()
        return sent

    def _send(self, message):
        if message.attachments:
            raise ValueError("GOV.UK Notify cannot send attachments through this backend: send the message "
                             "without them, or over SMTP.")
        if message.content_subtype != "plain":
            raise ValueError("GOV.UK Notify sends a plain-text body through ((body)); this message's body is "
                             f"{message.content_subtype}.")
        message.message()  # Django's own checks, as over SMTP: no line breaks in the subject or the addresses
        for recipient in message.recipients():
            _name, address = parseaddr(sanitize_address(recipient, message.encoding or settings.DEFAULT_CHARSET))
            try:
                self.client.send_email_notification(
                    email_address=address, template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=reference_for(message, address))
            except (APIError, requests.RequestException) as exc:
                raise translate(exc) from exc
