"""A per-person iCalendar feed of the milestones and deadlines they may see, at a secret, revocable URL.

The URL carries a random 256-bit token; only its sha256 is stored, so the database never holds a working
URL. Regenerating replaces the token (the old URL stops working at once); revoking deletes it. Everything in
the feed comes from the access policy, exactly as the pages do.

Calendar clients keep their own copies of every entry, beyond the reach of the access policy once consent is
withdrawn or a team changes: so an entry carries no confidential text at all, only what is due, the date, the
contract's reference (or the practice's public ODS code) and a link to the page that shows the rest.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from contracts import access as contract_access
from contracts.models import FIRST_CONTACT_WITHIN
from contracts.workflow import ENDED_STATES, State
from core.roles import COMMISSIONER_ROLES, RCGP_ROLES, Role
from core.text import one_line
from practices import access as practice_access
from practices.models import SPECIAL_MEASURES_REINSPECTION, Inspection
from practices.ratings import Rating

from . import access
from .job_models import CalendarFeed
from .models import Milestone
from .vocabulary import Rag

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
    """(uid, date, summary, description, path) for everything in the user's feed, from the access policy."""
    today = today or timezone.localdate()
    low, high = today - datetime.timedelta(days=PAST_DAYS), today + datetime.timedelta(days=FUTURE_DAYS)
    actions = access.actions_for(user).exclude(rag_status=Rag.GREEN).exclude(plan__contract__state__in=ENDED_STATES)
    for pk, due_on, action_id, reference in (
            Milestone.objects.filter(action__in=actions, done_on__isnull=True, due_on__gte=low, due_on__lte=high)
            .values_list("pk", "due_on", "action_id", "action__plan__contract__reference")):
        yield (f"milestone-{pk}", due_on, f"Milestone due (contract {reference})", SEE_THE_PAGE,
               reverse("forwardplans:action", args=[action_id]))
    for pk, due_on, reference in (
            actions.filter(planned_completion__gte=low, planned_completion__lte=high)
            .values_list("pk", "planned_completion", "plan__contract__reference")):
        yield (f"action-{pk}", due_on, f"Action due for completion (contract {reference})", SEE_THE_PAGE,
               reverse("forwardplans:action", args=[pk]))
    if user.role in RCGP_ROLES or user.is_superuser:
        contracts = contract_access.contracts_for(user).filter(first_contact_on__isnull=True).exclude(
            state__in=[*ENDED_STATES, State.ENQUIRY])
        for pk, reference, commissioned_on in contracts.values_list("pk", "reference", "commissioned_on"):
            due_on = commissioned_on + FIRST_CONTACT_WITHIN
            if low <= due_on <= high:
                yield (f"first-contact-{pk}", due_on, f"First contact due (contract {reference})",
                       f"RCGP makes first contact within one week of commissioning. {SEE_THE_PAGE}",
                       reverse("contracts:detail", args=[reference]))
    if user.role in (Role.COMMISSIONER_LEAD, Role.RCGP_ADMIN) or user.is_superuser:
        referrals = contract_access.referrals_for(user).filter(
            acknowledged_on__isnull=True, acknowledgement_due__gte=low, acknowledgement_due__lte=high)
        for pk, due_on in referrals.values_list("pk", "acknowledgement_due"):
            yield (f"referral-{pk}", due_on, "Acknowledge a self-referral",
                   f"Self-referrals are acknowledged within 10 working days of receipt. {SEE_THE_PAGE}",
                   reverse("referrals:detail", args=[pk]))
    yield from _reinspections(user, low, high)


def _reinspections(user, low, high):
    """Special-measures re-inspections of the practices the user follows: a commissioner's own practices, or
    the practices of contracts an RCGP user may see."""
    if user.role in COMMISSIONER_ROLES:
        practices = practice_access.practices_for(user)
    elif user.role in RCGP_ROLES or user.is_superuser:
        practices = practice_access.practices_for(user).filter(
            Q(pk__in=contract_access.contracts_for(user).values("practice"))
            | Q(pk__in=contract_access.contracts_for(user).values("practices")))
    else:
        return
    later = Inspection.objects.rated().filter(practice=OuterRef("practice"),
                                              publication_date__gt=OuterRef("publication_date"))
    published_low = low - SPECIAL_MEASURES_REINSPECTION - datetime.timedelta(days=3)
    published_high = high - SPECIAL_MEASURES_REINSPECTION + datetime.timedelta(days=3)
    for pk, published_on, ods_code in (
            Inspection.objects.rated().filter(practice__in=practices, overall_rating=Rating.INADEQUATE,
                                              publication_date__gte=published_low,
                                              publication_date__lte=published_high)
            .exclude(Exists(later)).values_list("pk", "publication_date", "practice__ods_code")):
        due_on = published_on + SPECIAL_MEASURES_REINSPECTION
        if low <= due_on <= high:
            yield (f"reinspection-{pk}", due_on, f"Special-measures re-inspection due (practice {ods_code})",
                   f"Re-inspection within six months of a rating of Inadequate. {SEE_THE_PAGE}",
                   reverse("practices:detail", args=[ods_code]))


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
