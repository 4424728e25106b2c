from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "Delivery: the advisers' visits, meetings, interviews and the support they gave"

    def ready(self):
        from . import contract_panels  # noqa: F401  (registers the contract page's "Delivery" panel)
