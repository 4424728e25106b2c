from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "concerns"
    verbose_name = "Duty to report"

    def ready(self):
        # The notifications of a concern (forwardplans.events renders them when they are read).
        from . import events  # noqa: F401
