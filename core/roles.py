"""Roles of DESIGN.md §4 and the predicates that test them (django-rules).

Which *objects* a user may see is answered by resilience.policy; this module answers what kind
of user someone is and which actions their role allows.
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
    NHSE_REPORTING = "nhse_reporting", "NHSE reporting"


COMMISSIONER_ROLES = frozenset({Role.COMMISSIONER_PEER_SUPPORT, Role.COMMISSIONER_LEAD})
RCGP_ROLES = frozenset({Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADVISER, Role.RCGP_ADMIN})
PRACTICE_ROLES = frozenset({Role.PRACTICE_USER, Role.PRACTICE_LEAD})


def organisation_kind(role):
    """Which organisation a role belongs to: 'commissioner', 'practice', 'rcgp' or 'nhse'."""
    if role in COMMISSIONER_ROLES:
        return "commissioner"
    if role in PRACTICE_ROLES:
        return "practice"
    if role in RCGP_ROLES:
        return "rcgp"
    return "nhse"


def _role_is(*roles):
    wanted = frozenset(roles)

    @rules.predicate
    def predicate(user):
        return bool(user and user.is_authenticated and user.is_active and user.role in wanted)

    predicate.name = "role_in_" + "_".join(sorted(wanted))
    return predicate


is_commissioner_user = _role_is(*COMMISSIONER_ROLES)
is_commissioner_lead = _role_is(Role.COMMISSIONER_LEAD)
is_rcgp_user = _role_is(*RCGP_ROLES)
is_rcgp_admin = _role_is(Role.RCGP_ADMIN)
is_deputy_lead = _role_is(Role.RCGP_DEPUTY_LEAD)
is_adviser = _role_is(Role.RCGP_ADVISER)
is_practice_user = _role_is(*PRACTICE_ROLES)
is_practice_lead = _role_is(Role.PRACTICE_LEAD)
is_nhse = _role_is(Role.NHSE_REPORTING)
has_role = _role_is(*Role.values)
# Programme figures for a commissioner's (or, for RCGP admin, every) contract: the reports page, its link
# in the header and the API's figure endpoints (which add NHSE) share this one rule.
sees_programme_figures = is_rcgp_admin | is_commissioner_lead
