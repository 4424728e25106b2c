from django.apps import AppConfig


class ForwardPlansConfig(AppConfig):
    name = "forwardplans"
    verbose_name = "Diagnostic reports and forward plans"
