from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring: the commissioner's record of its practices"

    def ready(self):
        from forwardplans import deadlines
        from forwardplans.job_models import ReminderItem
        from forwardplans.reminder_texts import RENDERERS

        from . import practice_panels  # noqa: F401  (registers the practice page's "Monitoring" panel)
        from .deadlines import FOLLOW_UP, SCOPE, render_follow_ups

        # A follow-up joins the deadline registry: reminders, home pages' "what needs me", the calendar feed.
        deadlines.register(FOLLOW_UP, scope=SCOPE)
        # The notifications page renders a follow-up's reminder when it is read, from what the reader may see then.
        RENDERERS[ReminderItem.FOLLOW_UP] = render_follow_ups
