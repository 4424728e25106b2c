"""Reads of contracts, boards and the adviser pool, always starting from the access policy."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from . import access
from .models import Adviser, TeamMembership
from .services import adviser_loads, conflicts_for, unavailable_until
from .workflow import BOARD_STATES, State


def with_current_team(contracts):
    """The contracts with their current team members (``current_team``), so that a list can ask who is on each
    team (workflow.on_team) without a query per contract."""
    members = TeamMembership.objects.filter(removed_at__isnull=True).select_related("adviser")
    return contracts.prefetch_related(Prefetch("team_members", queryset=members, to_attr="current_team"))


def contract_list(user):
    return (access.contracts_for(user)
            .select_related("practice", "commissioner", "deputy_lead")
            .annotate(team_size=Count("team_members", filter=Q(team_members__removed_at__isnull=True)))
            .order_by("-commissioned_on", "reference"))


# What a card on the board shows (templates/contracts/board.jinja): an RCGP admin's board holds every live
# contract in England, so not whole rows of contracts, practices and users.
BOARD_CARD_FIELDS = ("reference", "state", "programme", "commissioned_on", "first_contact_on", "practice__name",
                     "deputy_lead__username", "deputy_lead__first_name", "deputy_lead__last_name")


def contract_board(user):
    """[(state, [contracts])] for every live workflow state, in process order."""
    by_state = {state: [] for state in BOARD_STATES}
    contracts = (contract_list(user).filter(state__in=BOARD_STATES).select_related(None)
                 .select_related("practice", "deputy_lead").only(*BOARD_CARD_FIELDS)
                 .order_by("commissioned_on", "reference"))
    for contract in contracts:
        by_state[contract.state].append(contract)
    return [(State(state), contracts) for state, contracts in by_state.items()]


def contract_detail(user, reference, contract=None):
    """What the contract page shows of the contract itself (``contract``: already fetched through the policy)."""
    contract = contract or access.get_contract_or_404(user, reference)
    transitions = list(contract.transitions.select_related("by"))
    team = list(contract.team_members.filter(removed_at__isnull=True).select_related("adviser__user"))
    return {
        "contract": contract,
        "transitions": transitions,
        "team": team,
        "group_practices": list(contract.practices.all()),
        "follow_ons": list(access.contracts_for(user).filter(parent=contract)),
        "parent": access.contracts_for(user).filter(pk=contract.parent_id).first(),
        "show_notes": access.can_see_contract_notes(user),
        "show_objectives": access.can_read_objectives(user),
    }


@dataclass
class PoolEntry:
    adviser: Adviser
    load: int
    conflicts: list
    on_team: bool

    @property
    def at_capacity(self):
        return self.load >= self.adviser.capacity

    @property
    def blocked_reason(self):
        if self.conflicts:
            names = "; ".join(c.practice.name if c.practice_id else c.commissioner.name for c in self.conflicts)
            return f"Conflict of interest declared ({names})"
        if self.at_capacity:
            return f"At capacity ({self.load} of {self.adviser.capacity})"
        return ""


def adviser_pool(contract):
    """Every active adviser with their load against capacity and any current conflict for this contract. An adviser
    away (unavailable until a day still ahead) is not offered until then, unless already on the team (to be
    removed)."""
    current = set(contract.team_members.filter(removed_at__isnull=True).values_list("adviser_id", flat=True))
    advisers = [a for a in Adviser.objects.filter(active=True).select_related("user")
                if a.pk in current or unavailable_until(a) is None]
    loads = adviser_loads(advisers)
    conflicts = conflicts_for(contract)
    return [PoolEntry(a, loads.get(a.pk, 0), conflicts.get(a.pk, []), a.pk in current) for a in advisers]
