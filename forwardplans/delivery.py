"""Delivering what someone should hear of: a reminder or event becomes one SentReminder row (claimed once, so a
second sweep sends nothing twice) and one in-app notification; the e-mail sender (notifications.py) sends the rows
that need an e-mail. The deadline kinds (deadlines.py), events and job failures all deliver through here."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import transaction

from core.models import User
from core.session_cache import SessionCache

from .job_models import EmailStatus, Notification, SentReminder

# The header's count of each session's unread notifications (forwardplans.notifications.unread_count): forgotten
# for a person when one is delivered to them or they read one.
unread_counts = SessionCache("unread-notifications")


@dataclass(frozen=True)
class Candidate:
    """A reminder someone should get, if the access policy lets them see ``scope``/``scope_id``."""

    recipient_id: int
    item_type: str
    item_id: int
    kind: str
    due_on: datetime.date
    scope: str  # "document", "contract", "referral", "practice" or "self"
    scope_id: int
    title: str
    body: str
    link: str
    event_id: int | None = None  # an event's notification (forwardplans.events) is rendered from its event
    detail: dict | None = field(default=None, hash=False, compare=False)  # ids it is rendered from (a digest's)

    @property
    def key(self):
        return (self.recipient_id, self.item_type, self.item_id, self.kind, self.due_on)


def claim(candidates, users=None, *, email=True):
    """Insert the reminders (ON CONFLICT DO NOTHING) and create notifications for the ones this call inserted.
    Returns the SentReminder rows claimed now; reminders already sent by anyone are not among them."""
    candidates = list({c.key: c for c in candidates}.values())
    if not candidates:
        return []
    if users is None:
        users = User.objects.in_bulk({c.recipient_id for c in candidates})
    batch = uuid.uuid4()
    with transaction.atomic():
        SentReminder.objects.bulk_create([
            SentReminder(recipient_id=c.recipient_id, item_type=c.item_type, item_id=c.item_id, kind=c.kind,
                         due_on=c.due_on, batch=batch,
                         email_status=(EmailStatus.IN_APP if not email else EmailStatus.PENDING
                                       if users[c.recipient_id].email else EmailStatus.NO_ADDRESS))
            for c in candidates], ignore_conflicts=True, batch_size=1000)
        claimed = list(SentReminder.objects.filter(batch=batch))
        by_key = {c.key: c for c in candidates}
        Notification.objects.bulk_create([
            Notification(recipient_id=r.recipient_id, reminder=r, kind=r.kind, title=c.title[:300], body=c.body,
                         link=c.link, event_id=c.event_id, detail=c.detail or {})
            for r in claimed
            for c in [by_key[(r.recipient_id, r.item_type, r.item_id, r.kind, r.due_on)]]], batch_size=1000)
        unread_counts.forget(r.recipient_id for r in claimed)
    return claimed
