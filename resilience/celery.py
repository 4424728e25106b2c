"""The Celery application. Workers: ``make worker``; the scheduler: ``make beat``."""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilience.settings")

app = Celery("resilience")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker's lines are the web's (settings.LOGGING, operations/logs.py): each task's line carries the request id
# of the request that published it. Error reporting (SENTRY_DSN) starts with the settings, in the worker too.
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def _logging_from_settings(**kwargs):
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
