"""A monitoring follow-up as a kind of deadline (forwardplans/deadlines.py): the reminder sweep, the home pages'
"what needs me" and the calendar feed read it from the registry, where MonitoringConfig.ready() puts it.

Who hears of it: its owner; with no owner named, the commissioner's peer support team and leads (of the practice's
commissioner, or of the ICB above it). The access policy is asked about the follow-up's record (``records_for``),
so nobody hears of one they may not see."""


from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from forwardplans.deadlines import CommissionerStaff, Deadline, Named, date_text, prefix, when_text
from forwardplans.job_models import ReminderItem
from forwardplans.reminder_texts import HIDDEN
from practices.models import Practice

from . import access
from .models import FollowUp

SCOPE = ("monitoring_record", access.records_for)
TEAM_ROLES = (Role.COMMISSIONER_PEER_SUPPORT, Role.COMMISSIONER_LEAD)


def _open_follow_ups():
    return FollowUp.objects.filter(done_on__isnull=True, record__practice__status=Practice.Status.ACTIVE)


FOLLOW_UP = Deadline(
    item_type=ReminderItem.FOLLOW_UP,
    items=_open_follow_ups,
    basis="due_on", scope=SCOPE[0], scope_path="record",
    reference="record__practice__ods_code", link=("monitoring:record", "record_id"),
    audience=(Named("owner"), CommissionerStaff("record__practice__commissioner", TEAM_ROLES, unless="owner")),
    title=lambda row: f"a monitoring follow-up for practice {row['dl_ref']}",
    summary="Monitoring follow-up due (practice {reference})",
    explains="A follow-up agreed in the commissioner's monitoring of the practice.")


def _follow_up_text(n, follow_up):
    r = n.reminder
    sent_on = timezone.localdate(n.created_at)
    practice = follow_up.record.practice
    return (f"{prefix(r.kind, r.due_on, sent_on)}: monitoring follow-up for {practice.name} ({practice.ods_code})",
            f"The follow-up “{follow_up.what[:200]}” {when_text(r.kind, r.due_on, sent_on)}.\n"
            f"From the {follow_up.record.get_kind_display().lower()} on {date_text(follow_up.record.happened_on)}.",
            reverse("monitoring:record", args=[follow_up.record_id]))


def render_follow_ups(user, items):
    """forwardplans.reminder_texts renderer for ReminderItem.FOLLOW_UP: (notification, (title, body, link) or
    HIDDEN), from the follow-ups ``user`` may see now (one query)."""
    shown = {f.pk: f for f in access.follow_ups_for(user).filter(pk__in={n.reminder.item_id for n in items})
             .select_related("record__practice")}
    for n in items:
        follow_up = shown.get(n.reminder.item_id)
        yield n, HIDDEN if follow_up is None else _follow_up_text(n, follow_up)
