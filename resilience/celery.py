"""The Celery application. Workers: ``make worker``; the scheduler: ``make beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilience.settings")

app = Celery("resilience")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
