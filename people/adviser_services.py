"""Writes of the RCGP adviser pool, by RCGP admin: a member's profession, region, capacity and availability; the
conflicts of interest they declare, and their end; an RCGP adviser or deputy lead added to the pool.

Each service is atomic, checks the actor itself (RCGP admin: ``administers(actor, Organisation("rcgp"))``), and
raises ``DomainError`` with a message for the person (``Refused``: one that belongs to a field of the form). Every
change is logged in the people log of RCGP (``people.changes.change_record``), with the adviser as its subject and the
reason given; every refused attempt is logged too, as refused, after its transaction is rolled back. Each record's
own history is kept by simple_history, with the actor and the reason.

An edit carries the version it started from: the id of the record's latest historical row (every save makes one),
as the models have no version field. The row is locked (``SELECT ... FOR UPDATE``) and a moved version refused with
``StaleEdit``.

Whether a conflict or an absence bars an adviser from a team is decided in contracts (``conflicts_for``,
``unavailable_until``, ``team_add_adviser``): a conflict counts until the day it ended, an absence until the day the
adviser is back."""

import functools

from django.db import transaction
from django.utils import timezone

from contracts.models import Adviser, ConflictOfInterest
from contracts.services import current_conflict_q
from contracts.vocabulary import Profession
from core.errors import DomainError, NothingChanged, StaleEdit
from core.formatting import uk_date
from core.models import Membership, User
from core.roles import Role
from core.validators import MAX_REASON, reason_given
from practices.models import Commissioner, Practice

from .access import Organisation, administers
from .changes import change_record
from .models import OrganisationKind, PeopleChange

RCGP = Organisation(OrganisationKind.RCGP)
POOL_ROLES = (Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD)
MAX_CAPACITY = 20
MAX_DESCRIPTION = 300
NOT_ADMIN = "Only RCGP admin manages the adviser pool."
STALE = "Someone changed this adviser's details since you opened the page: check them and try again."
STALE_CONFLICT = "Someone changed this conflict of interest since you opened the page: check it and try again."
Action = PeopleChange.Action


class Refused(DomainError):
    """A refusal about one field of the form (``field``: its name), so that the page puts it against that field."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def _logged(action):
    """Run the service in its own transaction; a refusal rolls it back and is then logged as refused (a
    ``NothingChanged`` is not a refusal)."""
    def wrap(service):
        @functools.wraps(service)
        def run(*, actor, **kwargs):
            try:
                with transaction.atomic():
                    return service(actor=actor, **kwargs)
            except NothingChanged:
                raise
            except DomainError as exc:
                subject = _subject_of(kwargs)
                change_record(org=RCGP, action=action, actor=actor, subject=subject, detail=str(exc),
                              reason=str(kwargs.get("reason") or "")[:MAX_REASON], refused=True)
                raise
        return run
    return wrap


def _subject_of(kwargs):
    if kwargs.get("user") is not None:
        return kwargs["user"]
    adviser = kwargs.get("adviser") or getattr(kwargs.get("conflict"), "adviser", None)
    return adviser.user if adviser is not None else None


def _require_admin(actor):
    if actor is None or not administers(actor, RCGP):
        raise DomainError(NOT_ADMIN)


def version_of(record):
    """The version of an adviser or a conflict: its latest historical row's id (0: none kept)."""
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def _check_version(record, base_version, message, changes):
    if base_version is None or int(base_version) != version_of(record):
        raise StaleEdit(message, changes())


def _reason(value):
    return reason_given(value, max_length=MAX_REASON, refuse=lambda message: Refused("reason", message))


def _details(profession, region, capacity):
    if profession not in Profession.values:
        raise Refused("profession", "Select the adviser's profession")
    region = (region or "").strip()
    if not region:
        raise Refused("region", "Enter the region the adviser works in")
    if len(region) > 100:
        raise Refused("region", "The region must be 100 characters or fewer")
    if capacity is None or not 0 <= int(capacity) <= MAX_CAPACITY:
        raise Refused("capacity", f"Capacity must be a whole number from 0 to {MAX_CAPACITY} live contracts")
    return profession, region, int(capacity)


