"""Who may see which contracts and self-referrals (docs/architecture.md, "Access").

Lists, counts, exports, feeds and the API take their contracts from ``contracts_for``; single ones come from the
``get_*_or_404`` helpers, so a hidden record answers 404 exactly as a missing one does."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from core import relations
from core.roles import RCGP_ROLES, Role
from practices.access import commissioner_scope, of_practice_or_its_groups

from .models import Contract, Referral
from .workflow import State


def practice_contracts_q(user):
    """Q for the contracts of the user's practice, or of a group it belongs to."""
    return of_practice_or_its_groups(Contract, Contract.practices.through, "contract", user.practice_id)


def contracts_for(user):
    """Contracts the user may see."""
    qs = Contract.objects.all()
    if not relations.active(user):
        return qs.none()
    if user.is_superuser or user.role in (Role.RCGP_ADMIN, Role.NHSE_REPORTING):
        return qs
    if user.role == Role.RCGP_DEPUTY_LEAD:
        # The contracts they lead, and new contracts waiting for a lead ("asked to staff").
        return qs.filter(Q(deputy_lead=user) | Q(deputy_lead__isnull=True, state=State.COMMISSIONED))
    if user.role == Role.RCGP_ADVISER:
        return qs.filter(pk__in=relations.team_contract_ids(user))
    if relations.of_commissioner(user):
        return qs.filter(commissioner_scope(user))
    if relations.of_practice(user):
        return qs.filter(practice_contracts_q(user))
    return qs.none()


def get_contract_or_404(user, reference):
    return get_object_or_404(contracts_for(user), reference=reference)


def can_see_contract_notes(user):
    """Adviser-only notes are for RCGP eyes."""
    return relations.active(user) and (user.is_superuser or user.role in RCGP_ROLES)


def can_read_objectives(user):
    """The agreement's objectives are for the contract's parties (its practice, its commissioner, the RCGP team:
    ``contracts_for`` gives them the contract), never NHSE, which reads figures only."""
    return relations.active(user) and (user.is_superuser or user.role != Role.NHSE_REPORTING)


def referrals_for(user):
    """Self-referrals the user may see: the commissioner's own, the practice's own, all for RCGP admin."""
    qs = Referral.objects.all()
    if not relations.active(user):
        return qs.none()
    if relations.is_rcgp_admin(user):
        return qs
    if relations.of_commissioner(user):
        return qs.filter(commissioner_scope(user))
    if relations.of_practice(user):
        return qs.filter(of_practice_or_its_groups(Referral, Referral.group_practices.through, "referral",
                                                   user.practice_id))
    return qs.none()


def get_referral_or_404(user, pk):
    return get_object_or_404(referrals_for(user), pk=pk)
