"""Enqueue Celery tasks through an outbox table, after the transaction commits.

``enqueue`` writes an OutboxJob row in the caller's transaction and publishes it once that transaction has
committed. If Redis is down the publish fails quietly: the user's save has already succeeded and the row
waits. ``relay`` (a beat task every minute, and the operator commands) publishes whatever is waiting once
Redis is back. A job may be published twice in the rare case that Redis took it but marking the row failed;
every task is idempotent, so that is harmless.

Without REDIS_URL (the zero-set-up demo) tasks run in-process, after commit, as before.
"""

import logging
from datetime import timedelta
from importlib import import_module

import redis
from celery import current_app as app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import log_context

from .job_models import OutboxJob

log = logging.getLogger(__name__)
KEEP_PUBLISHED = timedelta(days=7)


def enqueue(task_name, *args):
    """Publish ``task_name(*args)`` after commit; keep it in the outbox until the broker has it."""
    return enqueue_many(task_name, [args])[0]


def enqueue_many(task_name, arg_lists):
    context = log_context.current()
    jobs = OutboxJob.objects.bulk_create([OutboxJob(task=task_name, args=list(args), context=context)
                                          for args in arg_lists])
    ids = [job.pk for job in jobs]
    if ids:
        transaction.on_commit(lambda: publish(ids))
    return jobs


def _task(name):
    if name not in app.tasks:  # a web process has not imported the tasks modules (only workers autodiscover)
        import_module(name.rsplit(".", 1)[0])
    return app.tasks[name]


def _send(job, connection):
    task = _task(job.task)
    with log_context.restored(job.context):  # the task's log lines carry the id of the request that wanted it
        if app.conf.task_always_eager:
            return task.apply_async(args=job.args).id  # runs here and now; errors stay in the eager result
        # No retries: a user's request must not hang while Redis is down; the outbox retries instead.
        return task.apply_async(args=job.args, connection=connection, queue=app.conf.task_default_queue,
                                retry=False).id


def broker_down():
    """Why the Redis broker cannot be reached now (None when it can), asked with one PING and no retries: a
    user's request must not wait through redis-py's connection retries while Redis is down."""
    url = app.conf.broker_write_url or ""
    if app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
    except redis.RedisError as exc:
        return exc
    finally:
        client.close()
    return None


def publish(ids=None, limit=500):
    """Publish waiting jobs (only ``ids`` if given). Returns how many were published; never raises for a
    broker that is down."""
    with transaction.atomic():
        waiting = OutboxJob.objects.select_for_update(skip_locked=True).filter(published_at__isnull=True)
        if ids is not None:
            waiting = waiting.filter(pk__in=ids)
        jobs = list(waiting.order_by("pk")[:limit])
        if not jobs:
            return 0
        done, error = {}, broker_down()
        if error is None:
            try:
                with app.connection_for_write() as connection:
                    for job in jobs:
                        done[job.pk] = _send(job, connection)
            except Exception as exc:  # the broker went away, or refused the message: keep the rest for the relay
                error = exc
        if error is not None:
            log.warning("outbox: could not publish, %d job(s) kept for later: %s: %s", len(jobs) - len(done),
                        type(error).__name__, error)
        now = timezone.now()
        for pk, task_id in done.items():
            OutboxJob.objects.filter(pk=pk).update(published_at=now, task_id=task_id or "", attempts=F("attempts") + 1)
        if error is not None:
            OutboxJob.objects.filter(pk__in=[j.pk for j in jobs if j.pk not in done]).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000])
        return len(done)


def relay(limit=500):
    """Publish everything still waiting (oldest first) and forget jobs published a week ago."""
    total = 0
    while True:
        published = publish(limit=limit)
        total += published
        if published < limit:
            break
    OutboxJob.objects.filter(published_at__lt=timezone.now() - KEEP_PUBLISHED).delete()
    return total


def waiting_count():
    return OutboxJob.objects.filter(published_at__isnull=True).count()
