from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements: the memorandum of understanding between practice, commissioner and RCGP"

    def ready(self):
        from . import contract_panels  # noqa: F401  (registers the contract page's "Agreement" panel)
