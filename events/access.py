"""Who may see and write events, registrations and peer support (docs/architecture.md, "Access").

- Events: the organisations invited see them — every practice's users when the event is open to all; else the users
  of an invited practice, of a practice of an invited commissioner (an ICB's sub-ICB locations' practices too), and
  the users of the inviting area's commissioners (an invited commissioner, the ICB above it, the sub-ICB locations
  below it, and the commissioner of an invited practice). RCGP (every role) sees every event; NHSE (national and
  regional) sees every event with its counts only (places taken, attended, by role): never who registered.
  RCGP admin creates and changes events and records attendance.
- Registrations and attendance, per practice: that practice's users, its commissioner's users (the practice's
  commissioner or the ICB above it) and RCGP. A practice's users register their own practice for an event it is
  invited to and cancel its registrations; RCGP admin does both for any invited practice.
- Peer support: both practices' users, their commissioners' users, RCGP, national NHSE (all) and an NHSE regional
  team (where either practice is in its region). RCGP admin or the supported practice's commissioner lead records
  it and ends it.

Each is a ``Rule`` with its queryset face and its one-record face (core/roles.py), so a list and a check cannot
disagree; single records come from the ``get_*_or_404`` helpers, so a hidden one answers 404."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from core import relations
from core.relations import commissioner_ids, in_nhse_region, sees_all
from core.roles import Rule, is_any_nhse, is_commissioner_lead, is_nhse, is_rcgp_user
from practices.models import Commissioner, Practice

from .models import Event, PeerSupport, Registration

InvitedPractice = Event.invited_practices.through
InvitedCommissioner = Event.invited_commissioners.through


# Events ----------------------------------------------------------------------------------------------------------

def _prefetched(record, name):
    cache = getattr(record, "_prefetched_objects_cache", {})
    return cache[name] if name in cache else getattr(record, name).all()


def _practice_area_q(user):
    """The commissioners whose invitation reaches the user's practice: its own and the ICB above it."""
    own = Practice.objects.filter(pk=user.practice_id)
    return Q(pk__in=own.values("commissioner")) | Q(pk__in=own.values("commissioner__parent"))


def _invited_practice_q(user):
    if not relations.of_practice(user):
        return False
    area = Commissioner.objects.filter(_practice_area_q(user)).values("pk")
    return (Q(open_to_all=True)
            | Q(pk__in=InvitedPractice.objects.filter(practice_id=user.practice_id).values("event_id"))
            | Q(pk__in=InvitedCommissioner.objects.filter(commissioner__in=area).values("event_id")))


def _invited_practice_test(user, record=None):
    if record is None or not relations.of_practice(user):
        return False
    if record.open_to_all:
        return True
    if any(p.pk == user.practice_id for p in _prefetched(record, "invited_practices")):
        return True
    commissioner = user.practice.commissioner
    area = {commissioner.pk, commissioner.parent_id} - {None}
    return any(c.pk in area for c in _prefetched(record, "invited_commissioners"))


def _own_and_above(user):
    """The user's commissioner, its sub-ICB locations and the ICB above it, as a subquery of ids."""
    own = Commissioner.objects.filter(pk=user.commissioner_id)
    return Commissioner.objects.filter(Q(pk__in=commissioner_ids(user)) | Q(pk__in=own.values("parent"))).values("pk")


def _area_q(user):
    if not relations.of_commissioner(user):
        return False
    return (Q(open_to_all=True)
            | Q(pk__in=InvitedCommissioner.objects.filter(commissioner__in=_own_and_above(user)).values("event_id"))
            | Q(pk__in=InvitedPractice.objects.filter(practice__commissioner__in=commissioner_ids(user))
                .values("event_id")))


def _area_test(user, record=None):
    if record is None or not relations.of_commissioner(user):
        return False
    if record.open_to_all:
        return True
    own = user.commissioner_id
    parent = user.commissioner.parent_id
    for invited in _prefetched(record, "invited_commissioners"):
        if invited.pk == own or invited.parent_id == own or (parent is not None and invited.pk == parent):
            return True
    return any(p.commissioner_id == own or p.commissioner.parent_id == own
               for p in _prefetched(record, "invited_practices"))


invited_practice_user = Rule(_invited_practice_test, "invited_practice_user", q=_invited_practice_q)
inviting_area = Rule(_area_test, "inviting_area_commissioner", q=_area_q)
rcgp = sees_all | is_rcgp_user
VIEW_EVENT = rcgp | is_any_nhse | invited_practice_user | inviting_area
MANAGE_EVENTS = sees_all


def events_for(user):
    return VIEW_EVENT.filter(user, Event.objects.all())


def get_event_or_404(user, pk):
    return get_object_or_404(events_for(user).prefetch_related("invited_practices__commissioner",
                                                                "invited_commissioners"), pk=pk)


def may_manage(user):
    """RCGP admin creates and changes events and records attendance."""
    return MANAGE_EVENTS.test(user)


def is_invited(event, practice):
    """Whether ``practice`` is invited to ``event`` (uses what the event prefetched)."""
    if event.open_to_all:
        return True
    if any(p.pk == practice.pk for p in _prefetched(event, "invited_practices")):
        return True
    area = {practice.commissioner_id, practice.commissioner.parent_id} - {None}
    return any(c.pk in area for c in _prefetched(event, "invited_commissioners"))


