from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "NHS England's returns: allocations, targets and the regions' data returns"
