"""Prometheus metrics (docs/operations.md, "Metrics"): what this module counts, what it reads at scrape time, and
the text the /metrics/ view serves.

Counted where the work happens (prometheus_client metrics; django-prometheus's middleware counts requests):
database queries (an execute wrapper on every connection), Celery tasks (the worker's task signals) and PDF
render times (a StoredPdf saved as rendered). Read at scrape time, so never stale: the Celery queues' length in
Redis, the outbox, e-mails waiting or failed, sync runs and PDFs waiting or failed.

Several processes: with PROMETHEUS_MULTIPROC_DIR set (read by prometheus_client when it is first imported) each
process writes its counts to files there, and a scrape merges the files of that directory and of
METRICS_READ_DIRS (the Celery workers' directories), whichever gunicorn worker answers. Each process group
(gunicorn, each Celery worker) needs its own directory, emptied when it starts (resilience/gunicorn.conf.py; the
worker's ``worker_init`` below). Without it (the demo) one process's own registry is served.

No personal data: labels are view names, task names, exception class names, database aliases, queue names,
document kinds and sync kinds.
"""

import datetime
import glob
import logging
import os
import time
from pathlib import Path

import redis
from celery import signals as celery_signals
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.backends.signals import connection_created
from django.db.models import Count, Max, Min, Q
from django.db.models.signals import post_save
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# kombu's Redis transport keeps a queue's prioritised messages in lists named queue + "\x06\x16" + step.
_PRIORITY_SEP, _PRIORITY_STEPS = "\x06\x16", (3, 6, 9)

# Counted where the work happens -------------------------------------------------------------------------------

DB_QUERIES = Counter("resilience_db_queries", "Database queries executed (execute and executemany calls).",
                     ["alias", "vendor"])
DB_QUERY_ERRORS = Counter("resilience_db_query_errors", "Database queries that raised, by exception class.",
                          ["alias", "vendor", "error"])
DB_QUERY_SECONDS = Histogram("resilience_db_query_duration_seconds", "Time spent in one database query.",
                             ["alias", "vendor"],
                             buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
TASKS_STARTED = Counter("resilience_celery_tasks_started", "Celery tasks started by a worker.", ["task"])
TASKS_FINISHED = Counter("resilience_celery_tasks_finished",
                         "Celery tasks finished, by final state (SUCCESS, FAILURE, RETRY, ...).", ["task", "state"])
TASK_FAILURES = Counter("resilience_celery_task_failures", "Celery tasks that failed, by exception class.",
                        ["task", "error"])
TASK_RETRIES = Counter("resilience_celery_task_retries", "Celery task retries scheduled.", ["task"])
TASK_SECONDS = Histogram("resilience_celery_task_duration_seconds", "Time a Celery task ran in the worker.",
                         ["task"], buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0))
PDF_RENDER_SECONDS = Histogram("resilience_pdf_render_seconds", "Time to render one PDF (WeasyPrint and the file).",
                               ["document"], buckets=(0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0))


def multiprocess_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def _count_query(execute, sql, params, many, context):
    connection = context["connection"]
    alias, vendor = connection.alias, connection.vendor
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception as exc:
        DB_QUERY_ERRORS.labels(alias, vendor, type(exc).__name__).inc()
        raise
    finally:
        DB_QUERIES.labels(alias, vendor).inc()
        DB_QUERY_SECONDS.labels(alias, vendor).observe(time.perf_counter() - started)


def _on_connection_created(sender, connection, **kwargs):
    """Count every query of this connection (once: a connection object is reconnected many times)."""
    if _count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_query)


_task_started = {}  # task id -> perf_counter at task_prerun, in the process that runs it


def _task_name(sender):
    return getattr(sender, "name", None) or str(sender)


