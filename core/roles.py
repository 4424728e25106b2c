"""Roles (docs/domain.md §2), and ``Rule``: the one form every access condition takes.

A ``Rule`` is a condition on (user, record) with both of its faces: ``test(user, record)`` answers for one record
(a django-rules predicate, so views, services and the lifecycle table call it as before) and ``q(user)`` gives the
records of its model it holds for, for querysets: True (all), False (none) or a ``Q``. Rules combine with ``|``,
``&`` and ``~`` and the result keeps both faces, so a verb written once as a combination of relations
(core/relations.py) is both the per-object check and the queryset scope. The role rules here are the simplest:
they hold for every record or for none.
"""

import rules
from django.db import models


class Role(models.TextChoices):
    COMMISSIONER_PEER_SUPPORT = "commissioner_peer_support", "Commissioner peer support"
    COMMISSIONER_LEAD = "commissioner_lead", "Commissioner lead"
    RCGP_DEPUTY_LEAD = "rcgp_deputy_lead", "RCGP deputy lead"
    RCGP_ADVISER = "rcgp_adviser", "RCGP adviser"
    RCGP_ADMIN = "rcgp_admin", "RCGP programme admin"
    PRACTICE_USER = "practice_user", "Practice user"
    PRACTICE_LEAD = "practice_lead", "Practice lead"
    NHSE_REPORTING = "nhse_reporting", "NHSE national reporting"
    NHSE_REGIONAL = "nhse_regional", "NHSE regional team"


COMMISSIONER_ROLES = frozenset({Role.COMMISSIONER_PEER_SUPPORT, Role.COMMISSIONER_LEAD})
RCGP_ROLES = frozenset({Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADVISER, Role.RCGP_ADMIN})
PRACTICE_ROLES = frozenset({Role.PRACTICE_USER, Role.PRACTICE_LEAD})
NHSE_ROLES = frozenset({Role.NHSE_REPORTING, Role.NHSE_REGIONAL})


def organisation_kind(role):
    """Which organisation a role belongs to: 'commissioner', 'practice', 'rcgp' or 'nhse'."""
    if role in COMMISSIONER_ROLES:
        return "commissioner"
    if role in PRACTICE_ROLES:
        return "practice"
    if role in RCGP_ROLES:
        return "rcgp"
    return "nhse"


def _q_or(a, b):
    if a is True or b is True:
        return True
    if a is False:
        return b
    return a if b is False else a | b


def _q_and(a, b):
    if a is False or b is False:
        return False
    if a is True:
        return b
    return a if b is True else a & b


def _q_not(a):
    return (not a) if isinstance(a, bool) else ~a


def _several(user):
    """The person's memberships as users acting in each (``User.personas``), or None for one who holds one."""
    if not getattr(user, "other_memberships", 0):
        return None
    return user.personas()


class Rule(rules.Predicate):
    """A condition on (user, record) with its per-record test and its queryset face (see the module's doc).

    A person who holds several memberships gets the union: the rule holds for them when it holds for any of their
    memberships (core/models.py ``User.personas``). The union is taken once, around the whole rule, never inside a
    combination: "practice lead" in one membership and "of this practice" in another do not make a practice lead of
    this practice."""

    def __init__(self, fn, name=None, *, q):
        self._one_test, self._one_q = fn, q

        def each(user, record=None):
            personas = _several(user)
            if personas is None:
                return fn(user, record)
            return any(fn(persona, record) for persona in personas)

        super().__init__(each, name=name or getattr(fn, "__name__", "rule"))

    def q(self, user):
        """The records this rule holds for, for ``user``: True (every one), False (none) or a Q."""
        personas = _several(user)
        if personas is None:
            return self._one_q(user)
        result = False
        for persona in personas:
            result = _q_or(result, self._one_q(persona))
            if result is True:
                break
        return result

    def filter(self, user, queryset):
        """``queryset`` narrowed to the records this rule holds for."""
        q = self.q(user)
        if q is True:
            return queryset
        return queryset.none() if q is False else queryset.filter(q)

    def __or__(self, other):
        if not isinstance(other, Rule):
            return super().__or__(other)
        a, b = self, other
        return Rule(lambda user, record=None: a._one_test(user, record) or b._one_test(user, record),
                    f"({a.name} | {b.name})", q=lambda user: _q_or(a._one_q(user), b._one_q(user)))

    def __and__(self, other):
        if not isinstance(other, Rule):
            return super().__and__(other)
        a, b = self, other
        return Rule(lambda user, record=None: a._one_test(user, record) and b._one_test(user, record),
                    f"({a.name} & {b.name})", q=lambda user: _q_and(a._one_q(user), b._one_q(user)))

    def __invert__(self):
        a = self
        return Rule(lambda user, record=None: not a._one_test(user, record), f"~{a.name}",
                    q=lambda user: _q_not(a._one_q(user)))


def signed_in(user):
    """Signed in and not deactivated: everyone else holds no role and no relation at all."""
    return bool(user and user.is_authenticated and user.is_active)


def role_in(*roles):
    """The rule "the user holds one of ``roles``": every record or none."""
    wanted = frozenset(roles)

    def holds(user, record=None):
        return signed_in(user) and user.role in wanted

    return Rule(holds, "role_in_" + "_".join(sorted(wanted)), q=holds)


is_commissioner_user = role_in(*COMMISSIONER_ROLES)
is_commissioner_lead = role_in(Role.COMMISSIONER_LEAD)
is_rcgp_user = role_in(*RCGP_ROLES)
is_rcgp_admin = role_in(Role.RCGP_ADMIN)
is_deputy_lead = role_in(Role.RCGP_DEPUTY_LEAD)
is_adviser = role_in(Role.RCGP_ADVISER)
is_practice_user = role_in(*PRACTICE_ROLES)
is_practice_lead = role_in(Role.PRACTICE_LEAD)
is_nhse = role_in(Role.NHSE_REPORTING)              # national NHSE: every region
is_nhse_regional = role_in(Role.NHSE_REGIONAL)      # one region's team: see core.relations.in_nhse_region
is_any_nhse = role_in(*NHSE_ROLES)
has_role = role_in(*Role.values)
# Programme figures for a commissioner's (or, for RCGP admin, every) contract: the reports page, its link
# in the header and the API's figure endpoints (which add NHSE) share this one rule.
sees_programme_figures = is_rcgp_admin | is_commissioner_lead
