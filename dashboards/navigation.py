"""Header navigation: the links a signed-in user's role uses."""

from django.urls import reverse

from concerns.access import receives_concerns
from core.roles import (
    COMMISSIONER_ROLES,
    PRACTICE_ROLES,
    Role,
    is_commissioner_lead,
    is_deputy_lead,
    is_rcgp_admin,
    sees_programme_figures,
)
from evaluation.access import may_see_counts as reads_evaluation
from events.access import may_see_events
from finance.access import may_see_adviser_load
from forwardplans.notifications import unread_count
from people.access import is_people_admin
from returns.access import regions_for as returns_regions_for
from surveillance.access import reads_runs

from .risk_register import reads_register

# An NHSE regional team reads its region's referrals and decides on them (contracts/access.py).
REFERRAL_ROLES = COMMISSIONER_ROLES | PRACTICE_ROLES | {Role.RCGP_ADMIN, Role.NHSE_REGIONAL}


# What the links depend on: the person's role, whether an organisation and a region are named, the people-admin
# flag, per membership they hold (``personas``); and whether they are active, a superuser or staff. Every rule the
# links follow reads only these, with no query; a rule that reads anything else must add it here
# (tests/dashboards/test_navigation.py compares the links of people of one kind).
def _kind_of(user):
    personas = tuple((p.role, bool(p.commissioner_id), bool(p.practice_id), bool(p.region), p.manages_people)
                     for p in user.personas())
    return (user.is_active, user.is_superuser, user.is_staff, personas)


_links_of_kind = {}


def links_of(user):
    """The header's links (text, href) for ``user`` by the access rules, but for the notifications link."""
    items = [("Practices", reverse("practices:list")), ("Contracts", reverse("contracts:list"))]
    if user.role in REFERRAL_ROLES or user.is_superuser:
        items.append(("Referrals", reverse("referrals:list")))
    if reads_register(user):  # the risk register: commissioner staff and RCGP admin (dashboards/risk_register.py)
        items.append(("Risk register", reverse("dashboards:risk_register")))
    # Enquiries of every source: those who record them (practices find theirs on the practice page).
    if (is_rcgp_admin | is_deputy_lead | is_commissioner_lead).test(user):
        items.append(("Enquiries", reverse("contracts:offers")))
    if may_see_adviser_load(user):  # deputy leads and RCGP admin: days funded and used across live contracts
        items.append(("Adviser load", reverse("finance:advisers")))
    if receives_concerns(user):  # no count: the header costs no query for it
        items.append(("Concerns", reverse("concerns:list")))
    if sees_programme_figures.test(user):
        items.append(("Reports", reverse("reports:programme_figures")))
    if reads_evaluation(user):  # feedback, reflections and case studies counted by commissioner and year
        items.append(("Evaluation", reverse("evaluation:counts")))
    if may_see_events(user):  # events and training, peer support: every signed-in role (no query)
        items.append(("Events", reverse("events:list")))
    if returns_regions_for(user):  # national NHSE, a regional team, RCGP admin: allocations and targets (returns/)
        items.append(("Returns", reverse("returns:board")))
    if reads_runs(user):
        items.append(("Syncs", reverse("surveillance:runs")))
    if is_people_admin(user):  # an organisation's admins manage its people (people/access.py; no query for most)
        items.append(("People", reverse("people:home")))
    return tuple(items)


def navigation_for(request):
    """The header's links for the signed-in user, the current one marked active: those of the user's kind, worked
    out once per process, and the notifications link with the session's unread count (a query once a minute at
    most, forwardplans.notifications.unread_count)."""
    user = request.user
    if not user.is_authenticated:
        return []
    kind = _kind_of(user)
    if kind not in _links_of_kind:
        _links_of_kind[kind] = links_of(user)
    unread = unread_count(user, session=getattr(request, "session", None))
    items = [*_links_of_kind[kind],
             (f"Notifications ({unread})" if unread else "Notifications", reverse("jobs:notifications"))]
    if user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    return [{"text": text, "href": href, "active": path.startswith(href)} for text, href in items]
