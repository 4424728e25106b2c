"""A real gunicorn serving the test database, for tests that need several processes or a real HTTP server."""

import contextlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .celery_worker import database_url_of_tests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health_answers(base):
    try:
        with urllib.request.urlopen(f"{base}/health/", timeout=2):  # noqa: S310  # nosec B310 - our own server
            return True
    except OSError:
        return False


@contextlib.contextmanager
def gunicorn(tmp_path, *options, env=None, ready=_health_answers):
    """Start gunicorn (``options``: its command-line options) on a free port with the test settings and ``env``;
    yield (base URL, port, process) once ``ready(base)``; stop it afterwards."""
    port = free_port()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "resilience.settings",
                   "DATABASE_URL": database_url_of_tests(), "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "false",
                   "CONN_MAX_AGE": "0", "EMAIL_URL": "consolemail://", **(env or {})}
    log_path = tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "resilience.wsgi", "--bind",
                                    f"127.0.0.1:{port}", "--timeout", "60", *options],
                                   cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not ready(base):
                if process.poll() is not None:
                    pytest.fail(f"gunicorn exited: {log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer: {log_path.read_text()}")
                time.sleep(0.3)
            yield base, port, process
        finally:
            process.terminate()
            process.wait(timeout=30)


# The recorded CQC location files and ODS sample of ../shared/realdata, kept byte for byte in the repository.
REALDATA = ROOT / "practices" / "demo_data"


class SyncSource:
    """What the sync-source server serves and how it misbehaves; the test changes it while the server runs.

    ``locations``: {location id: body bytes} for ``/locations/{id}``; ``changes``: the location ids
    ``/changes/location`` lists (paged by ``perPage``), or a callable (start, end) -> ids; ``files``:
    {path: bytes} for anything else (the ODS file). ``fail(path, fault, times)`` makes ``path`` answer with a
    fault ("timeout", "429", "500", "malformed") the next ``times`` requests (None: always), after letting
    the first ``after`` requests through.
    """

    def __init__(self):
        self.locations, self.changes, self.files = {}, [], {}
        self.faults, self.requests = {}, []
        self.timeout_seconds = 2.0
        self.retry_after = "0"

    def fail(self, path, fault, times=None, after=0):
        self.faults[path] = [fault, times, after]

    def heal(self, path):
        self.faults.pop(path, None)

    def requested(self, path):
        return sum(1 for p, _headers in self.requests if p == path)

    def load_realdata_locations(self):
        for file in sorted((REALDATA / "cqc-oldham-gp-locations").glob("location_*.json")):
            self.locations[file.stem.removeprefix("location_")] = file.read_bytes()

    def _fault_for(self, path):
        entry = self.faults.get(path)
        if entry is None:
            return None
        fault, times, after = entry
        if after > 0:
            entry[2] = after - 1
            return None
        if times is not None:
            if times <= 0:
                return None
            entry[1] = times - 1
        return fault


def _handler(source):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the test reads source.requests instead
            pass

        def _send(self, status, body, content_type="application/json", headers=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - the http.server name
            url = urllib.parse.urlsplit(self.path)
            path, query = url.path, urllib.parse.parse_qs(url.query)
            source.requests.append((path, dict(self.headers)))
            fault = source._fault_for(path)
            if fault == "timeout":
                time.sleep(source.timeout_seconds)
                with contextlib.suppress(OSError):
                    self._send(200, b"{}")
                return
            if fault == "429":
                return self._send(429, b'{"message": "Too many requests"}', headers={"Retry-After": source.retry_after})
            if fault == "500":
                return self._send(503, b'{"message": "Service unavailable"}')
            if fault == "malformed":
                return self._send(200, b'{"locationId": "1-1", "currentRatings": {')
            if path.startswith("/locations/") and path.removeprefix("/locations/") in source.locations:
                return self._send(200, source.locations[path.removeprefix("/locations/")])
            if path == "/changes/location":
                ids = source.changes(query["startTimestamp"][0], query["endTimestamp"][0]) \
                    if callable(source.changes) else list(source.changes)
                per_page, page = int(query.get("perPage", ["1000"])[0]), int(query.get("page", ["1"])[0])
                pages = max(1, -(-len(ids) // per_page))
                body = {"total": len(ids), "page": page, "perPage": per_page, "totalPages": pages,
                        "changes": ids[(page - 1) * per_page:page * per_page]}
                return self._send(200, json.dumps(body).encode())
            if path in source.files:
                return self._send(200, source.files[path], "application/octet-stream")
            return self._send(404, b'{"message": "Not found"}')

    return Handler


@contextlib.contextmanager
def sync_source_server():
    """A real HTTP server (its own thread, a free port) standing in for the CQC API and the ODS download:
    yield (base URL, SyncSource)."""
    source = SyncSource()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(source))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", source
    finally:
        server.shutdown()
        server.server_close()
