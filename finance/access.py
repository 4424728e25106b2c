"""Who may see and write a contract's delivery cost and payments (docs/architecture.md, "Access").

- The delivery cost (the costed plan, approved extra days, time, other costs) is RCGP's: the contract's RCGP team
  reads it (its deputy lead, the advisers on its team, RCGP admin). The deputy lead and RCGP admin write the plan,
  approvals and other costs; each adviser on the team logs their own time, the deputy lead and RCGP admin anyone's.
- Payments and variations are read by everyone who sees the contract (contracts.access.contracts_for: its
  practice, its commissioner, NHSE, the RCGP team); RCGP admin records them.
- The advisers' load (every active adviser's days across contracts) is for the deputy leads and RCGP admin.

Each verb is one ``Rule`` on the contract (core/roles.py), so a list and a check cannot disagree; records come from
the ``*_for`` querysets, so a hidden one answers 404 like a missing one.
"""

from django.shortcuts import get_object_or_404

from contracts.access import VIEW_CONTRACT, contracts_for
from contracts.models import Contract, Payment
from core import relations
from core.relations import rcgp_lead, rcgp_team, sees_all
from core.roles import RCGP_ROLES, is_deputy_lead, is_rcgp_admin

from .models import ExtraDays, OtherCost, PlanLine, TimeEntry

# Rules on the contract.
FINANCE_VERBS = {
    "read_delivery": rcgp_team,
    "manage_plan": rcgp_lead,            # the costed plan, approved extra days, other costs
    "log_time": rcgp_team,               # an adviser only their own: finance/services.py
    "read_payments": VIEW_CONTRACT,
    "record_payments": sees_all,         # invoices, payment, refunds, variations
}
FINANCE_REFUSALS = {
    "read_delivery": "Only the contract's RCGP team sees its delivery cost.",
    "manage_plan": "Only the contract's deputy lead or RCGP admin changes its costed plan, approvals and other costs.",
    "log_time": "Only the advisers on the contract's team, its deputy lead and RCGP admin log its time.",
    "read_payments": "You cannot see this contract's payments.",
    "record_payments": "Only RCGP programme admin records invoices, payments, refunds and variations.",
}
SEES_ADVISER_LOAD = is_deputy_lead | is_rcgp_admin


def can(user, verb, contract):
    """May ``user`` do ``verb`` (a key of FINANCE_VERBS) with ``contract``?"""
    return FINANCE_VERBS[verb].test(user, contract)


def refusal(user, verb, contract):
    return None if can(user, verb, contract) else FINANCE_REFUSALS[verb]


def may_read_delivery(user):
    """Whether the user's role could ever read a delivery cost (no query): RCGP only."""
    return relations.active(user) and (user.is_superuser or user.role in RCGP_ROLES)


def may_see_adviser_load(user):
    return SEES_ADVISER_LOAD.test(user)


def contracts_where(user, verb):
    """Contracts the user may do ``verb`` with."""
    return FINANCE_VERBS[verb].filter(user, Contract.objects.all())


def get_contract_or_404(user, reference):
    """The contract, for whoever sees it (its payments are theirs to read); others find nothing (404)."""
    return get_object_or_404(contracts_for(user).select_related("practice", "commissioner", "deputy_lead"),
                             reference=reference)


def _of_delivery(model, user):
    return model.objects.filter(contract__in=contracts_where(user, "read_delivery").values("pk"))


def plan_lines_for(user):
    return _of_delivery(PlanLine, user)


def extra_days_for(user):
    return _of_delivery(ExtraDays, user)


def time_entries_for(user):
    return _of_delivery(TimeEntry, user)


def other_costs_for(user):
    return _of_delivery(OtherCost, user)


def delivery_contracts_for(user):
    """Contracts whose delivery cost the user may read."""
    return contracts_where(user, "read_delivery")


def payments_for(user):
    """Invoices and refunds of the contracts the user sees."""
    return Payment.objects.filter(contract__in=contracts_for(user).values("pk"))


def get_plan_line_or_404(user, pk):
    return get_object_or_404(plan_lines_for(user).select_related("contract", "adviser__user"), pk=pk)


def get_payment_or_404(user, pk):
    return get_object_or_404(payments_for(user).select_related("contract"), pk=pk)
