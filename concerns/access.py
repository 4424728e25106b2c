"""Who may raise, see and act on a concern (docs/domain.md §9: the one exception to confidentiality).

A concern is raised by the RCGP people who work on the contract (its deputy lead and the advisers on its team)
and received by the lead(s) of the practice's commissioner (or its ICB) and RCGP admin, whatever the practice has
agreed to share: consent plays no part here. Nobody else sees it: not NHSE, not other commissioners, not the
practice's users, not the commissioner's peer support team, not the rest of the RCGP team. Whoever raised one
keeps seeing what they raised (not what the receivers did about it).

The verbs are rules on the contract (core/relations.py: ``concern_raisers``, ``concern_receivers``), so the
queryset (``concerns_for``) and the check on one record (``can``) cannot disagree; a hidden concern answers 404
exactly like a missing one (``get_concern_or_404``).
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from contracts.models import Contract
from core.relations import active, concern_raisers, concern_receivers
from core.roles import Role

from .models import Concern

# What a user may do, as rules on the concern's contract.
CONCERN_VERBS = {
    "raise": concern_raisers,
    "receive": concern_receivers,      # read every concern of the contract, acknowledge, record what was done
}
REFUSALS = {
    "raise": "Only the contract's deputy lead and the advisers on its team can raise a concern on it.",
    "receive": "Only the commissioner's lead and RCGP admin receive a concern: you cannot act on it.",
}
# The roles that can ever receive or raise a concern: everyone else has no concerns page at all.
RECEIVER_ROLES = frozenset({Role.COMMISSIONER_LEAD, Role.RCGP_ADMIN})
RAISER_ROLES = frozenset({Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADVISER})


def can(user, verb, contract):
    """May ``user`` do ``verb`` (a key of CONCERN_VERBS) on ``contract``?"""
    return CONCERN_VERBS[verb].test(user, contract)


def refusal(user, verb, contract):
    """Why ``user`` may not do ``verb`` on ``contract`` (None: they may)."""
    return None if can(user, verb, contract) else REFUSALS[verb]


def receives(user, concern):
    return can(user, "receive", concern.contract)


def has_concerns_page(user):
    """Whether the concerns list means anything to the user's role (a superuser counts as RCGP admin)."""
    return active(user) and (user.is_superuser or user.role in RECEIVER_ROLES | RAISER_ROLES)


def receives_concerns(user):
    """Whether the user's role receives concerns (the header's link; no query)."""
    return active(user) and (user.is_superuser or user.role in RECEIVER_ROLES)


def received_contracts(user):
    """The contracts whose concerns the user receives."""
    return concern_receivers.filter(user, Contract.objects.all())


def concerns_for(user):
    """Concerns the user may see: those of the contracts they receive concerns on, and those they raised."""
    if not active(user):
        return Concern.objects.none()
    scope = concern_receivers.q(user)
    if scope is True:
        return Concern.objects.all()
    own = Q(raised_by=user)
    if scope is False:
        return Concern.objects.filter(own)
    return Concern.objects.filter(Q(contract__in=Contract.objects.filter(scope).values("pk")) | own)


def received_for(user):
    """Concerns the user receives (and so acts on)."""
    return Concern.objects.filter(contract__in=received_contracts(user).values("pk"))


def open_received_for(user):
    return received_for(user).filter(closed_at__isnull=True)


def get_concern_or_404(user, pk):
    return get_object_or_404(concerns_for(user).select_related("contract", "contract__practice", "raised_by",
                                                               "acknowledged_by", "closed_by"), pk=pk)