def _on_task_prerun(sender=None, task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()
    TASKS_STARTED.labels(_task_name(sender)).inc()


def _on_task_postrun(sender=None, task_id=None, state=None, **kwargs):
    name = _task_name(sender)
    TASKS_FINISHED.labels(name, state or "UNKNOWN").inc()
    started = _task_started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


def _on_task_failure(sender=None, exception=None, **kwargs):
    TASK_FAILURES.labels(_task_name(sender), type(exception).__name__).inc()


def _on_task_retry(sender=None, **kwargs):
    TASK_RETRIES.labels(_task_name(sender)).inc()


def _on_worker_init(**kwargs):
    """A Celery worker starting: its multiprocess directory starts empty (a directory per run)."""
    empty_directory(multiprocess_dir())


def _on_worker_process_shutdown(pid=None, **kwargs):
    if multiprocess_dir() and pid:
        multiprocess.mark_process_dead(pid)


def _on_pdf_saved(sender, instance, created, update_fields=None, **kwargs):
    """pdf.render saves the whole row once, READY with its render_seconds: observed once that commits."""
    if update_fields is None and instance.status == "ready" and instance.render_seconds is not None:
        document, seconds = instance.document, instance.render_seconds
        transaction.on_commit(lambda: PDF_RENDER_SECONDS.labels(document).observe(seconds))


def empty_directory(path):
    """Create ``path`` if needed and remove the metric files a previous run left there."""
    if not path:
        return
    Path(path).mkdir(parents=True, exist_ok=True)
    for name in glob.glob(os.path.join(path, "*.db")):
        Path(name).unlink(missing_ok=True)


def install():
    """Connect the counting (idempotent: dispatch uids)."""
    if multiprocess_dir():
        Path(multiprocess_dir()).mkdir(parents=True, exist_ok=True)
    connection_created.connect(_on_connection_created, dispatch_uid="operations.metrics.queries")
    for signal, receiver in ((celery_signals.task_prerun, _on_task_prerun),
                             (celery_signals.task_postrun, _on_task_postrun),
                             (celery_signals.task_failure, _on_task_failure),
                             (celery_signals.task_retry, _on_task_retry),
                             (celery_signals.worker_init, _on_worker_init),
                             (celery_signals.worker_process_shutdown, _on_worker_process_shutdown)):
        signal.connect(receiver, weak=False, dispatch_uid=f"operations.metrics.{receiver.__name__}")
    post_save.connect(_on_pdf_saved, sender="forwardplans.StoredPdf", dispatch_uid="operations.metrics.pdf")


# Read at scrape time --------------------------------------------------------------------------------------------

def _gauge(name, documentation, labels=()):
    return GaugeMetricFamily(name, documentation, labels=list(labels))


class QueueCollector:
    """The length of each Celery queue in Redis (LLEN, priorities included), read at every scrape."""

    def collect(self):
        url = settings.CELERY_BROKER_URL if settings.REDIS_URL else ""
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return  # the demo: tasks run in-process, there is no queue
        up = _gauge("resilience_celery_broker_up", "1 if Redis answered the queue-length read, else 0.")
        length = _gauge("resilience_celery_queue_length", "Messages waiting in a Celery queue in Redis.", ["queue"])
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            with client.pipeline(transaction=False) as pipe:
                queues = queue_names()
                for queue in queues:
                    for key in [queue, *(f"{queue}{_PRIORITY_SEP}{step}" for step in _PRIORITY_STEPS)]:
                        pipe.llen(key)
                counts = pipe.execute()
        except redis.RedisError:
            log.warning("metrics: Redis did not answer the queue-length read")
            up.add_metric([], 0)
            yield up
            return
        finally:
            client.close()
        per_queue = len(_PRIORITY_STEPS) + 1
        for index, queue in enumerate(queues):
            length.add_metric([queue], sum(counts[index * per_queue:(index + 1) * per_queue]))
        up.add_metric([], 1)
        yield up
        yield length


def queue_names():
    """The default queue and METRICS_QUEUES, in order, without repeats."""
    return list(dict.fromkeys([settings.CELERY_TASK_DEFAULT_QUEUE, *settings.METRICS_QUEUES]))


class DatabaseCollector:
    """Backlogs and records counted in the database at every scrape: the outbox, e-mails, sync runs, PDFs."""

    def collect(self):
        up = _gauge("resilience_metrics_database_up", "1 if the scrape's database counts were read, else 0.")
        try:
            families = list(self._families())
        except DatabaseError:
            log.warning("metrics: the database counts could not be read")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self):
        now = timezone.now()
        outbox = apps.get_model("forwardplans", "OutboxJob").objects.filter(published_at__isnull=True)
        waiting = outbox.aggregate(count=Count("pk"), oldest=Min("created_at"))
        jobs = _gauge("resilience_outbox_unpublished_jobs", "Outbox jobs not yet published to the broker.")
        jobs.add_metric([], waiting["count"])
        yield jobs
        age = _gauge("resilience_outbox_oldest_unpublished_age_seconds",
                     "Age of the oldest outbox job not yet published (0 when none waits).")
        age.add_metric([], (now - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0)
        yield age

        emails_waiting = _gauge("resilience_emails_waiting", "E-mails waiting to be sent (or being sent).", ["kind"])
        emails_failed = _gauge("resilience_emails_failed", "E-mails recorded as failed for good.", ["kind"])
        for kind, model, field, extra in (
                ("notification", apps.get_model("forwardplans", "SentReminder"), "email_status", Q()),
                ("invitation", apps.get_model("people", "Invitation"), "email_status", Q(status="pending")),
                ("questionnaire_invitation", apps.get_model("forwardplans", "QuestionnaireInvitation"), "status",
                 Q())):
            counts = dict(_grouped_counts(
                model.objects.filter(extra, **{f"{field}__in": ["pending", "sending", "failed"]}), field))
            emails_waiting.add_metric([kind], counts.get("pending", 0) + counts.get("sending", 0))
            emails_failed.add_metric([kind], counts.get("failed", 0))
        yield emails_waiting
        yield emails_failed

        sync_run = apps.get_model("surveillance", "SyncRun")
        runs = _gauge("resilience_sync_runs", "Sync runs recorded, by kind and outcome.", ["kind", "outcome"])
        recorded = {(kind, outcome): n for kind, outcome, n in
                    _grouped_counts(sync_run.objects.all(), "kind", "outcome")}
        for kind in sync_run.Kind.values:
            for outcome in sync_run.Outcome.values:
                runs.add_metric([kind, outcome], recorded.get((kind, outcome), 0))
        yield runs
        last = _gauge("resilience_sync_last_success_timestamp_seconds",
                      "When the last succeeded (or partly succeeded) sync run of a kind finished (Unix time).",
                      ["kind"])
        for row in (sync_run.objects.filter(outcome__in=["succeeded", "partial"], finished_at__isnull=False)
                    .order_by().values("kind").annotate(at=Max("finished_at"))):
            last.add_metric([row["kind"]], row["at"].timestamp())
        yield last

        pdfs = _gauge("resilience_pdfs", "Stored PDFs waiting to be rendered or failed, by status.", ["status"])
        stored = dict(_grouped_counts(apps.get_model("forwardplans", "StoredPdf").objects.filter(
            status__in=["pending", "failed"]), "status"))
        for status in ("pending", "failed"):
            pdfs.add_metric([status], stored.get(status, 0))
        yield pdfs


def _grouped_counts(queryset, *fields):
    return [(*(row[f] for f in fields), row["n"])
            for row in queryset.order_by().values(*fields).annotate(n=Count("pk"))]


class _FilesCollector:
    """The counts every process wrote to the multiprocess directories, merged (counters summed)."""

    def __init__(self, directories):
        self.directories = directories

    def collect(self):
        files = sorted({name for pattern in self.directories for found in glob.glob(pattern)
                        if os.path.isdir(found) for name in glob.glob(os.path.join(found, "*.db"))})
        return multiprocess.MultiProcessCollector.merge(files, accumulate=True)


class _ProcessCollector:
    """This process's own registry (the demo: one process)."""

    def collect(self):
        return REGISTRY.collect()


class BackupCollector:
    """The nightly backup's last record (operations.backups.last_status: the status file or the cache's copy)."""

    def collect(self):
        from . import backups

        status = backups.last_status()
        if not status:
            return
        ok = _gauge("resilience_backup_last_run_ok", "1 if the last nightly backup run succeeded, else 0.")
        ok.add_metric([], 1 if status.get("ok") else 0)
        yield ok
        good = status.get("last_ok")
        if good:
            at = _gauge("resilience_backup_last_success_timestamp_seconds",
                        "When the last good nightly backup finished (Unix time).")
            at.add_metric([], datetime.datetime.fromisoformat(good["finished_at"]).timestamp())
            size = _gauge("resilience_backup_last_success_size_bytes", "Size of the last good nightly archive.")
            size.add_metric([], good.get("size") or 0)
            yield at
            yield size


def read_directories():
    """The multiprocess directories a scrape merges: this process's and METRICS_READ_DIRS (glob patterns)."""
    return list(dict.fromkeys([d for d in [multiprocess_dir(), *settings.METRICS_READ_DIRS] if d]))


def exposition():
    """The Prometheus text of every metric, read now."""
    registry = CollectorRegistry(auto_describe=False)
    # Scrape-time counts first: their own queries are then in the files merged after them.
    registry.register(QueueCollector())
    registry.register(DatabaseCollector())
    registry.register(BackupCollector())
    registry.register(_FilesCollector(read_directories()) if multiprocess_dir() else _ProcessCollector())
    return generate_latest(registry)
