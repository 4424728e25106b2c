"""A local stand-in for GOV.UK Notify's e-mail API, for tests that send through core.notify with the official client.

It checks what Notify checks and answers as Notify answers: the bearer token is a JWT signed HS256 with the secret
of the test's API key (``name-<service id>-<secret>``), its ``iss`` is the service id and its ``iat`` within 30
seconds of now; the body is JSON with ``email_address``, the template id, and ``personalisation`` holding exactly
``subject`` and ``body``. A good request gets 201 and a Notify-shaped notification; a bad token 403; a bad body,
an unknown template or an address the test refuses 400, each with Notify's ``{"errors": [...]}`` shape.
A test can also make it answer one request with 500 or 429 (``fail_once``).

Every request is kept in ``requests`` (what came, what was answered); ``sent`` are the ones answered 201.
Use ``notify_settings`` for this process and ``notify_server.env`` for a Celery worker's environment.
Import the fixtures into a test module: ``from ..notify_server import notify_server_fixture,
notify_settings_fixture``; they are named ``notify_server`` and ``notify_settings``.
"""

import calendar
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import jwt
import pytest

from .servers import free_port
from .smtp import DEFAULT_LINK

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"resilience_tests-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
CLOCK_SKEW = 30  # seconds either way, as Notify allows
INVALID_ADDRESS = "email_address Not a valid email address"


def key_with_secret(secret):
    """An API key for the same service with another secret (a revoked or mistyped key)."""
    return f"resilience_tests-{SERVICE_ID}-{secret}"


def _errors(status, error, message):
    return status, {"errors": [{"error": error, "message": message}], "status_code": status}


