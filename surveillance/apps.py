from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "surveillance"
    verbose_name = "Surveillance: CQC and ODS syncs"

    def ready(self):
        from forwardplans.job_models import ReminderItem
        from forwardplans.reminder_texts import RENDERERS
        from practices.episode_changes import listen

        from . import practice_panels  # noqa: F401  (registers the practice page's "CQC data last refreshed" and alerts)
        from .alert_texts import render_alerts
        from .episode_alerts import on_episode_changes

        # The notifications page renders an alert when it is read, from what the reader may see then.
        RENDERERS[ReminderItem.ALERT] = render_alerts
        # Special measures entered or left, a window opened, a correction that differs: alerts, and the offer.
        listen(on_episode_changes)
