"""A real Celery worker for tests: a separate process on the real Redis and the test PostgreSQL database.

Not eager mode. The worker is started with ``python -m celery -A resilience worker`` in its own process group,
with the environment the settings read:

- DATABASE_URL: the test database pytest-django created (``test_<name>``), so the worker sees what a test
  committed — tests that use the worker need ``transactional_db``;
- REDIS_URL: the suite's Redis (``REDIS_URL``, normally redis://127.0.0.1:6379/<n>) or another broker;
- CELERY_QUEUE: a queue name unique to this test run, so nothing else on that Redis takes our tasks;
- CELERY_VISIBILITY_TIMEOUT: short for the killed-worker test, so Redis hands an unacknowledged task to the
  next worker;
- EMAIL_URL=filemail:///DIR: Django's file e-mail backend. locmem lives in one process, so the worker writes
  each message to a file in DIR that the test reads;
- MEDIA_ROOT: a temporary directory shared with the test process (stored PDFs);
- PDF_RENDER_TEST_DELAY: seconds a render waits after writing its file and before recording it.

The test process publishes to the same broker and queue through ``publishing_to`` (celery's configuration is
read at publish time).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from resilience.celery import app

__all__ = ["celery_worker", "celery_worker_process", "jobs_broker_url", "jobs_dirs", "jobs_media", "jobs_queue",
           "start_worker"]
ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60


def database_url_of_tests():
    """The URL of the database this test session runs on (pytest-django's test_<name>)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class Worker:
    """One ``celery worker`` process (and its pool children) in its own process group."""

    def __init__(self, *, broker_url, queue, media_root, mail_dir, log_dir, concurrency=1, env=None):
        self.broker_url, self.queue, self.concurrency = broker_url, queue, concurrency
        self.name = f"jobs-test-{uuid.uuid4().hex[:8]}"
        self.mail_dir = Path(mail_dir)
        self.log_path = Path(log_dir) / f"{self.name}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "resilience.settings",
            "DATABASE_URL": database_url_of_tests(),
            "REDIS_URL": broker_url,
            "CELERY_QUEUE": queue,
            "EMAIL_URL": f"filemail:///{Path(mail_dir).resolve()}",
            "MEDIA_ROOT": str(media_root),
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.process = None

    def start(self):
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "resilience", "worker", "--pool", "prefork",
             "--concurrency", str(self.concurrency), "-Q", self.queue, "-n", f"{self.name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited ({self.process.returncode}):\n{self.log()}")
            if " ready." in self.log():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the Celery worker did not become ready in {READY_TIMEOUT}s:\n{self.log()}")

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self):
        """SIGKILL the worker and its pool children at once (no warm shutdown, nothing acknowledged)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def emails(self):
        """The messages the worker sent (Django's file backend: one file per connection)."""
        return [p.read_bytes() for p in sorted(self.mail_dir.glob("*.log"))]


def wait_for(condition, timeout=30.0, interval=0.1, message="condition"):
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message}")


@contextlib.contextmanager
def publishing_to(queue, broker_url=None):
    """Make this (test) process publish tasks to ``queue`` on ``broker_url``."""
    conf = app.conf
    saved = conf.task_default_queue, conf.broker_url, conf.task_always_eager
    conf.task_default_queue = queue
    conf.task_always_eager = False
    if broker_url:
        conf.broker_url = broker_url
        _forget_connections()
    try:
        yield
    finally:
        conf.task_default_queue, conf.broker_url, conf.task_always_eager = saved
        if broker_url:
            _forget_connections()


def _forget_connections():
    """Let the app look up its broker connections and producers again: it keeps the pools it first made, for the
    broker of that moment, so after a change of broker_url a publish would otherwise still go to the earlier broker.
    (kombu keeps one pool per broker; they stay open for the next test that uses that broker.)"""
    app._pool = None
    app.amqp._producer_pool = None


def _drop_queue(broker_url, queue):
    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(broker_url, socket_connect_timeout=2)
        client.delete(queue)
        client.close()


@pytest.fixture(scope="session")
def jobs_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("jobs")
    dirs = {name: base / name for name in ("media", "mail", "logs")}
    for path in dirs.values():
        path.mkdir()
    return dirs


@pytest.fixture(scope="session")
def jobs_queue():
    return f"jobs-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def jobs_broker_url():
    url = settings.REDIS_URL
    if not url:
        pytest.fail("REDIS_URL must point at the test Redis (e.g. redis://127.0.0.1:6379/5): the job tests run a "
                    "real worker")
    return url


@pytest.fixture
def jobs_media(settings, jobs_dirs):
    """This test process stores and reads PDFs where the worker does."""
    settings.MEDIA_ROOT = jobs_dirs["media"]
    return jobs_dirs["media"]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, jobs_broker_url, jobs_queue, jobs_dirs):
    """One real worker for the session, on the suite's Redis and a queue of its own; the test process publishes
    to that queue while it runs."""
    worker = Worker(broker_url=jobs_broker_url, queue=jobs_queue, media_root=jobs_dirs["media"],
                    mail_dir=jobs_dirs["mail"], log_dir=jobs_dirs["logs"], concurrency=2)
    with django_db_blocker.unblock():
        worker.start()
    try:
        with publishing_to(jobs_queue, jobs_broker_url):
            yield worker
    finally:
        worker.stop()
        _drop_queue(jobs_broker_url, jobs_queue)


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db, jobs_media):
    """The session's worker, for a test whose data is committed (transactional_db)."""
    return celery_worker_process


@pytest.fixture
def start_worker(django_db_setup, jobs_broker_url, jobs_dirs, transactional_db, jobs_media):
    """Start extra workers (own queue, broker or settings) for one test; all are stopped afterwards."""
    started = []

    def start(*, queue, broker=None, env=None, concurrency=1, mail_dir=None):
        worker = Worker(broker_url=broker or jobs_broker_url, queue=queue, media_root=jobs_dirs["media"],
                        mail_dir=mail_dir or jobs_dirs["mail"], log_dir=jobs_dirs["logs"], concurrency=concurrency,
                        env=env)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
        _drop_queue(worker.broker_url, worker.queue)
