from django.apps import AppConfig


class ContractualConfig(AppConfig):
    name = "contractual"
    verbose_name = "Contractual action on a practice's GMS, PMS or APMS contract"

    def ready(self):
        from forwardplans.deadlines import register
        from forwardplans.job_models import ReminderItem
        from forwardplans.reminder_texts import RENDERERS

        from . import practice_panels  # noqa: F401  (registers the practice page's "Contractual action")
        from .deadlines import NOTICE_APPEAL, NOTICE_REMEDY, SCOPE, render

        register(NOTICE_REMEDY, scope=SCOPE)
        register(NOTICE_APPEAL, scope=SCOPE)
        RENDERERS[ReminderItem.NOTICE_REMEDY] = render
        RENDERERS[ReminderItem.NOTICE_APPEAL] = render
