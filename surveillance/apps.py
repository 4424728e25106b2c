from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance: CQC and ODS syncs"

    def ready(self):
        from . import practice_panels  # noqa: F401  (registers the practice page's "CQC data last refreshed")
