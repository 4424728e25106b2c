"""Who hears of a practice's alerts, written once with both of its faces.

The audience of a practice: its commissioner staff (lead and peer support of its sub-ICB location and of that
location's ICB), RCGP admins, the deputy lead and the team advisers (not removed) of any live contract for it (the
contract's own practice or one of its group), and the practice's own staff. Active users only. Never everyone who
may read the public register: NHSE, other commissioners and other advisers read ratings, but are not told of them.
A correction that differs from the derivation (``correction_differs``) goes only to those who may correct it: RCGP
admins and the practice's commissioner leads.

``alert_recipients`` is the face for sending (practices → users, in a fixed number of queries); ``audience_q`` is
the face for reading (a user → the alerts they would have been sent; ``surveillance.access.alerts_for``). Each
clause below appears once in each face, side by side; tests/surveillance/test_alerts.py holds them to agree.
"""

from collections import defaultdict

from django.db.models import Q

from contracts.figures import LIVE
from contracts.models import Contract, TeamMembership
from core import relations
from core.models import User
from core.roles import COMMISSIONER_ROLES, PRACTICE_ROLES, Role
from practices.models import Practice

from .models import PracticeAlert

CORRECTORS_ONLY = frozenset({PracticeAlert.Kind.CORRECTION_DIFFERS})


def _live_contracts():
    return Contract.objects.filter(LIVE)


def _contract_practices(practice_ids):
    """{live contract id: the practices among ``practice_ids`` it covers} and {contract id: deputy lead id}."""
    covers, leads = defaultdict(set), {}
    for pk, practice_id, lead_id in _live_contracts().filter(practice_id__in=practice_ids).values_list(
            "pk", "practice_id", "deputy_lead_id"):
        covers[pk].add(practice_id)
        leads[pk] = lead_id
    group = Contract.practices.through.objects.filter(practice_id__in=practice_ids,
                                                      contract__in=_live_contracts().values("pk"))
    for pk, practice_id, lead_id in group.values_list("contract_id", "practice_id", "contract__deputy_lead_id"):
        covers[pk].add(practice_id)
        leads[pk] = lead_id
    return covers, leads


def alert_recipients(practice_ids, *, correctors_only=False):
    """{practice id: [user ids]}: who hears of an alert about each practice (``correctors_only``: of a correction
    that differs). Five queries at most, whatever the number of practices."""
    practice_ids = set(practice_ids)
    if not practice_ids:
        return {}
    # The practice's commissioner staff: its sub-ICB location and that location's ICB.
    commissioners = {pk: {c for c in (commissioner_id, parent_id) if c} for pk, commissioner_id, parent_id in
                     Practice.objects.filter(pk__in=practice_ids).values_list(
                         "pk", "commissioner_id", "commissioner__parent_id")}
    workers = defaultdict(set)  # contract id -> its deputy lead and its team (not removed)
    covers = {}
    if not correctors_only:
        covers, leads = _contract_practices(commissioners)
        for contract_id, user_id in leads.items():
            if user_id:
                workers[contract_id].add(user_id)
        if covers:
            for contract_id, user_id in TeamMembership.objects.filter(
                    contract_id__in=covers, removed_at__isnull=True).values_list("contract_id", "adviser__user_id"):
                workers[contract_id].add(user_id)
    commissioner_roles = [Role.COMMISSIONER_LEAD] if correctors_only else list(COMMISSIONER_ROLES)
    wanted = (Q(role=Role.RCGP_ADMIN) | Q(is_superuser=True)
              | Q(role__in=commissioner_roles, commissioner_id__in={c for cs in commissioners.values() for c in cs}))
    if not correctors_only:
        wanted |= (Q(role__in=list(PRACTICE_ROLES), practice_id__in=list(commissioners))
                   | Q(pk__in={u for users in workers.values() for u in users}))
    admins, by_commissioner, by_practice, active = set(), defaultdict(set), defaultdict(set), set()
    for user_id, role, superuser, commissioner_id, practice_id in (
            User.objects.filter(wanted, is_active=True)
            .values_list("pk", "role", "is_superuser", "commissioner_id", "practice_id")):
        active.add(user_id)
        if superuser or role == Role.RCGP_ADMIN:
            admins.add(user_id)
        if role in commissioner_roles and commissioner_id:
            by_commissioner[commissioner_id].add(user_id)
        if not correctors_only and role in PRACTICE_ROLES and practice_id:
            by_practice[practice_id].add(user_id)
    found = {pk: admins | by_practice[pk] | {u for c in theirs for u in by_commissioner[c]}
             for pk, theirs in commissioners.items()}
    for contract_id, practices in covers.items():
        for pk in practices:
            found[pk] |= workers[contract_id] & active
    return {pk: sorted(users) for pk, users in found.items()}


def _practices_of(contracts):
    """Ids of the practices ``contracts`` cover (their own and their groups'), as one subquery."""
    group = Contract.practices.through.objects.filter(contract__in=contracts.values("pk")).values("practice_id")
    return contracts.order_by().values("practice").union(group)


def audience_q(user):
    """The alerts ``user`` is in the audience of: True (all), False (none) or a Q on PracticeAlert."""
    if not relations.active(user):
        return False
    if relations.is_rcgp_admin(user):
        return True
    everyone = ~Q(kind__in=CORRECTORS_ONLY)
    clauses = []
    if relations.of_commissioner(user):
        mine = Q(practice__commissioner__in=relations.commissioner_ids(user))
        clauses.append(mine if user.role == Role.COMMISSIONER_LEAD else mine & everyone)
    if relations.of_practice(user):
        clauses.append(Q(practice_id=user.practice_id) & everyone)
    live = _live_contracts()
    contracts = live.filter(Q(deputy_lead=user) | Q(pk__in=relations.team_contract_ids(user)))
    clauses.append(Q(practice__in=_practices_of(contracts)) & everyone)
    q = clauses[0]
    for clause in clauses[1:]:
        q |= clause
    return q
