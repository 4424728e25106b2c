"""Who may see, and who may change, which contracts and self-referrals (docs/architecture.md, "Access").

Each verb is one rule, combined from the relations of core/relations.py (own practice, commissioner of, deputy
lead of, on the team of, sees all); the rule gives both the queryset (``contracts_for``, ``referrals_for``,
``contracts_where``) and the check on one record (``can``, ``can_referral``). Lists, counts, exports, feeds and
the API take their contracts from ``contracts_for``; single ones come from the ``get_*_or_404`` helpers, so a
hidden record answers 404 exactly as a missing one does. A record the user sees but may not change is refused
with the verb's reason (``refusal``); the case lifecycle's moves say who may make each of them in
casework/lifecycle.py, from the same rules.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from core import relations
from core.relations import (
    commissioner_lead,
    commissioner_of_contract,
    in_nhse_region,
    led_by,
    on_team,
    own_commissioner,
    own_practice,
    practice_of_contract,
    rcgp_lead,
    rcgp_team,
    sees_all,
)
from core.roles import (
    NHSE_ROLES,
    RCGP_ROLES,
    Role,
    Rule,
    is_commissioner_lead,
    is_deputy_lead,
    is_nhse,
    is_practice_lead,
    is_rcgp_admin,
)

from .models import Contract, Enquiry, Referral
from .workflow import State


def _waiting_for_lead(user, record=None):
    return (record is not None and relations.has_role(user, Role.RCGP_DEPUTY_LEAD) and record.deputy_lead_id is None
            and record.state == State.COMMISSIONED)


# New contracts waiting for a lead: every deputy lead is "asked to staff" them.
waiting_for_lead = Rule(_waiting_for_lead, "waiting_for_a_lead",
                        q=lambda user: (Q(deputy_lead__isnull=True, state=State.COMMISSIONED)
                                        if relations.has_role(user, Role.RCGP_DEPUTY_LEAD) else False))

# National NHSE reads every contract's metadata, an NHSE regional team its region's (never their documents:
# forwardplans/access.py). A contract's region is its lead practice's.
region_of_contract = in_nhse_region("practice__region")
VIEW_CONTRACT = (sees_all | is_nhse | region_of_contract | led_by | waiting_for_lead | on_team
                 | commissioner_of_contract | practice_of_contract)

# What a user may do with a contract they can see. The stage moves are the lifecycle table's (its ``who``
# column combines the same relations: rcgp_lead, rcgp_team, practice_lead, commissioner_lead).
CONTRACT_VERBS = {
    "view": VIEW_CONTRACT,
    "commission": is_commissioner_lead | is_rcgp_admin,   # a new contract: no record yet
    "manage_team": rcgp_lead,
    "record_first_contact": rcgp_team,
    "record_outcome": sees_all,
    "hand_over": rcgp_lead | commissioner_lead,
}
CONTRACT_REFUSALS = {
    "commission": "Only a commissioner lead (or RCGP admin) can commission support.",
    "manage_team": "Only the contract's deputy lead or RCGP admin can change the team.",
    "record_first_contact": "Only the contract's RCGP team can record first contact.",
    "record_outcome": "Only RCGP admin can record an outcome.",
    "hand_over": "Only the contract's deputy lead, RCGP admin or the commissioner's lead can record the handover.",
}


def can(user, verb, contract=None):
    """May ``user`` do ``verb`` (a key of CONTRACT_VERBS) with ``contract``, one they can see?"""
    return CONTRACT_VERBS[verb].test(user, contract)


def refusal(user, verb, contract=None):
    """Why ``user`` may not do ``verb`` with ``contract`` (None: they may)."""
    return None if can(user, verb, contract) else CONTRACT_REFUSALS.get(verb, "You cannot do this.")


def practice_contracts_q(user):
    """Q for the contracts of the user's practice, or of a group it belongs to."""
    return relations.of_practice_or_its_groups(Contract, Contract.practices.through, "contract", user.practice_id)


def contracts_for(user):
    """Contracts the user may see."""
    return VIEW_CONTRACT.filter(user, Contract.objects.all())


def contracts_where(user, verb):
    """Contracts the user may see and do ``verb`` with: the queryset face of ``can``."""
    return CONTRACT_VERBS[verb].filter(user, contracts_for(user))


