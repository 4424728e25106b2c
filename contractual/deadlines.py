"""The deadlines of contractual action, declared into forwardplans.deadlines (registered from ContractualConfig):

- NOTICE_REMEDY: the remedy date of a remedial notice while its outcome is not recorded;
- NOTICE_APPEAL: the last day of the practice's 28 calendar days to appeal a served notice, while no appeal is
  recorded and its outcome is not.

Who hears: the practice's commissioner leads (its sub-ICB location and the ICB above it) and the practice's leads,
the latter only of notices served on their practice (the access scope ``contractual_notice`` is
contractual.access.notices_for, which hides unserved notices from the practice). Never RCGP.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import User
from core.roles import Role
from forwardplans.deadlines import CommissionerStaff, Deadline, prefix, when_text
from forwardplans.job_models import ReminderItem
from practices.models import Practice

from .access import notices_for
from .models import APPEAL_WITHIN, Notice, State

SCOPE = ("contractual_notice", notices_for)


@dataclass(frozen=True)
class PracticeLeadsOf:
    """The active practice leads of the item's practice (``path``)."""

    path: str
    overdue_only: bool = False

    @property
    def fields(self):
        return (self.path,)

    def for_rows(self, rows, cache):
        wanted = {row[self.path] for row in rows if row[self.path]}
        found = defaultdict(list)
        if wanted:
            for pk, practice_id in User.objects.filter(is_active=True, role=Role.PRACTICE_LEAD,
                                                       practice_id__in=wanted).values_list("pk", "practice_id"):
                found[practice_id].append(pk)
        return [found.get(row[self.path], []) for row in rows]

    def condition(self, user):
        if user.role != Role.PRACTICE_LEAD or not user.practice_id:
            return None
        return Q(**{self.path: user.practice_id})


def _open_notices():
    return (Notice.objects.filter(outcome="").exclude(case__state=State.CLOSED)
            .filter(case__practice__status=Practice.Status.ACTIVE))


AUDIENCE = (CommissionerStaff("case__commissioner", (Role.COMMISSIONER_LEAD,)), PracticeLeadsOf("case__practice"))

NOTICE_REMEDY = Deadline(
    item_type=ReminderItem.NOTICE_REMEDY,
    items=lambda: _open_notices().filter(remedy_by__isnull=False),
    basis="remedy_by", notice=14, scope=SCOPE[0], scope_path="pk",
    reference="case__practice__ods_code", link=("contractual:notice", "pk"),
    audience=AUDIENCE,
    title=lambda row: f"the remedy date of a contract notice to practice {row['dl_ref']}",
    summary="Contract notice: remedy due (practice {reference})",
    explains="A remedial notice sets the date by which the breach must be remedied (no less than 28 days from the "
             "date of the notice unless a shorter period is necessary).")

NOTICE_APPEAL = Deadline(
    item_type=ReminderItem.NOTICE_APPEAL,
    items=lambda: _open_notices().filter(served_on__isnull=False, appeal__isnull=True),
    basis="served_on", after=APPEAL_WITHIN, notice=14, scope=SCOPE[0], scope_path="pk",
    reference="case__practice__ods_code", link=("contractual:notice", "pk"),
    audience=AUDIENCE,
    title=lambda row: f"the appeal window of a contract notice to practice {row['dl_ref']}",
    summary="Contract notice: appeal window closes (practice {reference})",
    explains="An appeal against a notice is made in writing within 28 days of its service.")


def _text(n, kind_label, ods_code, name, due_on, words):
    r = n.reminder
    sent = timezone.localdate(n.created_at)
    return (f"{prefix(r.kind, r.due_on, sent)}: {words} – {name} ({ods_code})",
            f"The {kind_label.lower()} to {name} ({ods_code}): {words} {when_text(r.kind, due_on, sent)}.")


def render(user, items):
    """forwardplans.reminder_texts renderer for both kinds: (notification, (title, body, link) or None), from the
    notices ``user`` may see now (one query); the words carry no text of the notice."""
    rows = {pk: row for pk, *row in notices_for(user).filter(pk__in={n.reminder.item_id for n in items})
            .values_list("pk", "kind", "case__practice__ods_code", "case__practice__name", "remedy_by", "served_on")}
    labels = dict(Notice._meta.get_field("kind").choices)
    for n in items:
        row = rows.get(n.reminder.item_id)
        if row is None:
            yield n, None
            continue
        kind, ods_code, name, remedy_by, served_on = row
        if n.reminder.item_type == ReminderItem.NOTICE_REMEDY:
            title, body = _text(n, labels[kind], ods_code, name, remedy_by, "the breach must be remedied")
        else:
            title, body = _text(n, labels[kind], ods_code, name, served_on + APPEAL_WITHIN,
                                "the window to appeal closes")
        yield n, (title, body, reverse("contractual:notice", args=[n.reminder.item_id]))

