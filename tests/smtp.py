"""A real SMTP server for tests that send e-mail (aiosmtpd on a free port), and the settings that send to it.
The fixtures are registered for every test by tests/conftest.py."""

import email
import email.policy
import re
import threading
import time
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

from . import servers

DEFAULT_LINK = r"/questionnaires/answer/[^/\s]+/"


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, refuses some addresses for good (550) and others once (451)."""

    def __init__(self):
        self.messages, self.refused, self.busy_once, self.lock = [], set(), set(), threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        if address in self.busy_once:
            self.busy_once.discard(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def recipients(self):
        with self.lock:
            return sorted(to for tos, _message in self.messages for to in tos)


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free port of this machine, for the test's duration."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=servers.free_port())
    controller.start()

    def bodies_for(address):
        with mailbox.lock:
            return [m.get_content() for tos, m in mailbox.messages if address.lower() in [t.lower() for t in tos]]

    def link_for(address, path=DEFAULT_LINK):
        """The path of the one link in the one message to ``address`` (``path``: a pattern its path matches)."""
        [body] = bodies_for(address)
        return re.search(rf"https?://[^/\s]+({path})", body).group(1)

    def wait_for(address, count=1, timeout=30.0):
        """Wait until ``address`` has had ``count`` messages (a job sends them); return their bodies."""
        deadline = time.monotonic() + timeout
        while len(bodies_for(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no e-mail to {address} within {timeout} s; have {mailbox.recipients()}")
            time.sleep(0.1)
        return bodies_for(address)

    try:
        yield SimpleNamespace(port=controller.port, mailbox=mailbox, link_for=link_for, bodies_for=bodies_for,
                              wait_for=wait_for)
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """This process sends mail to the test's SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp_server.port, 10
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server