def get_contract_or_404(user, reference):
    return get_object_or_404(contracts_for(user), reference=reference)


def can_see_contract_notes(user):
    """Adviser-only notes are for RCGP eyes."""
    return relations.active(user) and (user.is_superuser or user.role in RCGP_ROLES)


def can_read_objectives(user):
    """The agreement's objectives are for the contract's parties (its practice, its commissioner, the RCGP team:
    ``contracts_for`` gives them the contract), never NHSE, which reads figures only."""
    return relations.active(user) and (user.is_superuser or user.role not in NHSE_ROLES)


# Self-referrals -------------------------------------------------------------------------------------------------

practice_of_referral = own_practice("contracts.Referral", "group_practices")
commissioner_of_referral = own_commissioner("commissioner")

# The commissioner's own, the practice's own (or its group's), the region's for its NHSE regional team, all for RCGP
# admin.
region_of_referral = in_nhse_region("practice__region")
VIEW_REFERRAL = sees_all | commissioner_of_referral | practice_of_referral | region_of_referral
ASSESS_REFERRAL = is_commissioner_lead & commissioner_of_referral   # only a lead of the referral's commissioner
REFERRAL_VERBS = {
    "view": VIEW_REFERRAL,
    "submit": is_practice_lead | is_commissioner_lead,   # a new referral: no record yet
    "assess": ASSESS_REFERRAL,
    "decline": ASSESS_REFERRAL,
    "acknowledge": ASSESS_REFERRAL | sees_all,
    "commission": is_commissioner_lead | is_rcgp_admin,
    # NHS England's regional decision (003 Annex B): the regional team of the referral's region only.
    "regional_decision": region_of_referral,
}
REFERRAL_REFUSALS = {
    "submit": "Only a practice lead, or a commissioner lead on a practice's behalf, can submit a self-referral.",
    "assess": "Only a commissioner lead of the referral's commissioner can assess it.",
    "decline": "Only a commissioner lead of the referral's commissioner can decline it.",
    "acknowledge": "Only the commissioner lead or RCGP programme admin can record an acknowledgement.",
    "commission": "Only a commissioner lead (or RCGP admin) can commission support.",
    "regional_decision": "Only NHS England's regional team for the referral's region can record the regional "
                         "decision.",
}


def can_referral(user, verb, referral=None):
    """May ``user`` do ``verb`` (a key of REFERRAL_VERBS) with ``referral``, one they can see?"""
    return REFERRAL_VERBS[verb].test(user, referral)


def referral_refusal(user, verb, referral=None):
    return None if can_referral(user, verb, referral) else REFERRAL_REFUSALS.get(verb, "You cannot do this.")


def referrals_for(user):
    """Self-referrals the user may see."""
    return VIEW_REFERRAL.filter(user, Referral.objects.all())


def get_referral_or_404(user, pk):
    return get_object_or_404(referrals_for(user), pk=pk)


# Enquiries (the special-measures offer and the initial conversations, contracts/enquiry_models.py) -----------------

def _own_practice_of_enquiry(user, record=None):
    return record is not None and relations.of_practice(user) and record.practice_id == user.practice_id


def commissions_practice(user, practice):
    """Is ``practice`` one of the user's commissioner's (its sub-ICB location, or the ICB above it)?"""
    if practice is None or not relations.of_commissioner(user):
        return False
    commissioner = practice.commissioner
    return commissioner is not None and user.commissioner_id in (commissioner.pk, commissioner.parent_id)


def _commissioner_of_enquiry(user, record=None):
    # lists select_related("practice__commissioner")
    return record is not None and commissions_practice(user, record.practice)


def _is_offer(user, record=None):
    return record is not None and record.source == Enquiry.Source.SPECIAL_MEASURES_OFFER


def _own_word(user, record=None):
    return record is not None and record.source in (Enquiry.Source.SPECIAL_MEASURES_OFFER, Enquiry.Source.PRACTICE)


# The practice the enquiry is about (its own users), and that practice's commissioner (its sub-ICB location, or
# the ICB above it): the practice's, not a contract's, since an enquiry may never become one.
practice_of_enquiry = Rule(_own_practice_of_enquiry, "own_practice_of_enquiry",
                           q=lambda user: Q(practice_id=user.practice_id) if relations.of_practice(user) else False)
