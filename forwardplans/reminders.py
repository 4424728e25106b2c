"""The reminder sweep: milestone and planned-completion reminders, deadline alerts and the weekly digest.

Set-based: each kind of item due is selected with one query over an index-backed date range (open milestones
by due date, actions by planned completion, contracts by commissioning date, referrals by acknowledgement
due date, inspections by publication date), so the sweep's cost grows with what is due, not with the number
of milestones. Recipients are then narrowed by the access policy (one query per person), so nobody is told
about anything they may not see.

Nothing confidential is stored: a reminder keeps a neutral title (what is due and the contract's reference, never a
plan's text), which is all its e-mail says; the notifications page renders the rest when it is read, from the item
and through the access policy (forwardplans.reminder_texts), as it does for events (forwardplans.events).

Sent once: every reminder is a (recipient, item type, item id, kind, due date) key in SentReminder, inserted
with INSERT ... ON CONFLICT DO NOTHING before anything is sent. Only the rows this sweep inserted (its batch)
become notifications and e-mails, so two sweeps at once, or a retried task, never send the same one twice.

Lead times (today = T):
- milestones and action planned completion: "within a week" when due T+2..T+7, "tomorrow" when due T..T+1,
  "overdue" (lead, the contract's deputy lead and, only where the practice consents to share, the
  commissioner's peer support team) when due T-14..T-1;
- first contact (one week after commissioning): "due soon" two days ahead (T..T+2), then "overdue";
  to the deputy lead, or every RCGP admin while the contract has none;
- referral acknowledgement (10 working days): "due soon" three days ahead (T..T+3), then "overdue";
  to the commissioner leads of the referral's commissioner (or its ICB);
- special-measures re-inspection (six months after publication): "due soon" 30 days ahead, then "overdue";
  to the commissioner's users and RCGP admins.
"Overdue" is looked for over the last 14 days, so a sweep that did not run for a while catches up, and an
item is reported overdue once.
"""

import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from contracts import access as contract_access
from contracts.models import FIRST_CONTACT_WITHIN, Contract, ContractTransition, Referral
from contracts.workflow import ENDED_STATES, State
from core.models import User
from core.roles import Role
from practices import access as practice_access
from practices.models import SPECIAL_MEASURES_REINSPECTION, Inspection
from practices.ratings import Rating

from . import access
from .delivery import Candidate, claim
from .job_models import ReminderItem, ReminderKind
from .models import Action, Milestone, RagChange
from .notifications import send_pending_emails
from .vocabulary import Rag

log = logging.getLogger(__name__)

OVERDUE_CATCH_UP = 14
WEEK_AHEAD, DAY_AHEAD = 7, 1
FIRST_CONTACT_AHEAD = 2
ACKNOWLEDGEMENT_AHEAD = 3
REINSPECTION_AHEAD = 30
DAY = datetime.timedelta(days=1)
NOT_LIVE = [*ENDED_STATES, State.ENQUIRY]


@dataclass
class SweepResult:
    sent: int = 0
    skipped: int = 0
    emailed: int = 0
    email_failed: int = 0
    email_retry: int = 0
    seconds: float = 0.0
    by_kind: dict = field(default_factory=dict)


PREFIXES = {ReminderKind.OVERDUE: "Overdue", ReminderKind.DAY_BEFORE: "Due tomorrow", ReminderKind.WEEK_BEFORE:
            "Due within a week", ReminderKind.DUE_SOON: "Due soon"}


def prefix(kind, due_on, today):
    """How a reminder's title begins (``today``: the day it was sent)."""
    if kind == ReminderKind.DAY_BEFORE and due_on == today:
        return "Due today"
    return PREFIXES[kind]


