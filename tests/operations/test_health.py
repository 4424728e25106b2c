"""Readiness (/health/ready/, operations/health.py) against real parts: PostgreSQL (reached through a TCP forwarder
the test stops), a throw-away redis-server on a free port, a real Celery worker and a real beat on it."""

import contextlib
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.roles import Role
from forwardplans import tasks
from operations import health
from surveillance.models import SyncRun

from .. import servers
from ..celery_worker import database_url_of_tests, publishing_to, wait_for
from ..factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
READY = "/health/ready/"


# Real parts ---------------------------------------------------------------------------------------------------

class RedisServer:
    """A throw-away redis-server on a free port (never the suite's Redis)."""

    def __init__(self):
        self.port = servers.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save",
                                         "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_for(self.answers, timeout=15, message="redis-server")

    def client(self):
        return redis.Redis.from_url(self.url, socket_connect_timeout=2)

    def answers(self):
        with contextlib.suppress(redis.RedisError):
            return self.client().ping()
        return False

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Forwarder:
    """A TCP forwarder in this process's threads: 127.0.0.1:<port> to PostgreSQL, until ``stop()`` closes the
    listening socket and every connection it carries."""

    def __init__(self, host, port):
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets, self.stopped = [], threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def stop(self):
        self.stopped.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone would not)
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def throwaway_redis():
    server = RedisServer()
    yield server
    server.kill()


@pytest.fixture
def queue():
    return f"health-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def on_redis(settings, throwaway_redis, queue, tmp_path):
    """This process's readiness checks read the throw-away Redis and watch ``queue``."""
    settings.REDIS_URL = throwaway_redis.url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.MEDIA_ROOT = tmp_path / "media"
    return throwaway_redis


@pytest.fixture
def demo_like(settings, tmp_path):
    """No REDIS_URL (the demo's configuration): tasks in-process, no worker, no beat."""
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"


def ready(client):
    response = client.get(READY)
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def celery_environment(broker, queue):
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "resilience.settings", "DATABASE_URL": database_url_of_tests(),
            "REDIS_URL": broker, "CELERY_QUEUE": queue, "CONN_MAX_AGE": "0", "PYTHONUNBUFFERED": "1"}


@contextlib.contextmanager
def beat(tmp_path, broker, queue):
    """A real ``celery beat`` (remote control on, as settings/health.py sets it) on ``broker``."""
    log_path = tmp_path / "beat.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "resilience", "beat", "--loglevel", "INFO",
             "--schedule", str(tmp_path / "celerybeat-schedule"), "--hostname", f"celerybeat@{queue}"],
            cwd=ROOT, env=celery_environment(broker, queue), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        yield process, log_path
    finally:
        process.terminate()
        process.wait(timeout=20)


def inspect_ping(broker, queue, node):
    """docker-compose.yml's health check of the worker and of beat."""
    command = [sys.executable, "-m", "celery", "-A", "resilience", "inspect", "ping", "--destination", node,
               "--timeout", "10"]
    return subprocess.run(command, cwd=ROOT, env=celery_environment(broker, queue), capture_output=True, text=True,
                          timeout=60)


def _ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


# Passing ------------------------------------------------------------------------------------------------------

def test_readiness_passes_with_database_redis_a_worker_beat_and_recent_jobs_and_fails_when_the_worker_dies(
        client, on_redis, start_worker, queue, tmp_path, settings):
    # Short enough to see a dead worker's heartbeat expire, long enough for a busy 2-core CI machine to keep it up.
    settings.HEALTH_HEARTBEAT_SECONDS = 15
    SyncRun.objects.create(kind=SyncRun.Kind.CQC, started_at=_ago(minutes=30), outcome=SyncRun.Outcome.SUCCEEDED)
    SyncRun.objects.create(kind=SyncRun.Kind.ODS, started_at=_ago(minutes=30), outcome=SyncRun.Outcome.SUCCEEDED)
    worker = start_worker(queue=queue, broker=on_redis.url, env={"HEALTH_HEARTBEAT_SECONDS": "15"})
    redis_client = on_redis.client()
    wait_for(lambda: list(redis_client.scan_iter(match=health.worker_key(queue, "*"))), timeout=15,
             message="the worker's heartbeat")
    # The reminder sweep runs on the worker, which records its start (task_prerun).
    with publishing_to(queue, on_redis.url):
        tasks.reminder_sweep.delay()
    wait_for(lambda: redis_client.hget(health.TASK_STARTED, "forwardplans.tasks.reminder_sweep"), timeout=60,
             message="the sweep's start record")
    with beat(tmp_path, on_redis.url, queue) as (_process, log_path):
        wait_for(lambda: redis_client.get(health.BEAT_ALIVE), timeout=60, message="beat's heartbeat")

        response, body = ready(client)
        assert response.status_code == 200, body
        assert body["status"] == "pass" and body["failing"] == []
        assert set(body["checks"]) == {"database", "redis", "workers", "schedule", "disk", "migrations"}
        assert body["checks"]["database"]["message"] == "the database (postgresql) answers"
        assert body["checks"]["redis"]["message"] == "Redis answers"
        assert body["checks"]["workers"]["message"].startswith(f"1 Celery worker(s) on queue '{queue}'")
        schedule = body["checks"]["schedule"]["message"]
        assert schedule.startswith("beat is running")
        assert "reminder-sweep last started" in schedule and "sync-cqc last started" in schedule
        assert "sync-ods last started" in schedule and "weekly-digest not yet due" in schedule
        assert body["checks"]["migrations"]["message"] == "all migrations applied"

        # The compose files' health checks: the worker and beat answer `celery inspect ping`.
        assert inspect_ping(on_redis.url, queue, f"{worker.name}@{socket.gethostname()}").returncode == 0
        beat_ping = inspect_ping(on_redis.url, queue, f"celerybeat@{queue}")
        assert beat_ping.returncode == 0, (beat_ping.stdout, beat_ping.stderr, log_path.read_text())

    worker.kill()  # SIGKILL: it cannot say goodbye; its heartbeat expires
    wait_for(lambda: ready(client)[0].status_code == 503, timeout=60, message="the heartbeat to expire")
    response, body = ready(client)
    assert body["status"] == "fail" and "workers" in body["failing"]
    assert body["checks"]["workers"]["message"] == (
        f"no Celery worker heartbeat for queue '{queue}' in the last 15 s")


