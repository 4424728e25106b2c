from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self):
        from . import practice_panels  # noqa: F401  (registers the practice page's "Support" section)
