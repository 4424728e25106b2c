"""Every kind of deadline, declared once: what can be due, when it is due, and who should hear of it.

The reminder sweep and the weekly digest (reminders.py), the calendar feed (ical.py) and the home pages' "what
needs me" (dashboards) all read from ``KINDS``, so they always show the same items to the same people. Adding a
kind is one ``Deadline`` below, or, for an app above this one, one ``Deadline`` it ``register``s when it starts (and
a renderer in reminder_texts.RENDERERS for its notifications).

A declaration says:
- ``items``: what can be due at all (open items of live cases), read with one query per kind;
- ``basis`` and ``after``: the date it is due (``basis`` + ``after``), and ``notice``: how long ahead people are
  told (``None``: a week ahead, then the day before);
- ``audience``: who should hear of it, as rules about the item (the person a field names, the commissioner's
  staff of some roles, RCGP admins), some only once it is overdue;
- ``scope``: what the access policy is asked about, so nobody hears of anything they may not see.

Each audience rule is answered two ways from the same declaration: for many items at once (the sweep: one query
per rule, never per item) and for one person (their pages and feed: a condition in the one query that reads
everything due for them). tests/test_deadlines.py holds the two to the same answer.

Who hears of what (today = T):
- milestones and actions' planned completion: the action's lead (``lead_user``), or, when the action names its
  lead only in words, the practice lead(s) of the contract's practice; once overdue also the contract's deputy
  lead and the commissioner's peer support team (the access policy: only while the practice consents to share);
- first contact (a week after commissioning): the contract's deputy lead, or every RCGP admin while it has none;
- referral acknowledgement (10 working days): the commissioner leads of the referral's commissioner (or its ICB)
  and the RCGP admins: the people who may record the acknowledgement;
- special-measures re-inspection (the current special-measures episode's re-inspection date, extended or
  corrected: practices.models.SpecialMeasuresEpisode): the commissioner's leads and peer support team and the
  RCGP admins;
- the end of a live contract's agreement (``mou_ends_on``): the deputy lead (or the RCGP admins while there is
  none) and the commissioner leads, who decide together on a follow-on, a month ahead.
- a concern under the duty to report (the next working day after it is raised): the commissioner leads of the
  contract's commissioner (or its ICB) from the day it is raised; once overdue also the RCGP admins (the
  escalation), whatever the practice has agreed to share.
"""

import dataclasses
import datetime
import functools
import operator
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.text import Truncator

from contracts import access as contract_access
from contracts.models import FIRST_CONTACT_WITHIN, Contract, Referral
from contracts.workflow import ENDED_STATES, LIVE_STATES, State
from core.models import User
from core.relations import concern_receivers
from core.roles import Role
from practices import access as practice_access
from practices.models import Practice, SpecialMeasuresEpisode

from . import access
from .job_models import ReminderItem, ReminderKind
from .models import Action, Milestone
from .vocabulary import Rag

OVERDUE_CATCH_UP = 14  # the sweep looks back this far, so one that did not run for a while catches up
PAGES_LOOK_BACK = 90  # home pages and the calendar keep showing what is overdue for this long
WEEK_AHEAD, DAY_AHEAD = 7, 1
DAY = datetime.timedelta(days=1)
NOT_LIVE = [*ENDED_STATES, State.ENQUIRY]
# The reminder item of the contract-end kind (SentReminder.item_type).
CONTRACT_END = ReminderItem.CONTRACT_END

# What the access policy is asked about, by name (a candidate reminder carries the name).
SCOPES = {
    "document": access.document_contracts_for,
    "contract": contract_access.contracts_for,
    "referral": contract_access.referrals_for,
    "practice": practice_access.practices_for,
    # The contracts whose concerns under the duty to report the user receives, whatever consent says.
    "concern": lambda user: concern_receivers.filter(user, Contract.objects.all()),
}

# Wording ----------------------------------------------------------------------------------------------------

PREFIXES = {ReminderKind.OVERDUE: "Overdue", ReminderKind.DAY_BEFORE: "Due tomorrow",
            ReminderKind.WEEK_BEFORE: "Due within a week", ReminderKind.DUE_SOON: "Due soon"}


def prefix(kind, due_on, today):
    """How a reminder's title begins (``today``: the day it was sent)."""
    if kind == ReminderKind.DAY_BEFORE and due_on == today:
        return "Due today"
    return PREFIXES[kind]