def test_the_demo_without_redis_is_ready_and_says_what_is_not_configured(client, db, demo_like):
    response, body = ready(client)
    assert response.status_code == 200 and body["status"] == "pass"
    for name in ("redis", "workers"):
        assert body["checks"][name] == {"status": "pass",
                                        "message": "not configured (no REDIS_URL: tasks run in-process)"}
    assert body["checks"]["schedule"]["message"] == "not configured (no REDIS_URL: no beat, tasks run in-process)"


def test_readiness_answers_from_a_thread_that_runs_an_event_loop(client, db, demo_like, monkeypatch):
    """A browser test's Playwright keeps an event loop running in the test's thread; the view is synchronous, so
    it answers there as it does under gunicorn."""
    import asyncio

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM from a thread with a loop, as tests/browser

    async def inside_a_running_loop():
        return ready(client)

    response, body = asyncio.run(inside_a_running_loop())
    assert response.status_code == 200 and body["status"] == "pass"


def test_a_check_that_breaks_unexpectedly_fails_as_unknown_without_its_message(client, db, demo_like, monkeypatch):
    def broken(self):
        raise ValueError("practice A81001 said something private")

    monkeypatch.setattr(health.Disk, "probe", broken)
    response, body = ready(client)
    assert response.status_code == 503 and body["failing"] == ["disk"]
    assert body["checks"]["disk"] == {"status": "fail", "message": "unknown error"}
    assert "A81001" not in response.content.decode()


# Failing ------------------------------------------------------------------------------------------------------

def test_readiness_fails_when_postgresql_is_unreachable(transactional_db, tmp_path):
    db = connection.settings_dict
    forwarder = Forwarder(db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432)
    through = database_url_of_tests().replace(f":{db.get('PORT') or 5432}/", f":{forwarder.port}/")
    try:
        with servers.gunicorn(tmp_path, "--workers", "1", env={"DATABASE_URL": through, "REDIS_URL": "",
                                                               "MEDIA_ROOT": str(tmp_path)}) as (base, _port, _p):
            status, body = _get(f"{base}{READY}")
            assert status == 200 and body["checks"]["database"]["status"] == "pass", body
            forwarder.stop()
            status, body = _get(f"{base}{READY}")
            assert status == 503
            assert body["failing"] == ["database", "migrations"]
            assert body["checks"]["database"] == {
                "status": "fail", "message": "the database (postgresql) does not answer: OperationalError"}
            assert body["checks"]["migrations"]["message"] == (
                "cannot read the migrations state: the database does not answer (OperationalError)")
    finally:
        forwarder.stop()


def _get(url):
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # nosec B310 - our own server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_readiness_fails_when_redis_is_down(client, db, on_redis):
    on_redis.kill()
    response, body = ready(client)
    assert response.status_code == 503
    assert body["failing"] == ["redis", "workers", "schedule"]
    assert body["checks"]["redis"] == {"status": "fail", "message": "Redis does not answer: ConnectionError"}
    assert body["checks"]["workers"]["message"] == (
        "cannot read the workers' heartbeats: Redis does not answer (ConnectionError)")


def test_readiness_fails_without_a_worker_heartbeat(client, db, on_redis, queue):
    response, body = ready(client)
    assert response.status_code == 503 and "workers" in body["failing"]
    assert body["checks"]["workers"] == {
        "status": "fail", "message": f"no Celery worker heartbeat for queue '{queue}' in the last 60 s"}


