"""A per-person iCalendar feed of their deadlines, at a secret, revocable URL.

The URL carries a random 256-bit token; only its sha256 is stored, so the database never holds a working
URL. Regenerating replaces the token (the old URL stops working at once); revoking deletes it. The feed holds what
the deadline registry (forwardplans.deadlines) tells the person of, through the access policy: the same items
their reminders and home page show.

Calendar clients keep their own copies of every entry, beyond the reach of the access policy once consent is
withdrawn or a team changes: so an entry carries no confidential text at all, only what is due, the date, the
contract's reference (or the practice's public ODS code) and a link to the page that shows the rest.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from core.text import one_line

from . import deadlines
from .job_models import CalendarFeed

PAST_DAYS = 90
FUTURE_DAYS = 730
DOMAIN = "practice-resilience"
SEE_THE_PAGE = "Open the link in Practice Resilience to see the details."


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user):
    """A new secret feed token for ``user`` (replacing any earlier one). Shown once; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": hash_token(token),
                                                               "created_at": timezone.now(), "last_used_at": None})
    return token


def revoke(user):
    return CalendarFeed.objects.filter(user=user).delete()[0] > 0


def user_for_token(token):
    """The active user whose feed this token opens, or None."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user


def entries_for(user, today=None):
    """(uid, date, summary, description, path) for every deadline in the user's feed: what the deadline registry
    tells them of and they may see (forwardplans.deadlines), as their reminders and home page do."""
    today = today or timezone.localdate()
    for due in deadlines.due_for(user, today, since=today - datetime.timedelta(days=PAST_DAYS),
                                 until=today + datetime.timedelta(days=FUTURE_DAYS)):
        description = f"{due.kind.explains} {SEE_THE_PAGE}" if due.kind.explains else SEE_THE_PAGE
        yield due.uid, due.due_on, due.summary, description, due.link


def calendar_for(user, today=None):
    """The user's feed as iCalendar bytes (all-day events)."""
    cal = Calendar()
    cal.add("prodid", "-//Practice Resilience//Milestones and deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Practice Resilience")
    cal.add("x-wr-caldesc", "Milestones and deadlines you may see in Practice Resilience. Confidential.")
    stamp = timezone.now()
    for uid, day, summary, description, path in sorted(entries_for(user, today), key=lambda e: (e[1], e[0])):
        event = Event()
        event.add("uid", f"{uid}@{DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        event.add("summary", one_line(summary, 200))
        event.add("description", description)
        event.add("url", f"{settings.SITE_URL}{path}")
        event.add("class", "CONFIDENTIAL")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
