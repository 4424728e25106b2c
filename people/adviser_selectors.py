"""Reads of the RCGP adviser pool, for RCGP admin only (``administers(user, Organisation("rcgp"))``): anyone else
gets no records, and the pages answer 404 as for a missing one.

The pool page is one query for its page of advisers, whatever its size: each adviser's live contracts now (the teams
they are on of contracts in a live state, as capacity counts them) and current conflicts are subqueries, and
whether they are a deputy lead an EXISTS. Portable SQL: the demo runs on SQLite."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contracts.models import Adviser, ConflictOfInterest, TeamMembership
from contracts.services import current_conflict_q
from contracts.workflow import LIVE_STATES
from core.models import Membership
from core.roles import Role

from .access import administers, changes_for
from .adviser_services import RCGP, candidates
from .models import PeopleChange

AVAILABLE, UNAVAILABLE, NOT_TAKING_WORK = "available", "unavailable", "not_taking_work"
AVAILABILITY = [(AVAILABLE, "Available"), (UNAVAILABLE, "Unavailable until a date"),
                (NOT_TAKING_WORK, "Not taking work")]
POOL_ACTIONS = [PeopleChange.Action.ADVISER_UPDATED, PeopleChange.Action.CONFLICT_DECLARED,
                PeopleChange.Action.CONFLICT_ENDED]


def manages_pool(user):
    """Whether the user manages the adviser pool: RCGP admin (any of their memberships), or an operator."""
    return administers(user, RCGP)


def advisers_for(user):
    return Adviser.objects.all() if manages_pool(user) else Adviser.objects.none()


def candidates_for(user):
    """RCGP advisers and deputy leads not yet in the pool (none for anyone but RCGP admin)."""
    found = candidates()
    return found if manages_pool(user) else found.none()


def candidate_list(user):
    """The people the pool page offers to add, by name, with ``is_deputy_lead`` (one query)."""
    deputy = Membership.objects.filter(user=OuterRef("pk"), role=Role.RCGP_DEPUTY_LEAD)
    return (candidates_for(user).annotate(is_deputy_lead=Exists(deputy))
            .order_by("last_name", "first_name", "username", "pk"))


def get_adviser_or_404(user, pk):
    return get_object_or_404(advisers_for(user).select_related("user"), pk=pk)


def get_candidate_or_404(user, pk):
    return get_object_or_404(candidates_for(user), pk=pk)


def get_conflict_or_404(user, adviser, pk):
    return get_object_or_404(ConflictOfInterest.objects.filter(adviser__in=advisers_for(user), adviser=adviser)
                             .select_related("practice", "commissioner"), pk=pk)


def _availability_q(choice, today):
    back = Q(unavailable_until__isnull=True) | Q(unavailable_until__lte=today)
    return {AVAILABLE: Q(active=True) & back, UNAVAILABLE: Q(active=True, unavailable_until__gt=today),
            NOT_TAKING_WORK: Q(active=False)}.get(choice, Q())


def pool(user, *, profession="", region="", availability_choice="", today=None):
    """The pool's advisers and deputy leads, filtered, each annotated with ``live`` (live contracts now),
    ``conflicts_now`` (current conflicts of interest) and ``is_deputy_lead``; ordered by name."""
    today = today or timezone.localdate()
    live = (TeamMembership.objects.filter(adviser=OuterRef("pk"), removed_at__isnull=True,
                                          contract__state__in=LIVE_STATES)
            .order_by().values("adviser").annotate(n=Count("pk")).values("n")[:1])
    conflicts = (ConflictOfInterest.objects.filter(current_conflict_q(today), adviser=OuterRef("pk"))
                 .order_by().values("adviser").annotate(n=Count("pk")).values("n")[:1])
    deputy = Membership.objects.filter(user=OuterRef("user"), role=Role.RCGP_DEPUTY_LEAD)
    found = advisers_for(user).select_related("user")
    if profession:
        found = found.filter(profession=profession)
    if region:
        found = found.filter(region=region)
    found = found.filter(_availability_q(availability_choice, today))
    return found.annotate(
        live=Coalesce(Subquery(live, output_field=IntegerField()), Value(0)),
        conflicts_now=Coalesce(Subquery(conflicts, output_field=IntegerField()), Value(0)),
        is_deputy_lead=Exists(deputy),
    ).order_by("user__last_name", "user__first_name", "user__username", "pk")


def regions(user):
    """The regions the pool's members work in, for the filter (one query)."""
    return sorted(set(advisers_for(user).order_by().values_list("region", flat=True).distinct()) - {""})


def conflicts_of(adviser, today=None):
    """The adviser's conflicts of interest, current first then ended, each with ``current`` set (one query)."""
    today = today or timezone.localdate()
    rows = list(adviser.conflicts.select_related("practice", "commissioner").order_by("-declared_on", "-pk"))
    for row in rows:
        row.current = row.ended_on is None or row.ended_on > today
    return sorted(rows, key=lambda row: not row.current)


def changes_of(user, adviser):
    """The people log's entries about this adviser's place in the pool (changes and refused attempts)."""
    return (changes_for(user).filter(subject=adviser.user, action__in=POOL_ACTIONS)
            .select_related("actor").order_by("-at", "-pk")[:50])