def availability(adviser, today=None):
    """How the pool page and the adviser's page say it: available, unavailable until a day, or not taking work."""
    today = today or timezone.localdate()
    if not adviser.active:
        return "Not taking work"
    if adviser.unavailable_until and adviser.unavailable_until > today:
        return f"Unavailable until {uk_date(adviser.unavailable_until)}"
    return "Available"


def _saved(record, actor, reason):
    record._change_reason, record._history_user = reason, actor
    record.save()
    return record


# Adding to the pool ---------------------------------------------------------------------------------------------

def candidates():
    """Active people with an RCGP adviser or deputy lead membership and no place in the pool yet."""
    members = Membership.objects.filter(role__in=POOL_ROLES).values("user")
    return User.objects.filter(pk__in=members, is_active=True, adviser_profile__isnull=True)


@_logged(Action.ADVISER_UPDATED)
def adviser_add(*, user, profession, region, capacity, actor):
    """Put an RCGP adviser or deputy lead into the pool, with their profession, region and capacity."""
    _require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if Adviser.objects.filter(user=user).exists():
        raise DomainError(f"{user.get_full_name() or user.username} is already in the adviser pool.")
    if not candidates().filter(pk=user.pk).exists():
        raise DomainError("Only active RCGP advisers and deputy leads can be added to the adviser pool.")
    profession, region, capacity = _details(profession, region, capacity)
    adviser = Adviser(user=user, profession=profession, region=region, capacity=capacity)
    _saved(adviser, actor, "Added to the adviser pool")
    change_record(org=RCGP, action=Action.ADVISER_UPDATED, actor=actor, subject=user,
                  detail=f"Added to the adviser pool: {adviser.get_profession_display()}, {region}, "
                         f"capacity {capacity}", reason="Added to the adviser pool")
    return adviser


# An adviser's details ----------------------------------------------------------------------------------------------

FIELDS = {"profession": "Profession", "region": "Region", "capacity": "Capacity (live contracts at once)",
          "active": "Taking work", "unavailable_until": "Unavailable until"}


def _shown(adviser, name):
    value = getattr(adviser, name)
    if name == "profession":
        return adviser.get_profession_display()
    if name == "active":
        return "Yes" if value else "No"
    if name == "unavailable_until":
        return uk_date(value) if value else "Not set"
    return str(value)


@_logged(Action.ADVISER_UPDATED)
def adviser_update(*, adviser, profession, region, capacity, active, unavailable_until, reason, base_version,
                   actor):
    """Change an adviser's profession, region, capacity (0 to 20 live contracts at once) and availability: taking
    work or not (``active``), and away until a day (``unavailable_until``: today or later, or None), with a reason,
    from the version the person started from. Returns the adviser."""
    _require_admin(actor)
    adviser = Adviser.objects.select_for_update().select_related("user").get(pk=adviser.pk)
    _check_version(adviser, base_version, STALE,
                   lambda: [(label, _shown(adviser, name)) for name, label in FIELDS.items()])
    profession, region, capacity = _details(profession, region, capacity)
    if unavailable_until is not None and unavailable_until < timezone.localdate():
        raise Refused("unavailable_until", "The date they are unavailable until must be today or in the future")
    reason = _reason(reason)
    wanted = {"profession": profession, "region": region, "capacity": capacity, "active": bool(active),
              "unavailable_until": unavailable_until}
    before = {name: _shown(adviser, name) for name in FIELDS}
    changed = [name for name, value in wanted.items() if getattr(adviser, name) != value]
    if not changed:
        raise NothingChanged("Nothing was changed: the details are as they were.")
    for name in changed:
        setattr(adviser, name, wanted[name])
    _saved(adviser, actor, reason)
    detail = "; ".join(f"{FIELDS[name]}: {before[name]} → {_shown(adviser, name)}" for name in changed)
    change_record(org=RCGP, action=Action.ADVISER_UPDATED, actor=actor, subject=adviser.user, detail=detail,
                  reason=reason)
    return adviser


# Conflicts of interest ---------------------------------------------------------------------------------------------

