from django.apps import AppConfig


class LevelsConfig(AppConfig):
    name = "levels"
    verbose_name = "Levels of support: Rescue, Resilience, Improvement, Excellence"

    def ready(self):
        from practices.episode_changes import listen

        from . import practice_panels  # noqa: F401  (registers the practice page's "Level of support" section)
        from .services import on_episode_changes

        # Special measures entered or left (re-derived, corrected, the practice closed): Rescue follows.
        listen(on_episode_changes)