def test_readiness_fails_when_beat_is_not_running_or_its_jobs_are_late_and_names_no_one(client, world, on_redis):
    response, body = ready(client)
    assert response.status_code == 503 and "schedule" in body["failing"]
    assert body["checks"]["schedule"]["message"] == "beat is not running (no heartbeat in the last 60 s)"

    # Beat is alive (its heartbeat, as a beat process writes it) but the jobs last started long ago.
    heartbeat = health.Heartbeat([health.BEAT_ALIVE], since_key=health.BEAT_SINCE)
    heartbeat.beat()
    heartbeat.client.close()
    on_redis.client().set(health.BEAT_SINCE, _ago(days=30).isoformat())
    practice = world["practices"]["own"]
    SyncRun.objects.create(kind=SyncRun.Kind.CQC, started_at=_ago(days=3), outcome=SyncRun.Outcome.FAILED,
                           error=f"{practice.name} could not be read", failures=[{"item": practice.ods_code,
                                                                                   "reason": practice.name}])
    SyncRun.objects.create(kind=SyncRun.Kind.ODS, started_at=_ago(days=10), outcome=SyncRun.Outcome.SUCCEEDED,
                           changes=[{"kind": "practice_closed", "practice": practice.ods_code,
                                     "detail": practice.name}])
    on_redis.client().hset(health.TASK_STARTED, "forwardplans.tasks.reminder_sweep", _ago(days=2).isoformat())

    response, body = ready(client)
    assert response.status_code == 503 and body["failing"] == ["workers", "schedule"]
    message = body["checks"]["schedule"]["message"]
    for job in ("reminder-sweep", "sync-cqc", "sync-ods", "weekly-digest", "relay-outbox"):
        assert f"{job} is late: " in message
    assert "sync-ods is late: last started " in message and ", was due by " in message
    assert "weekly-digest is late: no start recorded since " in message
    # No confidential data: no names, codes, e-mail addresses or free text from the records.
    text = response.content.decode()
    user = world["users"][Role.RCGP_ADMIN]
    secrets = [value for value in (practice.name, practice.ods_code, user.username, user.email,
                                   user.get_full_name()) if value]
    assert len(secrets) >= 3 and not [secret for secret in secrets if secret in text]


def test_readiness_fails_when_free_disk_is_below_the_threshold(client, db, demo_like, settings, tmp_path):
    free = shutil.disk_usage(tmp_path).free // health.MB
    settings.HEALTH_DISK_MIN_FREE_MB = free + 1_000_000
    response, body = ready(client)
    assert response.status_code == 503 and body["failing"] == ["disk"]
    message = body["checks"]["disk"]["message"]
    assert message.endswith(f"MB free for stored files, below the minimum of {free + 1_000_000} MB")
    assert str(tmp_path) not in response.content.decode()


def test_readiness_fails_when_a_migration_is_unapplied(client, db, demo_like):
    (app_label, name), = MigrationLoader(connection).graph.leaf_nodes("surveillance")
    MigrationRecorder(connection).record_unapplied(app_label, name)  # rolled back with the test's transaction
    response, body = ready(client)
    assert response.status_code == 503 and body["failing"] == ["migrations"]
    assert body["checks"]["migrations"] == {"status": "fail",
                                            "message": f"1 unapplied migration(s): surveillance.{name}"}


# Open under two-factor, and without sign-in ----------------------------------------------------------------

def test_health_and_readiness_are_open_to_anyone_and_under_two_factor(client, world, demo_like, settings):
    assert ready(client)[0].status_code == 200  # anonymous: an answer, not a redirect to sign in
    assert client.get("/health/").status_code == 200
    settings.REQUIRE_TWO_FACTOR = True
    user = world["users"][Role.RCGP_ADMIN]
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    blocked = client.get("/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/two-factor/")
    assert ready(client)[0].status_code == 200
    assert client.get("/health/").status_code == 200


def test_a_jobs_next_due_time_follows_the_beat_schedule_in_the_services_time_zone(settings):
    utc = datetime.UTC
    sweep = settings.CELERY_BEAT_SCHEDULE["reminder-sweep"]["schedule"]  # 07:00 in Europe/London
    summer = health.next_due(sweep, datetime.datetime(2026, 6, 30, 7, 30, tzinfo=utc))  # 08:30 BST
    assert summer == datetime.datetime(2026, 7, 1, 6, 0, tzinfo=utc)  # 07:00 BST next morning
    assert health.next_due(sweep, datetime.datetime(2026, 12, 1, 1, 0, tzinfo=utc)) == datetime.datetime(
        2026, 12, 1, 7, 0, tzinfo=utc)
    weekly = settings.CELERY_BEAT_SCHEDULE["sync-ods"]["schedule"]  # Sundays 04:45
    assert health.next_due(weekly, datetime.datetime(2026, 12, 2, 12, 0, tzinfo=utc)) == datetime.datetime(
        2026, 12, 6, 4, 45, tzinfo=utc)
    relay = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]["schedule"]  # every 60 s
    assert health.next_due(relay, datetime.datetime(2026, 12, 1, 1, 0, tzinfo=utc)) == datetime.datetime(
        2026, 12, 1, 1, 1, tzinfo=utc)
