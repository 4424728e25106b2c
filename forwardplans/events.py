"""Event notifications: telling people that something happened on a case, without copying what it is about.

The reminder sweep (forwardplans.reminders) tells people what is due; this path tells them what has happened; both
are shown by ``present``, which renders each notification when it is read. An
app declares its kinds of event once (``register``); ``notify`` records the Event (its kind, the contract it is
about, who acted and facts without free text) and gives each recipient a notification and, where they have an
address, an e-mail sent by the worker. Recipients are narrowed by the access policy first, so nobody is told
about what they may not see.

Nothing confidential is stored with a notification: it keeps a neutral title (the kind of event and the contract
reference, never a report's or plan's text) for its e-mail, and the notifications page renders it from the event
when it is read (``present``), through the access policy again: a reader who may no longer see the contract, or
its documents, sees that there was a notification and nothing more.
"""

from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils import timezone

from contracts import access as contract_access
from contracts.models import Contract
from core.relations import concern_receivers

from . import access, outbox, reminder_texts
from .delivery import Candidate, claim
from .job_models import EmailStatus, Event, ReminderItem, ReminderKind
from .reminders import visible_only

HIDDEN_TITLE = "A notification about something you can no longer see"

# Who may read a notification now, as contract ids the user may see in that way.
READ_SCOPES = {
    "contract": lambda user, ids: contract_access.contracts_for(user).filter(pk__in=ids).values_list("pk", flat=True),
    "documents": lambda user, ids: access.document_contracts_for(user).filter(pk__in=ids).values_list("pk", flat=True),
    "report": lambda user, ids: access.reports_for(user).filter(contract_id__in=ids).values_list("contract_id",
                                                                                                 flat=True),
    "consent": lambda user, ids: access.document_contracts_for(user).filter(pk__in=ids, consent__isnull=False)
    .values_list("pk", flat=True),
}
# A concern under the duty to report (docs/domain.md §9) is read by its receivers whatever consent says.
READ_SCOPES["concern"] = READ_SCOPES["concerns"] = (
    lambda user, ids: concern_receivers.filter(user, Contract.objects.filter(pk__in=ids)).values_list("pk", flat=True))
# The reminder sweep's name for the same scope, used to narrow the recipients (reminders.visible_only).
RECIPIENT_SCOPES = {"contract": "contract", "documents": "document", "concern": "concern"}
LINKS = {"contract": "contracts:detail", "report": "forwardplans:report", "consent": "forwardplans:consent",
         "concerns": "concerns:for_contract"}


@dataclass(frozen=True)
class EventKind:
    """A kind of event: its neutral title (``{reference}``: the contract's), who may read it (``scope``), where it
    leads (``link``: the contract page when its reader cannot open that now) and, optionally, ``describe``: a line
    from the event's facts for the notifications page (never document text)."""

    name: str
    title: str
    scope: str = "contract"
    link: str = "contract"
    describe: object = None

    def title_for(self, contract):
        return self.title.format(reference=contract.reference)


KINDS = {}


def register(kind):
    if kind.scope not in RECIPIENT_SCOPES or kind.link not in LINKS:
        raise ValueError(f"event kind {kind.name}: unknown scope or link")
    KINDS[kind.name] = kind
    return kind


def _link(where, contract):
    return reverse(LINKS[where], args=[contract.reference])


def notify(*, kind, contract, actor, recipient_ids, detail=None):
    """Record an event on ``contract`` and tell ``recipient_ids`` (not the actor) who may see it. The e-mails go
    through the outbox once the transaction commits. Returns (event, reminder rows claimed)."""
    spec = KINDS[kind]
    event = Event.objects.create(kind=kind, contract=contract, actor=actor, detail=detail or {})
    today, title, link = timezone.localdate(), spec.title_for(contract), _link(spec.link, contract)
    candidates = [Candidate(recipient, ReminderItem.EVENT, event.pk, ReminderKind.EVENT, today,
                            RECIPIENT_SCOPES[spec.scope], contract.pk, title, "", link, event_id=event.pk)
                  for recipient in dict.fromkeys(recipient_ids) if actor is None or recipient != actor.pk]
    candidates, users = visible_only(candidates)
    if spec.link != "contract":  # the e-mail's link: the contract page for someone who cannot open the other now
        readers = {r for r in {c.recipient_id for c in candidates}
                   if contract.pk in set(READ_SCOPES[spec.link](users[r], [contract.pk]))}
        candidates = [c if c.recipient_id in readers else replace(c, link=_link("contract", contract))
                      for c in candidates]
    claimed = claim(candidates, users)
    pending = [row.pk for row in claimed if row.email_status == EmailStatus.PENDING]
    if pending:
        outbox.enqueue("forwardplans.tasks.send_reminder_emails", pending)
    return event, claimed


def present(notifications, user):
    """Set ``shown_title``, ``shown_body`` and ``shown_link`` on each notification, rendered now from its event or
    the item its reminder is about, and from what ``user`` may see now (one query per scope or kind of item in
    use); a failed job's, told to RCGP admins only, as stored."""
    items = list(notifications)
    reminders = reminder_texts.render(items, user)
    events = [n.event for n in items if n.event_id]
    ids = {event.contract_id for event in events}
    kinds = [KINDS[event.kind] for event in events if event.kind in KINDS]
    visible = {scope: set(READ_SCOPES[scope](user, ids)) if ids else set()
               for scope in {k.scope for k in kinds} | {k.link for k in kinds}}
    for n in items:
        if n.pk in reminders:
            n.shown_title, n.shown_body, n.shown_link = reminders[n.pk] or (HIDDEN_TITLE, "", "")
            continue
        if not n.event_id:
            n.shown_title, n.shown_body, n.shown_link = n.title, n.body, n.link
            continue
        event, spec = n.event, KINDS.get(n.event.kind)
        if spec is None or event.contract_id not in visible[spec.scope]:
            n.shown_title, n.shown_body, n.shown_link = HIDDEN_TITLE, "", ""
            continue
        where = spec.link if event.contract_id in visible[spec.link] else "contract"
        n.shown_title = spec.title_for(event.contract)
        n.shown_body = spec.describe(event) if spec.describe else ""
        n.shown_link = _link(where, event.contract)
    return items