def _organisation(practice_code, commissioner_code):
    practice_code = (practice_code or "").strip().upper()
    commissioner_code = (commissioner_code or "").strip().upper()
    if practice_code and commissioner_code:
        raise Refused(None, "Enter a practice or a commissioner, not both: declare each conflict on its own")
    if not practice_code and not commissioner_code:
        raise Refused(None, "Enter the ODS code of the practice or of the commissioner the conflict is with")
    if practice_code:
        practice = Practice.objects.filter(ods_code=practice_code).first()
        if practice is None:
            raise Refused("practice_code", f"No practice has the ODS code {practice_code}: check the code")
        return practice, None
    commissioner = Commissioner.objects.filter(ods_code=commissioner_code).first()
    if commissioner is None:
        raise Refused("commissioner_code", f"No commissioner has the ODS code {commissioner_code}: check the code")
    return None, commissioner


def conflict_with(conflict):
    """The name of the practice or commissioner a conflict is with, and its ODS code."""
    organisation = conflict.practice if conflict.practice_id else conflict.commissioner
    return f"{organisation.name} ({organisation.ods_code})"


@_logged(Action.CONFLICT_DECLARED)
def conflict_declare(*, adviser, practice_code="", commissioner_code="", description, declared_on, actor):
    """Record a conflict of interest the adviser declared, with a practice or a commissioner (by ODS code; a
    commissioner's conflict covers its sub-ICB locations' contracts when it is their ICB), from ``declared_on``
    (not in the future). While it stands they cannot join a team of a contract of that practice or commissioner."""
    _require_admin(actor)
    adviser = Adviser.objects.select_for_update().select_related("user").get(pk=adviser.pk)
    practice, commissioner = _organisation(practice_code, commissioner_code)
    description = (description or "").strip()
    if not description:
        raise Refused("description", "Describe the conflict of interest")
    if len(description) > MAX_DESCRIPTION:
        raise Refused("description", f"The description must be {MAX_DESCRIPTION} characters or fewer")
    if declared_on is None:
        raise Refused("declared_on", "Enter the date the conflict was declared")
    if declared_on > timezone.localdate():
        raise Refused("declared_on", "The date the conflict was declared must be today or in the past")
    same = adviser.conflicts.filter(current_conflict_q(), practice=practice, commissioner=commissioner).first()
    if same is not None:
        raise DomainError(f"{adviser} already has a conflict of interest with {conflict_with(same)} that has not "
                          "ended: end it first, or leave it as it is")
    conflict = ConflictOfInterest(adviser=adviser, practice=practice, commissioner=commissioner,
                                  description=description, declared_on=declared_on)
    _saved(conflict, actor, "Declared")
    change_record(org=RCGP, action=Action.CONFLICT_DECLARED, actor=actor, subject=adviser.user,
                  detail=f"With {conflict_with(conflict)} from {uk_date(declared_on)}: {description}",
                  reason=description)
    return conflict


@_logged(Action.CONFLICT_ENDED)
def conflict_end(*, conflict, ended_on, reason, base_version, actor):
    """End a conflict of interest: from ``ended_on`` (not before it was declared) it no longer bars the adviser.
    With a reason, from the version the person started from. Returns the conflict."""
    _require_admin(actor)
    conflict = (ConflictOfInterest.objects.select_for_update(of=("self",))
                .select_related("adviser__user", "practice", "commissioner").get(pk=conflict.pk))
    _check_version(conflict, base_version, STALE_CONFLICT,
                   lambda: [("Ended on", uk_date(conflict.ended_on) if conflict.ended_on else "Not ended"),
                            ("Description", conflict.description)])
    if conflict.ended_on is not None:
        raise DomainError(f"This conflict of interest already ended on {uk_date(conflict.ended_on)}.")
    if ended_on is None:
        raise Refused("ended_on", "Enter the date the conflict ended")
    if ended_on < conflict.declared_on:
        raise Refused("ended_on", f"The date the conflict ended must be on or after the day it was declared "
                                  f"({uk_date(conflict.declared_on)})")
    reason = _reason(reason)
    conflict.ended_on = ended_on
    _saved(conflict, actor, reason)
    change_record(org=RCGP, action=Action.CONFLICT_ENDED, actor=actor, subject=conflict.adviser.user,
                  detail=f"With {conflict_with(conflict)}: ended on {uk_date(ended_on)}", reason=reason)
    return conflict
