from django.apps import AppConfig


class LevelsConfig(AppConfig):
    name = "levels"
    verbose_name = "Levels of support: Rescue, Resilience, Improvement, Excellence"
