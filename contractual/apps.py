from django.apps import AppConfig


class ContractualConfig(AppConfig):
    name = "contractual"
    verbose_name = "Contractual action on a practice's GMS, PMS or APMS contract"