def may_register(user, event):
    """RCGP admin (for an invited practice), or a practice's user for their own practice when it is invited."""
    return sees_all.test(user) or invited_practice_user.test(user, event)


REGISTER_REFUSAL = "Only the users of an invited practice, or RCGP admin, register for an event."
MANAGE_REFUSAL = "Only RCGP admin creates and changes events and records attendance."


# Registrations and attendance ------------------------------------------------------------------------------------

def _own_practice_test(user, record=None):
    return record is not None and relations.of_practice(user) and record.practice_id == user.practice_id


def _practice_commissioner_test(user, record=None):
    if record is None or not relations.of_commissioner(user):
        return False
    commissioner = record.practice.commissioner
    return user.commissioner_id in (commissioner.pk, commissioner.parent_id)


registering_practice = Rule(_own_practice_test, "registering_practice",
                            q=lambda user: Q(practice_id=user.practice_id) if relations.of_practice(user) else False)
practice_commissioner = Rule(
    _practice_commissioner_test, "commissioner_of_registering_practice",
    q=lambda user: Q(practice__commissioner__in=commissioner_ids(user)) if relations.of_commissioner(user) else False)
VIEW_REGISTRATION = rcgp | registering_practice | practice_commissioner
CANCEL_REGISTRATION = sees_all | registering_practice


def registrations_for(user):
    """Registrations (and their attendance) the user may see: per practice, that practice, its commissioner, RCGP."""
    return VIEW_REGISTRATION.filter(user, Registration.objects.all())


def may_see_registrations(user):
    """Whether the user's role could see any registration (no query): NHSE sees counts only."""
    return relations.active(user) and not is_any_nhse.test(user) and (
        rcgp.test(user) or relations.of_practice(user) or relations.of_commissioner(user))


def may_cancel(user, registration):
    return CANCEL_REGISTRATION.test(user, registration)


CANCEL_REFUSAL = "Only the practice's users, or RCGP admin, cancel its registration."


# Peer support ----------------------------------------------------------------------------------------------------

def _either_practice_q(user):
    if not relations.of_practice(user):
        return False
    return Q(supporting_id=user.practice_id) | Q(supported_id=user.practice_id)


def _either_practice_test(user, record=None):
    return (record is not None and relations.of_practice(user)
            and user.practice_id in (record.supporting_id, record.supported_id))


def _either_commissioner_q(user):
    if not relations.of_commissioner(user):
        return False
    area = commissioner_ids(user)
    return Q(supporting__commissioner__in=area) | Q(supported__commissioner__in=area)


def _either_commissioner_test(user, record=None):
    if record is None or not relations.of_commissioner(user):
        return False
    return any(user.commissioner_id in (p.commissioner_id, p.commissioner.parent_id)
               for p in (record.supporting, record.supported))


def _supported_lead_test(user, record=None):
    """The commissioner lead of the supported practice (``record``: a PeerSupport or the supported Practice)."""
    if record is None or not (is_commissioner_lead.test(user) and relations.of_commissioner(user)):
        return False
    practice = record.supported if isinstance(record, PeerSupport) else record
    return user.commissioner_id in (practice.commissioner_id, practice.commissioner.parent_id)


either_practice = Rule(_either_practice_test, "peer_support_practice", q=_either_practice_q)
either_commissioner = Rule(_either_commissioner_test, "peer_support_commissioner", q=_either_commissioner_q)
supported_lead = Rule(
    _supported_lead_test, "supported_practice_commissioner_lead",
    q=lambda user: (Q(supported__commissioner__in=commissioner_ids(user))
                    if is_commissioner_lead.test(user) and relations.of_commissioner(user) else False))
VIEW_PEER_SUPPORT = (rcgp | is_nhse | in_nhse_region("supporting__region") | in_nhse_region("supported__region")
                     | either_practice | either_commissioner)
RECORD_PEER_SUPPORT = sees_all | supported_lead
PEER_SUPPORT_REFUSAL = ("Only RCGP admin or the supported practice's commissioner lead records or ends peer "
                        "support.")


def peer_support_for(user):
    return VIEW_PEER_SUPPORT.filter(user, PeerSupport.objects.all())


def get_peer_support_or_404(user, pk):
    return get_object_or_404(peer_support_for(user).select_related("supporting__commissioner",
                                                                    "supported__commissioner"), pk=pk)


def may_record_peer_support(user, supported=None):
    """With a practice: whether the user may record support for it; without: whether for any practice."""
    if supported is None:
        return sees_all.test(user) or (is_commissioner_lead.test(user) and relations.of_commissioner(user))
    return RECORD_PEER_SUPPORT.test(user, supported)


def may_see_peer_support(user):
    """Whether the user's role could see any peer support (no query)."""
    return relations.active(user) and bool(
        rcgp.test(user) or is_nhse.test(user) or relations.of_nhse_region(user) or relations.of_practice(user)
        or relations.of_commissioner(user))


def may_see_events(user):
    """Whether the header links to the events (no query): every role may be invited or sees them all."""
    return relations.active(user)
