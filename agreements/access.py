"""Who may read, change and sign a contract's agreement (docs/architecture.md, "Access").

- Read: the contract's parties: its practice's users (or a group member's), its commissioner's users (or the ICB's
  above it), its RCGP team (the deputy lead who leads it, the advisers on it) and RCGP admin. Never NHSE, which
  reads only whether and when it was signed (the contract's ``mou_signed_on``, in the contract API).
- Write the terms, leads, objectives and contributions: the contract's commissioner lead, its deputy lead and RCGP
  admin.
- Sign: each party for itself: the practice's lead for the practice, the commissioner lead for the commissioner,
  the deputy lead or RCGP admin for the RCGP.

Every rule is on the agreement's contract; each has its queryset face (core/roles.py), so lists and checks agree.
"""

from django.shortcuts import get_object_or_404

from contracts.models import Contract
from core import relations
from core.relations import commissioner_lead, commissioner_of_contract, practice_lead, practice_of_contract, rcgp_lead
from core.relations import rcgp_team as rcgp_team_rule
from core.roles import NHSE_ROLES

from .models import Agreement, Party

READ = rcgp_team_rule | commissioner_of_contract | practice_of_contract
WRITE = commissioner_lead | rcgp_lead
SIGN = {Party.PRACTICE: practice_lead, Party.COMMISSIONER: commissioner_lead, Party.RCGP: rcgp_lead}

VERBS = {"read": READ, "write": WRITE, **{f"sign_{party}": rule for party, rule in SIGN.items()}}
REFUSALS = {
    "write": "Only the contract's commissioner lead, its deputy lead or RCGP admin can change the agreement.",
    f"sign_{Party.PRACTICE}": "Only the practice's lead signs for the practice.",
    f"sign_{Party.COMMISSIONER}": "Only the commissioner's lead signs for the commissioner.",
    f"sign_{Party.RCGP}": "Only the contract's deputy lead or RCGP admin signs for the RCGP.",
}


def can(user, verb, contract):
    """May ``user`` do ``verb`` ("read", "write", "sign_<party>") with ``contract``'s agreement?"""
    return VERBS[verb].test(user, contract)


def refusal(user, verb, contract):
    return None if can(user, verb, contract) else REFUSALS.get(verb, "You cannot do this.")


def may_ever_read(user):
    """Whether the user's role could read any agreement (no query): NHSE (national or regional) and the signed-out
    never do."""
    return relations.active(user) and (user.is_superuser or user.role not in NHSE_ROLES)


def parties_signable_by(user, contract):
    """The parties ``user`` may sign for on ``contract`` (at most one in practice)."""
    return [party for party, rule in SIGN.items() if rule.test(user, contract)]


def contracts_readable(user):
    return READ.filter(user, Contract.objects.all())


def agreements_for(user):
    """Agreements the user may read."""
    return Agreement.objects.filter(contract__in=contracts_readable(user).values("pk"))


def get_contract_or_404(user, reference):
    """The contract whose agreement the user may read; 404 for everyone else (NHSE included)."""
    return get_object_or_404(contracts_readable(user).select_related("practice", "commissioner"),
                             reference=reference)


def get_agreement_or_404(user, reference):
    return get_object_or_404(agreements_for(user).select_related("contract__practice", "contract__commissioner"),
                             contract__reference=reference)
