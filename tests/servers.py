"""A real gunicorn serving the test database, for tests that need several processes or a real HTTP server."""

import contextlib
import os
import socket
import subprocess
import sys
import time
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