def date_text(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def _window(due_on, today, ahead):
    """The reminder kind for an item due on ``due_on`` (None: nothing to say today)."""
    if due_on < today:
        return ReminderKind.OVERDUE if due_on >= today - datetime.timedelta(days=OVERDUE_CATCH_UP) else None
    if ahead is None:  # milestones and actions: a week ahead, then the day before
        if due_on <= today + datetime.timedelta(days=DAY_AHEAD):
            return ReminderKind.DAY_BEFORE
        if due_on <= today + datetime.timedelta(days=WEEK_AHEAD):
            return ReminderKind.WEEK_BEFORE
        return None
    return ReminderKind.DUE_SOON if due_on <= today + datetime.timedelta(days=ahead) else None


def when_text(kind, due_on, today):
    if kind == ReminderKind.OVERDUE:
        days = (today - due_on).days
        return f"was due on {date_text(due_on)} ({days} day{'s' if days != 1 else ''} ago)"
    if due_on == today:
        return "is due today"
    if due_on == today + DAY:
        return f"is due tomorrow, {date_text(due_on)}"
    return f"is due on {date_text(due_on)}"


# Recipients --------------------------------------------------------------------------------------

def _commissioner_users(commissioner_ids, roles):
    """{commissioner id: [user ids]} of active users with one of ``roles`` (one query)."""
    found = defaultdict(list)
    for pk, commissioner_id in User.objects.filter(is_active=True, role__in=roles,
                                                   commissioner_id__in=commissioner_ids).values_list(
            "pk", "commissioner_id"):
        found[commissioner_id].append(pk)
    return found


def _of_commissioner(users_by_commissioner, commissioner_id, parent_id):
    """Users of a commissioner or of its ICB (the policy lets both see its records)."""
    return users_by_commissioner.get(commissioner_id, []) + users_by_commissioner.get(parent_id, [])


def _rcgp_admins():
    return list(User.objects.filter(is_active=True, role=Role.RCGP_ADMIN).values_list("pk", flat=True))


# Milestones and actions ------------------------------------------------------------------------

_CONTRACT = "action__plan__contract__"


def _plan_items(today):
    """Open milestones and unfinished actions due in the reminder windows (two range queries)."""
    low = today - datetime.timedelta(days=OVERDUE_CATCH_UP)
    high = today + datetime.timedelta(days=WEEK_AHEAD)
    milestones = (Milestone.objects.filter(done_on__isnull=True, due_on__gte=low, due_on__lte=high)
                  .exclude(action__rag_status=Rag.GREEN).exclude(**{f"{_CONTRACT}state__in": NOT_LIVE})
                  .values_list("pk", "description", "due_on", "action_id", "action__lead_user_id",
                               "action__action_planned", f"{_CONTRACT}id", f"{_CONTRACT}reference",
                               f"{_CONTRACT}deputy_lead_id", f"{_CONTRACT}commissioner_id",
                               f"{_CONTRACT}commissioner__parent_id", f"{_CONTRACT}practice__name"))
    actions = (Action.objects.filter(planned_completion__gte=low, planned_completion__lte=high)
               .exclude(rag_status=Rag.GREEN).exclude(plan__contract__state__in=NOT_LIVE)
               .values_list("pk", "planned_completion", "lead_user_id", "action_planned", "plan__contract_id",
                            "plan__contract__reference", "plan__contract__deputy_lead_id",
                            "plan__contract__commissioner_id", "plan__contract__commissioner__parent_id",
                            "plan__contract__practice__name"))
    for row in milestones:
        yield (ReminderItem.MILESTONE, *row)
    for pk, due_on, lead_id, text, *contract in actions:
        yield (ReminderItem.ACTION, pk, text, due_on, pk, lead_id, text, *contract)


def plan_candidates(today):
    items = [(item, _window(item[3], today, None)) for item in _plan_items(today)]
    items = [(item, kind) for item, kind in items if kind]
    overdue_commissioners = {c for item, kind in items if kind == ReminderKind.OVERDUE for c in item[10:12] if c}
    peer_support = _commissioner_users(overdue_commissioners, [Role.COMMISSIONER_PEER_SUPPORT])
    for item, kind in items:
        (item_type, pk, _description, due_on, action_id, lead_id, _text, contract_id, reference, deputy_id,
         commissioner_id, parent_id, _practice) = item
        what = "a milestone" if item_type == ReminderItem.MILESTONE else "an action's planned completion"
        title = f"{prefix(kind, due_on, today)}: {what} on contract {reference}"
        recipients = [lead_id]
        if kind == ReminderKind.OVERDUE:
            recipients += [deputy_id, *_of_commissioner(peer_support, commissioner_id, parent_id)]
        link = reverse("forwardplans:action", args=[action_id])
        for recipient in dict.fromkeys(r for r in recipients if r):
            yield Candidate(recipient, item_type, pk, kind, due_on, "document", contract_id, title, "", link)


# Deadlines -----------------------------------------------------------------------------------------

def first_contact_candidates(today):
    low = today - datetime.timedelta(days=OVERDUE_CATCH_UP) - FIRST_CONTACT_WITHIN
    high = today + datetime.timedelta(days=FIRST_CONTACT_AHEAD) - FIRST_CONTACT_WITHIN
    rows = (Contract.objects.filter(first_contact_on__isnull=True, commissioned_on__gte=low, commissioned_on__lte=high)
            .exclude(state__in=NOT_LIVE)
            .values_list("pk", "reference", "commissioned_on", "deputy_lead_id"))
    admins = None
    for pk, reference, commissioned_on, deputy_id in rows:
        due_on = commissioned_on + FIRST_CONTACT_WITHIN
        kind = _window(due_on, today, FIRST_CONTACT_AHEAD)
        if not kind:
            continue
        if deputy_id:
            recipients = [deputy_id]
        else:
            admins = _rcgp_admins() if admins is None else admins
            recipients = admins
        title = f"{PREFIXES[kind]}: first contact on contract {reference}"
        link = reverse("contracts:detail", args=[reference])
        for recipient in recipients:
            yield Candidate(recipient, ReminderItem.FIRST_CONTACT, pk, kind, due_on, "contract", pk, title, "", link)


def referral_candidates(today):
    low = today - datetime.timedelta(days=OVERDUE_CATCH_UP)
    high = today + datetime.timedelta(days=ACKNOWLEDGEMENT_AHEAD)
    rows = list(Referral.objects.filter(acknowledged_on__isnull=True, acknowledgement_due__gte=low,
                                        acknowledgement_due__lte=high)
                .values_list("pk", "acknowledgement_due", "received_on", "commissioner_id", "commissioner__parent_id"))
    leads = _commissioner_users({c for row in rows for c in row[3:5] if c}, [Role.COMMISSIONER_LEAD])
    for pk, due_on, received_on, commissioner_id, parent_id in rows:
        kind = _window(due_on, today, ACKNOWLEDGEMENT_AHEAD)
        if not kind:
            continue
        title = f"{PREFIXES[kind]}: acknowledge a self-referral received on {date_text(received_on)}"
        link = reverse("referrals:detail", args=[pk])
        for recipient in dict.fromkeys(_of_commissioner(leads, commissioner_id, parent_id)):
            yield Candidate(recipient, ReminderItem.REFERRAL, pk, kind, due_on, "referral", pk, title, "", link)


def reinspection_candidates(today):
    # Published so that re-inspection (publication + 6 months) falls in the window; a few days' margin for
    # month arithmetic, then the exact due date decides.
    low = today - datetime.timedelta(days=OVERDUE_CATCH_UP + 3) - SPECIAL_MEASURES_REINSPECTION
    high = today + datetime.timedelta(days=REINSPECTION_AHEAD + 3) - SPECIAL_MEASURES_REINSPECTION
    later = Inspection.objects.rated().filter(practice=OuterRef("practice")).filter(
        Q(publication_date__gt=OuterRef("publication_date"))
        | Q(publication_date=OuterRef("publication_date"), inspection_date__gt=OuterRef("inspection_date")))
    rows = list(Inspection.objects.rated().filter(overall_rating=Rating.INADEQUATE, publication_date__gte=low,
                                                  publication_date__lte=high, practice__status="active")
                .exclude(Exists(later))
                .values_list("pk", "publication_date", "practice_id", "practice__ods_code",
                             "practice__commissioner_id", "practice__commissioner__parent_id"))
    users = _commissioner_users({c for row in rows for c in row[4:6] if c},
                                [Role.COMMISSIONER_LEAD, Role.COMMISSIONER_PEER_SUPPORT])
    admins = _rcgp_admins() if rows else []
    for pk, published_on, practice_id, ods_code, commissioner_id, parent_id in rows:
        due_on = published_on + SPECIAL_MEASURES_REINSPECTION
        kind = _window(due_on, today, REINSPECTION_AHEAD)
        if not kind:
            continue
        title = f"{PREFIXES[kind]}: special-measures re-inspection of practice {ods_code}"
        link = reverse("practices:detail", args=[ods_code])
        for recipient in dict.fromkeys([*_of_commissioner(users, commissioner_id, parent_id), *admins]):
            yield Candidate(recipient, ReminderItem.REINSPECTION, pk, kind, due_on, "practice", practice_id, title,
                            "", link)


# Weekly digest ---------------------------------------------------------------------------------------

def week_start(today):
    return today - datetime.timedelta(days=today.weekday())


def digest_for(user, today):
    """What a commissioner peer-support user should hear about this week, only from what they may see: the ids
    of the overdue actions, of the contracts whose plans have new Reds and of the contracts' state changes."""
    since = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time.min))
    overdue_milestone = Milestone.objects.filter(action=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)
    overdue = list(access.actions_for(user).exclude(rag_status=Rag.GREEN)
                   .exclude(plan__contract__state__in=ENDED_STATES)
                   .filter(Q(planned_completion__lt=today) | Exists(overdue_milestone))
                   .order_by("plan__contract__reference", "planned_completion", "pk").values_list("pk", flat=True)[:50])
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

_SCOPES = {
    "document": access.document_contracts_for,
    "contract": contract_access.contracts_for,
    "referral": contract_access.referrals_for,
    "practice": practice_access.practices_for,
}


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
        visible = _SCOPES[scope](user).filter(pk__in=ids).values_list("pk", flat=True)
        allowed |= {(recipient_id, scope, pk) for pk in visible}
    return [c for c in candidates if (c.recipient_id, c.scope, c.scope_id) in allowed], users


def collect(today, *, digest=False):
    """Every reminder due today, for everyone (before the access check)."""
    yield from plan_candidates(today)
    yield from first_contact_candidates(today)
    yield from referral_candidates(today)
    yield from reinspection_candidates(today)
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
