from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "casework"
    verbose_name = "Case lifecycle"

    def ready(self):
        # The notifications of the lifecycle's moves (forwardplans.events renders them when they are read).
        from . import events  # noqa: F401
