from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the service: health and readiness, Prometheus metrics, structured logs and error reporting, and
    scheduled backups (docs/operations.md). It sits at the top: it reads every app's state and no app imports it."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self):
        from . import metrics

        metrics.install()  # the counting, in every process that sets Django up (web, Celery worker, commands)
