from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements: the memorandum of understanding between practice, commissioner and RCGP"
