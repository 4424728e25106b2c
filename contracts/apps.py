from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "RCGP contracts, referrals and adviser teams"

    def ready(self):
        from . import enquiry_views  # noqa: F401  (registers the practice page's "Special-measures offers")
