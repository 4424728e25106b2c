"""Celery tasks for the beat schedule (resilience/settings/base.py): each runs one sync; a re-run is safe."""

from celery import shared_task

from . import services


@shared_task
def sync_cqc():
    return services.sync_run_cqc().pk


@shared_task
def sync_ods():
    return services.sync_run_ods().pk
