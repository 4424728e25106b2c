"""Who may see and write a contract's delivery record (docs/architecture.md, "Access"), as contract notes are
(contracts.access.can_see_contract_notes): for RCGP eyes unless marked shared.

- Read: the contract's RCGP team (its deputy lead, the advisers on its team, RCGP admin). A record marked shared is
  also read by the contract's practice users and its commissioner's users (those who see the contract); never by
  NHSE, which reads figures only. An interview is never shared (DESIGN.md §4: what key people say is confidential).
- Write: the contract's RCGP team (contracts.workflow.rcgp_team), while the contract is live; once it has ended
  (closed, declined, withdrawn, failed to engage) only RCGP admin adds or changes its record.

Each verb is one ``Rule`` with its queryset face and its one-record face (core/roles.py); the rules on a contract
(core/relations.py) are lifted onto its records by ``on_contract``. Single records come from ``get_record_or_404``,
so a hidden one answers 404 like a missing one.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from contracts.models import Contract
from contracts.workflow import ENDED_STATES
from core import relations
from core.relations import commissioner_of_contract, practice_of_contract, rcgp_team, sees_all
from core.roles import COMMISSIONER_ROLES, PRACTICE_ROLES, RCGP_ROLES, Rule

from .models import DeliveryRecord
from .vocabulary import RecordKind


def on_contract(rule):
    """``rule`` (a relation to a contract) as a rule on delivery records: it holds for a record when it holds for
    the record's contract. The queryset face is one subquery of the contracts it holds for."""

    def test(user, record=None):
        return record is not None and rule.test(user, record.contract)

    def q(user):
        contracts = rule.q(user)
        if isinstance(contracts, bool):
            return contracts
        return Q(contract__in=Contract.objects.filter(contracts).values("pk"))

    return Rule(test, f"on_contract_{rule.name}", q=q)


def _live(user, contract=None):
    return contract is not None and contract.state not in ENDED_STATES


def _shared(user, record=None):
    return record is not None and record.shared and record.kind != RecordKind.INTERVIEW


live_contract = Rule(_live, "live_contract", q=lambda user: ~Q(state__in=ENDED_STATES))
shared_record = Rule(_shared, "shared_record", q=lambda user: Q(shared=True) & ~Q(kind=RecordKind.INTERVIEW))

# On a contract: who records its delivery (a new record), and who could read any of it.
CONTRACT_VERBS = {
    "record": rcgp_team & (live_contract | sees_all),
    "read_any": rcgp_team | practice_of_contract | commissioner_of_contract,
}
# On a record.
RECORD_VERBS = {
    "view": on_contract(rcgp_team) | (on_contract(practice_of_contract | commissioner_of_contract) & shared_record),
    "write": on_contract(CONTRACT_VERBS["record"]),
}
REFUSALS = {
    "write": "Only the contract's RCGP team (its deputy lead, its advisers and RCGP admin) records its delivery.",
    "ended": "The contract has ended: only RCGP admin can add to or change its delivery record.",
}


def _refusal(user, contract, allowed):
    if allowed:
        return None
    return REFUSALS["ended"] if rcgp_team.test(user, contract) else REFUSALS["write"]


def can_record(user, contract):
    """May ``user`` add a record to ``contract``'s delivery?"""
    return CONTRACT_VERBS["record"].test(user, contract)


def can_record_on_team(user, contract, team):
    """``can_record`` for a user already known to be (``team``) or not to be on ``contract``'s RCGP team: the team
    check is not made again (for an adviser it is a query)."""
    return team and (live_contract.test(user, contract) or sees_all.test(user, contract))


def record_refusal(user, contract):
    """Why ``user`` may not add to ``contract``'s delivery record (None: they may)."""
    return _refusal(user, contract, can_record(user, contract))


def can(user, verb, record):
    """May ``user`` do ``verb`` ("view", "write") with the delivery ``record``?"""
    return RECORD_VERBS[verb].test(user, record)


def refusal(user, verb, record):
    if verb == "write":
        return _refusal(user, record.contract, can(user, "write", record))
    return None if can(user, verb, record) else "You cannot do this."


def may_read_delivery(user):
    """Whether the user's role could ever read a delivery record (no query): NHSE never does, so its panel and API
    answer nothing at once."""
    return relations.active(user) and (user.is_superuser or user.role in RCGP_ROLES | COMMISSIONER_ROLES
                                       | PRACTICE_ROLES)


def sees_unshared(user, contract):
    """Whether ``user`` reads every record of ``contract`` (its RCGP team), not only the shared ones."""
    return rcgp_team.test(user, contract)


def records_for(user):
    """Delivery records the user may read."""
    if not may_read_delivery(user):
        return DeliveryRecord.objects.none()
    return RECORD_VERBS["view"].filter(user, DeliveryRecord.objects.all())


def get_record_or_404(user, pk):
    return get_object_or_404(records_for(user).select_related("contract", "contract__practice",
                                                              "contract__commissioner", "recorded_by"), pk=pk)