commissioner_of_enquiry = Rule(
    _commissioner_of_enquiry, "commissioner_of_enquiry",
    q=lambda user: (Q(practice__commissioner__in=relations.commissioner_ids(user))
                    if relations.of_commissioner(user) else False))
is_offer = Rule(_is_offer, "is_offer", q=lambda user: Q(source=Enquiry.Source.SPECIAL_MEASURES_OFFER))
is_conversation = ~is_offer
# What the practice itself said or was sent: the offer made to it, and the conversations it began. What its
# commissioner, CQC or NHSE raised about it is not the practice's to read.
practice_own_word = Rule(_own_word, "practice_own_word", q=lambda user: Q(source__in=[
    Enquiry.Source.SPECIAL_MEASURES_OFFER, Enquiry.Source.PRACTICE]))

# RCGP admin and the deputy leads (who take the first calls, and staff what an enquiry becomes) see every
# enquiry; a practice's commissioner every enquiry about its practices; the practice the offers made to it and the
# conversations it began. Advisers see none, nor does NHSE, which reads the take-up in the programme figures only.
VIEW_ENQUIRY = sees_all | is_deputy_lead | commissioner_of_enquiry | (practice_of_enquiry & practice_own_word)
# Who records a conversation's outcome: who records conversations, on those they see.
CONVERSATION_OUTCOME = sees_all | is_deputy_lead | (is_commissioner_lead & commissioner_of_enquiry)
# Who may record which reply is the table of contracts/enquiry_services.py (REPLIES), from these rules.
ENQUIRY_VERBS = {
    "view": VIEW_ENQUIRY,
    # A new conversation: no record yet (the practice is checked by ``may_record_enquiry_for``).
    "record": sees_all | is_deputy_lead | is_commissioner_lead,
    "record_reply": ((is_offer & (sees_all | (is_practice_lead & practice_of_enquiry)))
                     | (is_conversation & CONVERSATION_OUTCOME)),
}
ENQUIRY_REFUSALS = {
    "record": "Only RCGP programme admin, a deputy lead or a commissioner lead can record an enquiry.",
    "record_reply": "Only RCGP programme admin or the practice lead can record the practice's reply to the offer.",
}
CONVERSATION_REFUSAL = ("Only RCGP programme admin, a deputy lead or the practice's commissioner lead can record "
                        "what came of the enquiry.")


def can_enquiry(user, verb, enquiry=None):
    """May ``user`` do ``verb`` (a key of ENQUIRY_VERBS) with ``enquiry``, one they can see?"""
    return ENQUIRY_VERBS[verb].test(user, enquiry)


def enquiry_refusal(user, verb, enquiry=None):
    if can_enquiry(user, verb, enquiry):
        return None
    if verb == "record_reply" and enquiry is not None and not enquiry.is_offer:
        return CONVERSATION_REFUSAL
    return ENQUIRY_REFUSALS.get(verb, "You cannot do this.")


def may_record_enquiry_for(user, practice):
    """May ``user`` record a conversation about ``practice``? RCGP admin and deputy leads about any practice (the
    RCGP's administrative team takes the first calls); a commissioner lead about its own commissioner's."""
    if not can_enquiry(user, "record"):
        return False
    return bool(sees_all.test(user) or is_deputy_lead.test(user) or commissions_practice(user, practice))


def uses_offers(user):
    """Whether the user may see any enquiry at all (their role decides: no query). A page of enquiries is no page
    for the others (404), and the header's link is not theirs."""
    return VIEW_ENQUIRY.q(user) is not False


def enquiries_for(user):
    """Enquiries (offers and conversations) the user may see."""
    return VIEW_ENQUIRY.filter(user, Enquiry.objects.all())


def enquiry_for_user_or_404(user, pk):
    return get_object_or_404(enquiries_for(user).select_related("practice__commissioner"), pk=pk)


def enquiry_figures_for(user):
    """The enquiries counted in the user's programme figures: those they may see, every one for national NHSE and
    its region's for an NHSE regional team (counts only: NHSE never sees an enquiry itself)."""
    return (VIEW_ENQUIRY | is_nhse | in_nhse_region("practice__region")).filter(user, Enquiry.objects.all())
