"""Readiness: ``/health/ready/`` answers 200 when the service can do its work and 503 naming what cannot
(docs/operations.md, "Health and readiness"). ``/health/`` stays the liveness check (dashboards.views.health).

The checks are django-health-check checks (``health_check.base.HealthCheck``), run one after another by its view; each
says what it found when it passes and why when it fails, and never names a person, a practice or a record:

- ``database``: the connection HEALTH_DATABASE_ALIAS answers ``SELECT 1``;
- ``redis``: REDIS_URL answers PING;
- ``workers``: a Celery worker consuming the default queue wrote its heartbeat within HEALTH_HEARTBEAT_SECONDS;
- ``schedule``: beat is running (its heartbeat), and each beat job started by its next due time after its last
  start, plus HEALTH_SCHEDULE_MARGIN_MINUTES;
- ``disk``: at least HEALTH_DISK_MIN_FREE_MB free where the stored files are (MEDIA_ROOT);
- ``migrations``: no migration of the code is unapplied in the database.

Without REDIS_URL (the demo: tasks run in-process, no worker, no beat) ``redis``, ``workers`` and ``schedule``
pass as "not configured".

Heartbeats. Workers and beat import this module at start-up (settings CELERY_IMPORTS). A worker, once ready,
starts a thread in its main process that writes ``operations:health:worker:<queue>:<node>`` to Redis every
quarter of HEALTH_HEARTBEAT_SECONDS, expiring after HEALTH_HEARTBEAT_SECONDS: a worker that dies stops writing
and its key expires; one that shuts down deletes it. Beat does the same with ``operations:health:beat:alive``,
and keeps the time it was first seen (``beat:since``) so that a job not yet due since beat started is not late.
Every beat job records when it starts (``task_prerun``) in the hash ``operations:health:task-started``. The
CQC and ODS syncs' own records (surveillance.SyncRun) and the reminder sweep's (forwardplans.SentReminder) count
too, so a restarted Redis that lost the hash does not make them look late. These keys sit outside the cache's
prefix, so a cache clear leaves them.
"""

import contextlib
import dataclasses
import datetime
import logging
import shutil
import threading
import timeit
import typing
from pathlib import Path

import redis
from asgiref.sync import sync_to_async
from celery import current_app, signals
from celery.schedules import crontab, maybe_schedule
from celery.schedules import schedule as celery_schedule
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.decorators import method_decorator
from django.views import View
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView

from forwardplans.job_models import ReminderItem, SentReminder
from surveillance.models import SyncRun

log = logging.getLogger(__name__)

PREFIX = "operations:health"
BEAT_ALIVE = f"{PREFIX}:beat:alive"
BEAT_SINCE = f"{PREFIX}:beat:since"
TASK_STARTED = f"{PREFIX}:task-started"
NOT_CONFIGURED = "not configured (no REDIS_URL: tasks run in-process)"
MB = 1024 * 1024
REDIS_TIMEOUT = 2.0  # seconds to connect and to answer


def worker_key(queue, node):
    return f"{PREFIX}:worker:{queue}:{node}"


def redis_client():
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT,
                                socket_timeout=REDIS_TIMEOUT)


@contextlib.contextmanager
def reading_redis(reading=""):
    """A client for REDIS_URL, closed afterwards; a Redis error inside becomes the check's failure: "Redis does not
    answer: ConnectionError", or with ``reading``, "cannot read <reading>: Redis does not answer (...)"."""
    client = redis_client()
    try:
        yield client
    except redis.RedisError as exc:
        raise ServiceUnavailable(f"cannot read {reading}: Redis does not answer ({type(exc).__name__})" if reading
                                 else f"Redis does not answer: {type(exc).__name__}") from exc
    finally:
        client.close()


def _now():
    return timezone.now().astimezone(datetime.UTC)