class NotifyStub:
    """State shared by the request handlers (they run on the server's threads)."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}"
        self.requests, self.refused, self.failures = [], {}, []
        self.lock = threading.Lock()

    # What the test tells it ---------------------------------------------------------------------------------

    def refuse(self, address, message=INVALID_ADDRESS):
        """Answer 400 (a ValidationError with ``message``) to every request for ``address``."""
        with self.lock:
            self.refused[address.lower()] = message

    def fail_once(self, status=500, address=None):
        """Answer the next request (for ``address`` if given) with ``status`` (500, 503, 429) once."""
        with self.lock:
            self.failures.append((status, address and address.lower()))

    # What the test reads ------------------------------------------------------------------------------------

    def answered(self, status=None):
        with self.lock:
            return [r for r in self.requests if status is None or r.status == status]

    @property
    def sent(self):
        return self.answered(201)

    def sent_to(self, address):
        return [r for r in self.sent if r.body["email_address"].lower() == address.lower()]

    def bodies_for(self, address):
        return [r.body["personalisation"]["body"] for r in self.sent_to(address)]

    def link_for(self, address, path=DEFAULT_LINK):
        """The path of the one link in the one message sent to ``address``."""
        [body] = self.bodies_for(address)
        return re.search(rf"https?://[^/\s]+({path})", body).group(1)

    def wait_for(self, address, count=1, timeout=30.0):
        deadline = time.monotonic() + timeout
        while len(self.sent_to(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing sent to {address} through Notify within {timeout} s; "
                                     f"have {[(r.status, r.body) for r in self.answered()]}")
            time.sleep(0.1)
        return self.bodies_for(address)

    @property
    def env(self):
        """A worker's environment that sends through this server (the settings read it)."""
        return {"NOTIFY_API_KEY": API_KEY, "NOTIFY_BASE_URL": self.url, "NOTIFY_TEMPLATE_ID": TEMPLATE_ID}

    # What it does with a request --------------------------------------------------------------------------

    def check_token(self, authorization):
        """The JWT's claims if it is Notify's kind of token, signed with the service's secret, and fresh."""
        if not authorization.startswith("Bearer "):
            return None, _errors(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = authorization.removeprefix("Bearer ")
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, key=SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"],
                                                                                  "verify_iat": False})
        except jwt.InvalidSignatureError:
            return None, _errors(403, "AuthError", "Invalid token: API key not found")
        except jwt.InvalidTokenError as exc:
            return None, _errors(403, "AuthError", f"Invalid token: {exc}")
        if header.get("alg") != "HS256" or header.get("typ") != "JWT":
            return None, _errors(403, "AuthError", "Invalid token: algorithm used is not HS256")
        if claims["iss"] != SERVICE_ID:
            return None, _errors(403, "AuthError", "Invalid token: service not found")
        if abs(calendar.timegm(time.gmtime()) - int(claims["iat"])) > CLOCK_SKEW:
            return None, _errors(403, "AuthError",
                                 "Error: Your system clock must be accurate to within 30 seconds")
        return claims, None

    def check_body(self, body):
        if not isinstance(body, dict):
            return _errors(400, "ValidationError", "Request body must be a JSON object")
        unknown = set(body) - {"email_address", "template_id", "personalisation", "reference", "email_reply_to_id"}
        if unknown:
            return _errors(400, "ValidationError", f"Additional properties are not allowed ({sorted(unknown)})")
        if not isinstance(body.get("email_address"), str) or "@" not in body["email_address"]:
            return _errors(400, "ValidationError", INVALID_ADDRESS)
        if body.get("template_id") != TEMPLATE_ID:
            return _errors(400, "BadRequestError", "Template not found")
        personalisation = body.get("personalisation")
        if not isinstance(personalisation, dict) or set(personalisation) != {"subject", "body"}:
            return _errors(400, "BadRequestError", "Missing personalisation: subject, body")
        if not all(isinstance(v, str) and v.strip() for v in personalisation.values()):
            return _errors(400, "BadRequestError", "Missing personalisation: subject, body")
        if not isinstance(body.get("reference", ""), str):
            return _errors(400, "ValidationError", "reference is not of type string")
        return None

    def answer(self, method, path, headers, raw):
        claims = body = None
        if (method, path) != ("POST", "/v2/notifications/email"):
            status, reply = _errors(404, "ResourceNotFound", "Not found")
        else:
            claims, problem = self.check_token(headers.get("Authorization", ""))
            if problem is None:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                problem = self.check_body(body) or self._told(body["email_address"])
            status, reply = problem or (201, self._notification(body))
        with self.lock:
            self.requests.append(SimpleNamespace(path=path, claims=claims, body=body, status=status, reply=reply,
                                                 user_agent=headers.get("User-agent", "")))
        return status, reply

    def _told(self, address):
        """What the test told it to answer for ``address``, if anything."""
        with self.lock:
            for i, (status, only) in enumerate(self.failures):
                if only in (None, address.lower()):
                    del self.failures[i]
                    if status == 429:
                        return _errors(429, "RateLimitError",
                                       "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")
                    return _errors(status, "Exception", "Internal server error")
            if address.lower() in self.refused:
                return _errors(400, "ValidationError", self.refused[address.lower()])
        return None

    def _notification(self, body):
        notification_id = str(uuid.uuid4())
        return {"id": notification_id, "reference": body.get("reference"),
                "content": {"subject": body["personalisation"]["subject"],
                            "body": body["personalisation"]["body"],
                            "from_email": "practice.resilience@notifications.service.gov.uk",
                            "one_click_unsubscribe_url": None},
                "uri": f"{self.url}/v2/notifications/{notification_id}",
                "template": {"id": TEMPLATE_ID, "version": 1,
                             "uri": f"{self.url}/services/{SERVICE_ID}/templates/{TEMPLATE_ID}"},
                "scheduled_for": None}


def _handler(stub):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, reply = stub.answer(method, self.path, self.headers, raw)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802 - http.server's name
            self._reply("POST")

        def do_GET(self):  # noqa: N802
            self._reply("GET")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture(name="notify_server")
def notify_server_fixture():
    """A Notify-like API on a free port of this machine, for the test's duration."""
    port = free_port()
    stub = NotifyStub(port)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(stub))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(name="notify_settings")
def notify_settings_fixture(settings, notify_server):
    """This process sends e-mail through ``notify_server`` (as the settings do when NOTIFY_API_KEY is set)."""
    settings.NOTIFY_API_KEY, settings.NOTIFY_TEMPLATE_ID = API_KEY, TEMPLATE_ID
    settings.NOTIFY_BASE_URL = notify_server.url
    settings.EMAIL_BACKEND = "core.notify.NotifyEmailBackend"
    return notify_server
