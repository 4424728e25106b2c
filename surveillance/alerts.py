"""Raising a practice's alerts and telling its audience, through the event-notification path.

The changes come from the syncs' runs (``SyncRun.changes``) and from the special-measures episodes
(practices.episode_changes, when a re-derivation or a correction is committed). Each change that matters and is
recent (dated within ALERT_RECENT_DAYS of today: an import of years of history raises nothing) becomes one
PracticeAlert, once: a re-run raises nothing new. Each alert raised now is claimed once per recipient through
forwardplans.delivery (scope "practice": the access policy narrows the recipients again) and e-mailed by the worker
through the outbox; the e-mail carries the neutral title only, and the notifications page renders the rest when it
is read, from what the reader may see then (alert_texts.render_alerts).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forwardplans import outbox
from forwardplans.delivery import Candidate, claim
from forwardplans.job_models import EmailStatus, ReminderItem, ReminderKind
from forwardplans.reminders import visible_only
from practices.models import Practice

from . import alert_texts
from .audiences import CORRECTORS_ONLY, alert_recipients
from .models import PracticeAlert

KINDS = frozenset(PracticeAlert.Kind.values)


def _date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def recent(on, today):
    """Is a change dated ``on`` recent enough to raise an alert?"""
    return on >= today - datetime.timedelta(days=settings.ALERT_RECENT_DAYS)


@transaction.atomic
def alerts_raise(*, changes, sync_run=None, actor=None, today=None):
    """Raise an alert for each change that matters (``changes``: dicts with ``kind``, the practice as
    ``practice_id`` or ODS code ``practice``, ``on``: its date, ``key``: what makes it unique, ``facts``: rating
    words and dates), if it is recent and was not raised before, and tell each alert's audience (not ``actor``).
    Kinds that are not alerts (a first rating: its new inspection is one) are passed over. Returns the alerts
    raised now."""
    today = today or timezone.localdate()
    wanted = []
    for change in changes:
        on = _date(change.get("on")) or today
        if change.get("kind") in KINDS and recent(on, today):
            wanted.append((change, on))
    if not wanted:
        return []
    codes = {change["practice"] for change, _on in wanted if not change.get("practice_id")}
    by_code = dict(Practice.objects.filter(ods_code__in=codes).values_list("ods_code", "pk")) if codes else {}
    now = timezone.now()
    rows = {}
    for change, on in wanted:
        practice_id = change.get("practice_id") or by_code.get(change.get("practice"))
        if practice_id is None:
            continue
        key = str(change.get("key") or on.isoformat())[:100]
        rows[(practice_id, change["kind"], key)] = PracticeAlert(
            practice_id=practice_id, kind=change["kind"], key=key, on=on, detail=change.get("facts") or {},
            raised_at=now, sync_run=sync_run)
    if not rows:
        return []
    # ON CONFLICT DO NOTHING: an alert raised before (by this change's earlier run) stays as it was. The rows
    # inserted now are the ones stamped with this call's time.
    PracticeAlert.objects.bulk_create(rows.values(), ignore_conflicts=True)
    raised = [alert for alert in PracticeAlert.objects.filter(practice_id__in={k[0] for k in rows}, raised_at=now)
              .select_related("practice").order_by("pk") if (alert.practice_id, alert.kind, alert.key) in rows]
    _deliver(raised, actor=actor, today=today)
    return raised


def _deliver(alerts, *, actor, today):
    """One notification per recipient of each alert (claimed once), and the e-mails through the outbox."""
    everyone = alert_recipients({a.practice_id for a in alerts if a.kind not in CORRECTORS_ONLY})
    correctors = alert_recipients({a.practice_id for a in alerts if a.kind in CORRECTORS_ONLY},
                                  correctors_only=True)
    candidates = []
    for alert in alerts:
        recipients = (correctors if alert.kind in CORRECTORS_ONLY else everyone).get(alert.practice_id, [])
        title, link = alert_texts.title(alert), alert_texts.link(alert)
        candidates += [Candidate(recipient, ReminderItem.ALERT, alert.pk, ReminderKind.EVENT, today, "practice",
                                 alert.practice_id, title, "", link)
                       for recipient in recipients if actor is None or recipient != actor.pk]
    if not candidates:
        return []
    candidates, users = visible_only(candidates)
    claimed = claim(candidates, users)
    pending = [row.pk for row in claimed if row.email_status == EmailStatus.PENDING]
    if pending:
        outbox.enqueue("forwardplans.tasks.send_reminder_emails", pending)
    return claimed
