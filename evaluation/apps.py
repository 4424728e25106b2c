from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation: feedback at closure, the advisers' reflections and case studies"

    def ready(self):
        from . import contract_panels  # noqa: F401  (registers the contract page's "Evaluation at closure" panel)