def _text(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _parse(value):
    return datetime.datetime.fromisoformat(value.decode() if isinstance(value, bytes) else value) if value else None


# The checks --------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Check(HealthCheck):
    """A check whose probe runs in the request's thread (the request's database connection) and returns what it
    found; it raises ServiceUnavailable with the reason when the service cannot work."""

    name: typing.ClassVar[str] = ""
    message: str = dataclasses.field(default="", init=False, repr=False)

    async def run(self):
        self.message = await sync_to_async(self.probe, thread_sensitive=True)()

    def probe(self):
        raise NotImplementedError


@dataclasses.dataclass
class Database(Check):
    name: typing.ClassVar[str] = "database"

    def probe(self):
        connection = connections[settings.HEALTH_DATABASE_ALIAS]
        try:
            with connection.temporary_connection() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError as exc:
            raise ServiceUnavailable(f"the database ({connection.vendor}) does not answer: "
                                     f"{type(exc).__name__}") from exc
        return f"the database ({connection.vendor}) answers"


@dataclasses.dataclass
class Redis(Check):
    name: typing.ClassVar[str] = "redis"

    def probe(self):
        if not settings.REDIS_URL:
            return NOT_CONFIGURED
        with reading_redis() as client:
            client.ping()
        return "Redis answers"


@dataclasses.dataclass
class Workers(Check):
    name: typing.ClassVar[str] = "workers"

    def probe(self):
        if not settings.REDIS_URL:
            return NOT_CONFIGURED
        queue, seconds = settings.CELERY_TASK_DEFAULT_QUEUE, settings.HEALTH_HEARTBEAT_SECONDS
        with reading_redis("the workers' heartbeats") as client:
            alive = sum(1 for _key in client.scan_iter(match=worker_key(queue, "*"), count=100))
        if not alive:
            raise ServiceUnavailable(f"no Celery worker heartbeat for queue '{queue}' in the last {seconds} s")
        return f"{alive} Celery worker(s) on queue '{queue}' (heartbeat within {seconds} s)"


def _last_from_database(task):
    """When a beat job last started by its own records (None if it keeps none, or none yet)."""
    if task == "surveillance.tasks.sync_cqc":
        kinds = [SyncRun.Kind.CQC, SyncRun.Kind.CQC_FULL]
    elif task == "surveillance.tasks.sync_ods":
        kinds = [SyncRun.Kind.ODS]
    elif task == "forwardplans.tasks.reminder_sweep":
        return (SentReminder.objects.exclude(item_type=ReminderItem.DIGEST)
                .aggregate(last=Max("created_at"))["last"])
    else:
        return None
    return SyncRun.objects.filter(kind__in=kinds).aggregate(last=Max("started_at"))["last"]


def next_due(schedule, after):
    """When beat should next start a job of ``schedule`` (a crontab or seconds) that last started at ``after``,
    in the Celery app's time zone (CELERY_TIMEZONE)."""
    schedule = maybe_schedule(schedule, app=current_app)
    if isinstance(schedule, crontab):
        start, delta, _now = schedule.remaining_delta(after)
        return start + delta
    if isinstance(schedule, celery_schedule):
        return after + schedule.run_every
    return schedule.now() + schedule.remaining_estimate(after)  # another kind (solar): an estimate


def scheduled_jobs():
    wanted = settings.HEALTH_SCHEDULE_JOBS or list(settings.CELERY_BEAT_SCHEDULE)
    return {name: settings.CELERY_BEAT_SCHEDULE[name] for name in wanted if name in settings.CELERY_BEAT_SCHEDULE}


@dataclasses.dataclass
class Schedule(Check):
    name: typing.ClassVar[str] = "schedule"

    def probe(self):
        if not settings.REDIS_URL:
            return "not configured (no REDIS_URL: no beat, tasks run in-process)"
        with reading_redis("the beat records") as client:
            alive, since, started = client.get(BEAT_ALIVE), client.get(BEAT_SINCE), client.hgetall(TASK_STARTED)
        if not alive:
            raise ServiceUnavailable(f"beat is not running (no heartbeat in the last "
                                     f"{settings.HEALTH_HEARTBEAT_SECONDS} s)")
        now, since = _now(), _parse(since) or _now()
        margin = datetime.timedelta(minutes=settings.HEALTH_SCHEDULE_MARGIN_MINUTES)
        late, fine = [], []
        for name, entry in scheduled_jobs().items():
            task = entry["task"]
            records = [moment for moment in (_parse(started.get(task.encode())), _last_from_database(task)) if moment]
            last = max(records) if records else None
            due = next_due(entry["schedule"], last or since)
            if now > due + margin:
                ran = f"last started {_text(last)}" if last else f"no start recorded since {_text(since)}"
                late.append(f"{name} is late: {ran}, was due by {_text(due)}")
            else:
                fine.append(f"{name} {'last started ' + _text(last) if last else 'not yet due'}")
        if late:
            raise ServiceUnavailable("; ".join(late))
        return "beat is running; " + "; ".join(fine)


@dataclasses.dataclass
class Disk(Check):
    name: typing.ClassVar[str] = "disk"

    def probe(self):
        path = Path(settings.MEDIA_ROOT).resolve()
        while not path.exists() and path != path.parent:
            path = path.parent
        free, minimum = shutil.disk_usage(path).free // MB, settings.HEALTH_DISK_MIN_FREE_MB
        if free < minimum:
            raise ServiceUnavailable(f"{free} MB free for stored files, below the minimum of {minimum} MB")
        return f"{free} MB free for stored files (minimum {minimum} MB)"


@dataclasses.dataclass
class Migrations(Check):
    name: typing.ClassVar[str] = "migrations"

    def probe(self):
        try:
            executor = MigrationExecutor(connections[settings.HEALTH_DATABASE_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable(f"cannot read the migrations state: the database does not answer "
                                     f"({type(exc).__name__})") from exc
        if plan:
            names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
            more = f" and {len(names) - 5} more" if len(names) > 5 else ""
            raise ServiceUnavailable(f"{len(names)} unapplied migration(s): {', '.join(names[:5])}{more}")
        return "all migrations applied"


def run_check(check):
    """The library's ``HealthCheck.get_result`` done synchronously: a ServiceUnavailable (or any health-check
    error) is the check's failure; anything else is logged and reported as "unknown error", never shown."""
    start = timeit.default_timer()
    try:
        check.message = check.probe()
    except HealthCheckException as exc:
        error = exc
        log.warning("readiness check %s failed: %s", check.name, exc.message)
    except Exception:
        log.exception("readiness check %s raised", check.name)
        error = HealthCheckException("unknown error")
    else:
        error = None
    return HealthCheckResult(check=check, error=error, time_taken=timeit.default_timer() - start)


class ReadinessView(HealthCheckView):
    """django-health-check's view with the checks above, answering JSON (or ``?format=text`` /
    ``?format=openmetrics``) with 503 when any check fails:
    ``{"status": "pass" | "fail", "failing": [names], "checks": {name: {"status": ..., "message": ...}}}``."""

    checks = (Database, Redis, Workers, Schedule, Disk, Migrations)

    @method_decorator(transaction.non_atomic_requests)
    def dispatch(self, request, *args, **kwargs):
        response = View.dispatch(self, request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        add_never_cache_headers(response)
        return response

    def get(self, request, *args, **kwargs):
        # Synchronous, checks one after another in the request's thread: the probes are quick and carry their
        # own timeouts, and a synchronous view works wherever it is called from (the library's async view
        # cannot be called from a thread that already runs an event loop).
        self.results = [run_check(check) for check in self.get_checks()]
        status = 503 if any(result.error for result in self.results) else 200
        match request.GET.get("format"):
            case "text":
                return self.render_to_response_text(status)
            case "openmetrics":
                return self.render_to_response_openmetrics()
        return self.render_to_response_json(status)

    def render_to_response_json(self, status):
        checks = {
            result.check.name: {"status": "fail", "message": result.error.message} if result.error
            else {"status": "pass", "message": result.check.message}
            for result in self.results
        }
        failing = [name for name, outcome in checks.items() if outcome["status"] == "fail"]
        return JsonResponse({"status": "fail" if failing else "pass", "failing": failing, "checks": checks},
                            status=status)


# Heartbeats and job starts (in workers and beat) ------------------------------------------------------------

class Heartbeat(threading.Thread):
    """Writes ``keys`` (expiring after HEALTH_HEARTBEAT_SECONDS) every quarter of that, until stopped; with
    ``since_key``, also keeps the first time it was written."""

    def __init__(self, keys, since_key=None):
        super().__init__(name="operations-health-heartbeat", daemon=True)
        self.keys, self.since_key = list(keys), since_key
        self.seconds = settings.HEALTH_HEARTBEAT_SECONDS
        self.stopping = threading.Event()
        self.client = redis_client()

    def beat(self):
        now = _now().isoformat()
        with self.client.pipeline() as pipe:
            for key in self.keys:
                pipe.set(key, now, ex=self.seconds)
            if self.since_key:
                pipe.set(self.since_key, now, nx=True)
            pipe.execute()

    def run(self):
        while not self.stopping.is_set():
            try:
                self.beat()
            except redis.RedisError as exc:
                log.warning("health heartbeat not written: %s", type(exc).__name__)
            self.stopping.wait(max(1.0, self.seconds / 4))

    def stop(self):
        self.stopping.set()
        self.join(timeout=REDIS_TIMEOUT * 2)
        with contextlib.suppress(redis.RedisError):  # if not deleted, it expires
            self.client.delete(*self.keys)
        self.client.close()


_heartbeats = []


@signals.worker_ready.connect
def _worker_ready(sender, **kwargs):
    if not settings.REDIS_URL:
        return
    queues = sorted(sender.app.amqp.queues.consume_from or [settings.CELERY_TASK_DEFAULT_QUEUE])
    heartbeat = Heartbeat(worker_key(queue, sender.hostname) for queue in queues)
    heartbeat.start()
    _heartbeats.append(heartbeat)


@signals.worker_shutdown.connect
def _worker_shutdown(sender, **kwargs):
    while _heartbeats:
        _heartbeats.pop().stop()


@signals.beat_init.connect
def _beat_init(sender, **kwargs):
    if not settings.REDIS_URL:
        return
    heartbeat = Heartbeat([BEAT_ALIVE], since_key=BEAT_SINCE)
    heartbeat.start()
    _heartbeats.append(heartbeat)


@signals.task_prerun.connect
def _task_started(sender=None, task=None, **kwargs):
    """Record when a beat job starts (whoever sent it); never fails the task."""
    name = getattr(task, "name", None)
    if not settings.REDIS_URL or name not in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}:
        return
    client = redis_client()
    try:
        client.hset(TASK_STARTED, name, _now().isoformat())
    except redis.RedisError as exc:
        log.warning("start of %s not recorded: %s", name, type(exc).__name__)
    finally:
        client.close()