def date_text(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def when_text(kind, due_on, today):
    if kind == ReminderKind.OVERDUE:
        days = (today - due_on).days
        return f"was due on {date_text(due_on)} ({days} day{'s' if days != 1 else ''} ago)"
    if due_on == today:
        return "is due today"
    if due_on == today + DAY:
        return f"is due tomorrow, {date_text(due_on)}"
    return f"is due on {date_text(due_on)}"


# Who should hear: audience rules --------------------------------------------------------------------------------
#
# Each rule answers ``for_rows`` (the sweep: recipients of many items, one query at most) and ``condition`` (one
# person: a Q on the items, or None when the rule can never name them). Both read the same fields, so they agree.

_ALWAYS = Q(pk__isnull=False)


@dataclass(frozen=True)
class Named:
    """The person a field of the item names: an action's lead, a contract's deputy lead."""

    field: str
    overdue_only: bool = False

    @property
    def fields(self):
        return (self.field,)

    def for_rows(self, rows, cache):
        return [[row[self.field]] if row[self.field] else [] for row in rows]

    def condition(self, user):
        return Q(**{self.field: user.pk})


@dataclass(frozen=True)
class RcgpAdmins:
    """Every active RCGP admin; with ``unless``, only while that field of the item is empty."""

    unless: str | None = None
    overdue_only: bool = False

    @property
    def fields(self):
        return (self.unless,) if self.unless else ()

    def for_rows(self, rows, cache):
        if "admins" not in cache and rows:
            cache["admins"] = list(User.objects.filter(is_active=True, role=Role.RCGP_ADMIN)
                                   .values_list("pk", flat=True))
        return [[] if self.unless and row[self.unless] else cache["admins"] for row in rows]

    def condition(self, user):
        if user.role != Role.RCGP_ADMIN:
            return None
        return Q(**{f"{self.unless}__isnull": True}) if self.unless else _ALWAYS


@dataclass(frozen=True)
class CommissionerStaff:
    """Active users of ``roles`` at the item's commissioner or at its ICB (the access policy lets both see it);
    with ``unless``, only while the item's ``unless`` field names no one (a follow-up nobody owns)."""

    path: str  # from the item to its commissioner
    roles: tuple
    overdue_only: bool = False
    unless: str | None = None

    @property
    def fields(self):
        return (self.path, f"{self.path}__parent", *([self.unless] if self.unless else []))

    def for_rows(self, rows, cache):
        rows = [None if self.unless and row[self.unless] else row for row in rows]
        wanted = {c for row in rows if row for c in (row[self.path], row[f"{self.path}__parent"]) if c}
        found = defaultdict(list)
        if wanted:
            for pk, commissioner_id in User.objects.filter(is_active=True, role__in=self.roles,
                                                           commissioner_id__in=wanted).values_list(
                    "pk", "commissioner_id"):
                found[commissioner_id].append(pk)
        return [found.get(row[self.path], []) + found.get(row[f"{self.path}__parent"], []) if row else []
                for row in rows]

    def condition(self, user):
        if user.role not in self.roles or not user.commissioner_id:
            return None
        here = Q(**{self.path: user.commissioner_id}) | Q(**{f"{self.path}__parent": user.commissioner_id})
        return here & Q(**{f"{self.unless}__isnull": True}) if self.unless else here


@dataclass(frozen=True)
class PracticeLeads:
    """The practice leads of the item's practice (``path``), while the item's ``unless`` field names no one: an
    action whose lead is written only in words still reaches the people who answer for the practice's plan. Only
    the contract's own practice (not the other practices of a group)."""

    path: str  # from the item to the contract's practice
    unless: str  # the field naming a person (an action's lead_user)
    overdue_only: bool = False

    @property
    def fields(self):
        return (self.path, self.unless)

    def for_rows(self, rows, cache):
        wanted = {row[self.path] for row in rows if not row[self.unless]}
        found = defaultdict(list)
        if wanted:
            for pk, practice_id in User.objects.filter(is_active=True, role=Role.PRACTICE_LEAD,
                                                       practice_id__in=wanted).values_list("pk", "practice_id"):
                found[practice_id].append(pk)
        return [[] if row[self.unless] else found.get(row[self.path], []) for row in rows]

    def condition(self, user):
        if user.role != Role.PRACTICE_LEAD or not user.practice_id:
            return None
        return Q(**{f"{self.unless}__isnull": True, self.path: user.practice_id})


# The registry ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    """One item due, as someone's page or feed shows it: neutral words, the date and a link."""

    kind: "Deadline"
    item_id: int
    due_on: datetime.date
    reference: str
    target: str  # the link's argument (an action's id for both plan kinds)
    action: str = ""  # the action a plan item belongs to, in its own words, once named (named())

    @property
    def item_type(self):
        return self.kind.item_type

    @property
    def uid(self):
        return f"{self.kind.item_type.replace('_', '-')}-{self.item_id}"

    @property
    def summary(self):
        return self.kind.summary.format(reference=self.reference)

    @property
    def text(self):
        """What a page shows of it: the summary, with the action named when it is known."""
        if self.action and self.kind.named_summary:
            return self.kind.named_summary.format(reference=self.reference, action=self.action)
        return self.summary

    @property
    def link(self):
        return reverse(self.kind.link[0], args=[self.target])

    def status(self, today):
        if self.due_on < today:
            return "Overdue"
        if self.due_on == today:
            return "Due today"
        if self.due_on == today + DAY:
            return "Due tomorrow"
        return "Due soon"


@dataclass(frozen=True)
class Deadline:
    item_type: str
    items: Callable  # () -> queryset of what can be due
    basis: str  # the date field the due date is counted from
    scope: str  # a key of SCOPES
    scope_path: str  # from the item to the object the access policy is asked about ("pk": the item itself)
    reference: str | None  # a neutral name for it (a contract's reference, a practice's ODS code)
    link: tuple  # (url name, field giving its argument)
    audience: tuple
    title: Callable  # (row) -> the neutral words of a reminder's title after its prefix
    summary: str  # the calendar's and home pages' words, "{reference}" filled in
    after: datetime.timedelta | relativedelta = datetime.timedelta(0)
    notice: int | None = None  # days of "due soon"; None: a week ahead, then the day before
    explains: str = ""  # why it is due, for the calendar entry
    extra: tuple = ()  # more fields the title reads
    named_summary: str = ""  # a page's words once the action is named ("{action}", "{reference}")
    # Only live contracts' items are ever due (``items`` says so too): the contracts the access policy is asked about
    # are narrowed to live ones as well, so that a person's query reads their live contracts, not every contract
    # they have ever seen (which grows with the years).
    live_only: bool = False

    def __post_init__(self):
        # "Overdue" is asked of the database as basis < today - after: exact only for a whole number of days.
        if isinstance(self.after, relativedelta) and any(rule.overdue_only for rule in self.audience):
            raise ValueError(f"{self.item_type}: a rule for the overdue only needs a due date counted in days")

    @property
    def ahead(self):
        """The furthest ahead anyone is told of it."""
        return self.notice if self.notice is not None else WEEK_AHEAD

    def due_on(self, basis):
        return basis + self.after

    def stage(self, due_on, today):
        """The reminder kind for an item due on ``due_on`` (None: nothing to say today)."""
        if due_on < today:
            return ReminderKind.OVERDUE if due_on >= today - datetime.timedelta(days=OVERDUE_CATCH_UP) else None
        if self.notice is None:
            if due_on <= today + datetime.timedelta(days=DAY_AHEAD):
                return ReminderKind.DAY_BEFORE
            if due_on <= today + datetime.timedelta(days=WEEK_AHEAD):
                return ReminderKind.WEEK_BEFORE
            return None
        return ReminderKind.DUE_SOON if due_on <= today + datetime.timedelta(days=self.notice) else None

    def _within(self, since, until):
        """The items whose due date may fall in [since, until] (None: open), by an index-backed range on the basis
        date; a few days' margin for month arithmetic, then the exact due date decides."""
        margin = datetime.timedelta(days=3 if isinstance(self.after, relativedelta) else 0)
        bounds = {}
        if since is not None:
            bounds[f"{self.basis}__gte"] = since - self.after - margin
        if until is not None:
            bounds[f"{self.basis}__lte"] = until - self.after + margin
        return self.items().filter(**bounds)

    def _scope_id(self):
        return "pk" if self.scope_path == "pk" else self.scope_path

    def find(self, since, until):
        """Everything due in [since, until], with what its audience and reminder need (one query)."""
        fields = dict.fromkeys(f for rule in self.audience for f in rule.fields)
        rows = self._within(since, until).order_by().values(
            "pk", *fields, *self.extra, dl_basis=F(self.basis), dl_scope=F(self._scope_id()),
            dl_ref=F(self.reference) if self.reference else Value("", output_field=CharField()),
            dl_target=F(self.link[1]))
        found = []
        for row in rows:
            row["due_on"] = self.due_on(row["dl_basis"])
            if since <= row["due_on"] <= until:
                found.append(row)
        return found

    def recipients(self, rows, today, cache):
        """[[user ids]] for ``rows`` (before the access check): one query per rule at most."""
        found = [[] for _ in rows]
        for rule in self.audience:
            picked = [i for i, row in enumerate(rows) if not rule.overdue_only or row["due_on"] < today]
            for i, users in zip(picked, rule.for_rows([rows[i] for i in picked], cache), strict=True):
                found[i] += users
        return [list(dict.fromkeys(u for u in users if u)) for users in found]

    def for_person(self, user, today, since, until):
        """The query of what is due in [since, until] that ``user`` should hear of and may see, as uniform
        columns (None: nothing of this kind can ever be theirs)."""
        conditions = []
        for rule in self.audience:
            condition = rule.condition(user)
            if condition is None:
                continue
            if rule.overdue_only:
                condition &= Q(**{f"{self.basis}__lt": today - self.after})
            conditions.append(condition)
        if not conditions:
            return None
        scope = SCOPES[self.scope](user)
        if self.live_only:
            scope = scope.filter(state__in=LIVE_STATES)
        return (self._within(since, until).filter(functools.reduce(operator.or_, conditions))
                .filter(**{f"{self.scope_path}__in": scope})
                .annotate(dl_type=Value(self.item_type, output_field=CharField()), dl_id=F("pk"),
                          dl_basis=F(self.basis),
                          dl_ref=(Cast(self.reference, CharField()) if self.reference
                                  else Value("", output_field=CharField())),
                          dl_target=Cast(self.link[1], CharField()))
                .order_by().values_list("dl_type", "dl_id", "dl_basis", "dl_ref", "dl_target"))


def _open_plan_items(model, contract):
    return lambda: model.objects.exclude(**{f"{contract}__state__in": NOT_LIVE})


def _plan_audience(contract):
    """The action's lead (or, with none named, the practice's leads); once overdue, the contract's deputy lead and
    the commissioner's peer support team."""
    lead = "action__lead_user" if contract.startswith("action__") else "lead_user"
    return (Named(lead), PracticeLeads(f"{contract}__practice", unless=lead),
            Named(f"{contract}__deputy_lead", overdue_only=True),
            CommissionerStaff(f"{contract}__commissioner", (Role.COMMISSIONER_PEER_SUPPORT,), overdue_only=True))


def _in_special_measures():
    """The current special-measures episodes of active practices, each with the re-inspection date that applies
    (``sm_due``: the extended date once CQC extended it). A correction by hand moves it; the end of the episode
    (a re-inspection, cancellation or closure) ends it."""
    return (SpecialMeasuresEpisode.objects.current().filter(practice__status=Practice.Status.ACTIVE)
            .annotate(sm_due=Coalesce("extended_to", "reinspection_due")).filter(sm_due__isnull=False))


MILESTONE = Deadline(
    item_type=ReminderItem.MILESTONE,
    items=lambda: Milestone.objects.filter(done_on__isnull=True).exclude(action__rag_status=Rag.GREEN).exclude(
        action__plan__contract__state__in=NOT_LIVE),
    basis="due_on", scope="document", scope_path="action__plan__contract", live_only=True,
    reference="action__plan__contract__reference", link=("forwardplans:action", "action_id"),
    audience=_plan_audience("action__plan__contract"),
    title=lambda row: f"a milestone on contract {row['dl_ref']}",
    summary="Milestone due (contract {reference})",
    named_summary="Milestone due on “{action}” (contract {reference})")

ACTION = Deadline(
    item_type=ReminderItem.ACTION,
    items=lambda: Action.objects.exclude(rag_status=Rag.GREEN).exclude(plan__contract__state__in=NOT_LIVE),
    basis="planned_completion", scope="document", scope_path="plan__contract", live_only=True,
    reference="plan__contract__reference", link=("forwardplans:action", "pk"),
    audience=_plan_audience("plan__contract"),
    title=lambda row: f"an action's planned completion on contract {row['dl_ref']}",
    summary="Action due for completion (contract {reference})",
    named_summary="“{action}” due for completion (contract {reference})")

FIRST_CONTACT = Deadline(
    item_type=ReminderItem.FIRST_CONTACT,
    items=lambda: Contract.objects.filter(first_contact_on__isnull=True).exclude(state__in=NOT_LIVE),
    basis="commissioned_on", after=FIRST_CONTACT_WITHIN, notice=2, scope="contract", scope_path="pk",
    live_only=True,
    reference="reference", link=("contracts:detail", "reference"),
    audience=(Named("deputy_lead"), RcgpAdmins(unless="deputy_lead")),
    title=lambda row: f"first contact on contract {row['dl_ref']}",
    summary="First contact due (contract {reference})",
    explains="RCGP makes first contact within one week of commissioning.")

REFERRAL = Deadline(
    item_type=ReminderItem.REFERRAL,
    items=lambda: Referral.objects.filter(acknowledged_on__isnull=True),
    basis="acknowledgement_due", notice=3, scope="referral", scope_path="pk", reference=None,
    link=("referrals:detail", "pk"),
    audience=(CommissionerStaff("commissioner", (Role.COMMISSIONER_LEAD,)), RcgpAdmins()),
    title=lambda row: f"acknowledge a self-referral received on {date_text(row['received_on'])}",
    extra=("received_on",),
    summary="Acknowledge a self-referral",
    explains="Self-referrals are acknowledged within 10 working days of receipt.")

# Keyed by the episode (ReminderItem.EPISODE_REINSPECTION), so its ids never meet the inspection ids of the
# reminders sent before episodes (ReminderItem.REINSPECTION, still rendered by reminder_texts.py). A new due date
# (an extension, a correction) is a new reminder: SentReminder's key holds the date.
REINSPECTION = Deadline(
    item_type=ReminderItem.EPISODE_REINSPECTION,
    items=_in_special_measures,
    basis="sm_due", notice=30, scope="practice",
    scope_path="practice", reference="practice__ods_code", link=("practices:detail", "practice__ods_code"),
    audience=(CommissionerStaff("practice__commissioner", (Role.COMMISSIONER_LEAD, Role.COMMISSIONER_PEER_SUPPORT)),
              RcgpAdmins()),
    title=lambda row: f"special-measures re-inspection of practice {row['dl_ref']}",
    summary="Special-measures re-inspection due (practice {reference})",
    explains="CQC re-inspects a practice in special measures within six months (or by the date it extended to).")

CONTRACT_ENDING = Deadline(
    item_type=CONTRACT_END,
    items=lambda: Contract.objects.filter(mou_ends_on__isnull=False).exclude(state__in=NOT_LIVE),
    basis="mou_ends_on", notice=30, scope="contract", scope_path="pk", live_only=True,
    reference="reference", link=("contracts:detail", "reference"),
    audience=(Named("deputy_lead"), RcgpAdmins(unless="deputy_lead"),
              CommissionerStaff("commissioner", (Role.COMMISSIONER_LEAD,))),
    title=lambda row: f"the agreement for contract {row['dl_ref']} ends",
    summary="Agreement ends (contract {reference})",
    explains="The support agreement ends: a follow-on, an extension or the close of the contract is decided.")

# A concern under the duty to report (docs/domain.md §9) is acknowledged by the end of the next working day in
# England (``acknowledgement_due``, counted when it is raised); unacknowledged after that, it goes to RCGP admin.
# The concerns app sits above this registry, so its model is named by label (docs/architecture.md).
CONCERN = Deadline(
    item_type=ReminderItem.CONCERN,
    items=lambda: apps.get_model("concerns", "Concern").objects.filter(acknowledged_at__isnull=True,
                                                                         closed_at__isnull=True),
    basis="acknowledgement_due", notice=1, scope="concern", scope_path="contract",
    reference="contract__reference", link=("concerns:detail", "pk"),
    audience=(CommissionerStaff("contract__commissioner", (Role.COMMISSIONER_LEAD,)),
              RcgpAdmins(overdue_only=True)),
    title=lambda row: f"acknowledge a concern reported on contract {row['dl_ref']}",
    summary="Acknowledge a reported concern (contract {reference})",
    explains="A concern under the duty to report is acknowledged by the end of the next working day; after that "
             "it goes to RCGP admin.")

# A list, so that apps above this one add their kinds when they start (``register``): every reader sees them.
KINDS = [MILESTONE, ACTION, FIRST_CONTACT, REFERRAL, REINSPECTION, CONTRACT_ENDING, CONCERN]
PLAN_KINDS = (MILESTONE, ACTION)
BY_TYPE = {kind.item_type: kind for kind in KINDS}


def register(kind, *, scope=None):
    """Add a kind of deadline declared by an app above this one (from its ``AppConfig.ready``), with, if it is
    new, the access scope its items are checked against (``scope``: (name, user -> queryset))."""
    if kind.item_type in BY_TYPE:
        if BY_TYPE[kind.item_type] is not kind:
            raise ValueError(f"deadline kind {kind.item_type} is declared twice")
        return kind
    if scope is not None:
        SCOPES.setdefault(scope[0], scope[1])
    if kind.scope not in SCOPES:
        raise ValueError(f"deadline kind {kind.item_type}: unknown scope {kind.scope}")
    if kind.ahead > PAGES_LOOK_AHEAD:
        raise ValueError(f"deadline kind {kind.item_type}: notice beyond the pages' {PAGES_LOOK_AHEAD} days")
    KINDS.append(kind)
    BY_TYPE[kind.item_type] = kind
    return kind


# Readers --------------------------------------------------------------------------------------------------------

def reminders_due(today, kinds=KINDS):
    """(deadline, row, reminder kind, recipient ids) for every reminder due today, for everyone, before the access
    check: one query per kind, and one per audience rule that needs people looked up."""
    cache = {}
    for kind in kinds:
        rows = [row for row in kind.find(today - datetime.timedelta(days=OVERDUE_CATCH_UP),
                                          today + datetime.timedelta(days=kind.ahead))
                if kind.stage(row["due_on"], today)]
        for row, recipients in zip(rows, kind.recipients(rows, today, cache), strict=True):
            yield kind, row, kind.stage(row["due_on"], today), recipients


def due_for(user, today, *, since, until=None, kinds=KINDS):
    """What ``user`` should hear of and may see, due in [since, until] (``since`` None: however long overdue;
    ``until`` None: as far ahead as each kind's reminders look), soonest first. One query for every kind."""
    parts = []
    for kind in kinds:
        end = until if until is not None else today + datetime.timedelta(days=kind.ahead)
        part = kind.for_person(user, today, since, end)
        if part is not None:
            parts.append((kind, end, part))
    if not parts:
        return []
    query = parts[0][2].union(*(part for _kind, _end, part in parts[1:]), all=True) if len(parts) > 1 else parts[0][2]
    ends = {kind.item_type: (kind, end) for kind, end, _part in parts}
    found = []
    for item_type, pk, basis, reference, target in query:
        kind, end = ends[item_type]
        due_on = kind.due_on(basis)
        if (since is None or since <= due_on) and due_on <= end:
            found.append(Due(kind, pk, due_on, reference, target))
    order = {kind.item_type: i for i, kind in enumerate(KINDS)}
    return sorted(found, key=lambda d: (d.due_on, order[d.item_type], d.item_id))


# A page shows every kind of deadline over one window: as far ahead as the longest notice any kind's reminders
# give, so nothing a reminder has told someone of is missing from their page, whatever its kind.
PAGES_LOOK_AHEAD = max(kind.ahead for kind in KINDS)


def needs_me(user, today):
    """The home pages' "what needs me": everything due for the user in the next PAGES_LOOK_AHEAD days (one window
    for every kind: so everything each kind's reminders would tell them now), and what is still overdue from the
    last PAGES_LOOK_BACK days."""
    return due_for(user, today, since=today - datetime.timedelta(days=PAGES_LOOK_BACK),
                   until=today + datetime.timedelta(days=PAGES_LOOK_AHEAD))


def named(user, items):
    """``items`` with each plan item's action named (``Due.action``), for pages: the actions are read through the
    access policy like any other read of them (so the read is logged). One query; reminders and the calendar keep
    their neutral words."""
    ids = {int(d.target) for d in items if d.kind in PLAN_KINDS}
    if not ids:
        return items
    names = {action.pk: Truncator(action.action_planned).chars(80)
             for action in access.actions_for(user).filter(pk__in=ids).only("pk", "action_planned")}
    return [dataclasses.replace(d, action=names.get(int(d.target), "")) if d.kind in PLAN_KINDS else d
            for d in items]
