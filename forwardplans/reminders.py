"""The reminder sweep and the weekly digest: what the deadline registry (forwardplans.deadlines) says is due, told
once to each person it names who may see it.

Set-based: each kind of deadline is read with one query over an index-backed date range, and its audience with one
query per rule (deadlines.py), so the sweep's cost grows with what is due, not with the number of milestones.
Recipients are then narrowed by the access policy (one query per person), so nobody is told about anything they may
not see. Who hears of what, and when, is written once in deadlines.py: the calendar feed and the home pages read
the same declarations.

Nothing confidential is stored: a reminder keeps a neutral title (what is due and the contract's reference, never a
plan's text), which is all its e-mail says; the notifications page renders the rest when it is read, from the item
and through the access policy (forwardplans.reminder_texts), as it does for events (forwardplans.events).

Sent once: every reminder is a (recipient, item type, item id, kind, due date) key in SentReminder, inserted
with INSERT ... ON CONFLICT DO NOTHING before anything is sent. Only the rows this sweep inserted (its batch)
become notifications and e-mails, so two sweeps at once, or a retried task, never send the same one twice.

"Overdue" is looked for over the last 14 days, so a sweep that did not run for a while catches up, and an item is
reported overdue once.
"""

import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from contracts import access as contract_access
from contracts.models import ContractTransition
from core.models import User
from core.roles import Role

from . import access, deadlines
from .deadlines import prefix
from .delivery import Candidate, claim
from .job_models import ReminderItem, ReminderKind
from .models import RagChange
from .notifications import send_pending_emails
from .vocabulary import Rag

log = logging.getLogger(__name__)

__all__ = ["Candidate", "claim", "collect", "digest", "digest_for", "sweep", "visible_only"]


@dataclass
class SweepResult:
    sent: int = 0
    skipped: int = 0
    emailed: int = 0
    email_failed: int = 0
    email_retry: int = 0
    seconds: float = 0.0
    by_kind: dict = field(default_factory=dict)


def deadline_candidates(today):
    """A candidate reminder per person the registry names, for every deadline due today (before the access check)."""
    for kind, row, stage, recipients in deadlines.reminders_due(today):
        title = f"{prefix(stage, row['due_on'], today)}: {kind.title(row)}"
        link = reverse(kind.link[0], args=[row["dl_target"]])
        for recipient in recipients:
            yield Candidate(recipient, kind.item_type, row["pk"], stage, row["due_on"], kind.scope, row["dl_scope"],
                            title, "", link)


# Weekly digest ---------------------------------------------------------------------------------------

def week_start(today):
    return today - datetime.timedelta(days=today.weekday())


def overdue_actions(user, today, limit=50):
    """Ids of the actions overdue (their planned completion or an open milestone) that the registry tells ``user``
    of and they may see, however long overdue: the same items the sweep, the calendar and the home page show them.
    By contract reference, then the earliest date missed."""
    earliest = {}
    for due in deadlines.due_for(user, today, since=None, until=today - deadlines.DAY, kinds=deadlines.PLAN_KINDS):
        action_id = int(due.target)
        key = (due.reference, due.due_on, action_id)
        earliest[action_id] = min(earliest.get(action_id, key), key)
    return [key[2] for key in sorted(earliest.values())][:limit]


def digest_for(user, today):
    """What a commissioner peer-support user should hear about this week, only from what they may see: the ids
    of the overdue actions, of the contracts whose plans have new Reds and of the contracts' state changes."""
    since = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time.min))
    overdue = overdue_actions(user, today)
    new_reds = list(RagChange.objects.filter(action__in=access.actions_for(user), to_status=Rag.RED, at__gte=since)
                    .order_by("action__plan__contract__reference").values_list("action__plan__contract_id", flat=True)
                    .distinct())
    changes = list(ContractTransition.objects.filter(contract__in=contract_access.contracts_for(user), at__gte=since)
                   .exclude(from_state=F("to_state")).order_by("contract__reference", "at", "pk")
                   .values_list("pk", flat=True))
    return {"overdue": overdue, "new_reds": new_reds, "state_changes": changes}


def digest_candidates(today):
    monday = week_start(today)
    for user in User.objects.filter(is_active=True, role=Role.COMMISSIONER_PEER_SUPPORT,
                                    commissioner__isnull=False).order_by("pk"):
        found = digest_for(user, today)
        if not any(found.values()):
            continue  # nothing to say: no e-mail
        counts = (f"{len(found['overdue'])} overdue action(s), {len(found['new_reds'])} plan(s) with new Reds, "
                  f"{len(found['state_changes'])} contract change(s)")
        yield Candidate(user.pk, ReminderItem.DIGEST, user.pk, ReminderKind.WEEKLY, monday, "self", user.pk,
                        f"Weekly digest: {counts}", "", reverse("contracts:list"), detail=found)


# Access and claiming ---------------------------------------------------------------------------------

def visible_only(candidates):
    """Drop candidates whose item the recipient may not see (the access policy; one query per person)."""
    candidates = list(candidates)
    wanted = defaultdict(set)
    for c in candidates:
        wanted[(c.recipient_id, c.scope)].add(c.scope_id)
    users = User.objects.in_bulk({c.recipient_id for c in candidates})
    allowed = set()
    for (recipient_id, scope), ids in wanted.items():
        user = users.get(recipient_id)
        if user is None or not user.is_active:
            continue
        if scope == "self":
            allowed |= {(recipient_id, scope, pk) for pk in ids if pk == recipient_id}
            continue
        visible = deadlines.SCOPES[scope](user).filter(pk__in=ids).values_list("pk", flat=True)
        allowed |= {(recipient_id, scope, pk) for pk in visible}
    return [c for c in candidates if (c.recipient_id, c.scope, c.scope_id) in allowed], users


def collect(today, *, digest=False):
    """Every reminder due today, for everyone (before the access check)."""
    yield from deadline_candidates(today)
    if digest:
        yield from digest_candidates(today)


def sweep(today=None, *, digest=False, send_emails=True):
    """One sweep: collect what is due, keep what each person may see, claim it, notify, e-mail."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    candidates, users = visible_only(collect(today, digest=digest))
    claimed = claim(candidates, users)
    result = SweepResult(sent=len(claimed), skipped=len({c.key for c in candidates}) - len(claimed))
    for r in claimed:
        result.by_kind[(r.item_type, r.kind)] = result.by_kind.get((r.item_type, r.kind), 0) + 1
    if send_emails:
        emailed = send_pending_emails()
        result.emailed, result.email_failed, result.email_retry = emailed.sent, emailed.failed, emailed.retry
    result.seconds = time.perf_counter() - started
    log.info("reminder sweep %s: sent=%d skipped=%d emailed=%d (%.2fs)", today, result.sent, result.skipped,
             result.emailed, result.seconds)
    return result


def digest(today=None, *, send_emails=True):
    """The weekly digest alone (beat runs it on Monday mornings)."""
    today = today or timezone.localdate()
    candidates, users = visible_only(digest_candidates(today))
    claimed = claim(candidates, users)
    result = SweepResult(sent=len(claimed), skipped=len(candidates) - len(claimed))
    if send_emails:
        emailed = send_pending_emails()
        result.emailed, result.email_failed, result.email_retry = emailed.sent, emailed.failed, emailed.retry
    return result
