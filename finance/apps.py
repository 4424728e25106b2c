from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finance: the costed plan, time and other costs, payments and variations"

    def ready(self):
        from . import contract_panels  # noqa: F401  (registers the contract page's "Time and money" panel)
