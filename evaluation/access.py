"""Who may see and write the evaluation of a contract at closure (docs/architecture.md, "Access").

- At closure means the contract has been handed over or closed (contracts.workflow: HANDED_OVER, CLOSED). A side
  exit (declined, withdrawn, failed to engage) delivered no support to evaluate, so it asks for none.
- The practice's feedback: given (and changed) by the practice lead of the contract's practice; read by the
  practice and the contract's RCGP team. The commissioner and NHSE see counts only (the counts page).
- The advisers' reflections: RCGP only. Each adviser on the team, and the deputy lead who leads it, writes their
  own; the team and RCGP admin read them all.
- Case studies: drafted and changed by the contract's RCGP team or its commissioner's users; read by them and the
  practice's users. The naming choice is the practice's: its practice lead changes it. National NHSE reads final
  case studies, an NHSE regional team those of its region's contracts, and wherever a case study is listed beyond
  the contract's parties an anonymised one shows no practice.
- The counts page: RCGP admin (all), a commissioner's users (their own and their sub-ICB locations'), national
  NHSE (all), an NHSE regional team (its region's contracts).

Each verb is one ``Rule`` with its queryset face and its one-record face (core/roles.py), so a list and a check
cannot disagree; single records come from the ``get_*_or_404`` helpers, so a hidden one answers 404.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from contracts.access import contracts_for
from contracts.models import Contract
from contracts.workflow import State
from core import relations
from core.relations import (
    commissioner_of_contract,
    in_nhse_region,
    led_by,
    on_team,
    practice_lead,
    practice_of_contract,
    rcgp_team,
    sees_all,
)
from core.roles import COMMISSIONER_ROLES, PRACTICE_ROLES, RCGP_ROLES, Rule, is_nhse, is_nhse_regional

from .models import CaseStudy, PracticeFeedback, Reflection
from .vocabulary import CaseStudyStatus

CLOSURE_STATES = frozenset({State.HANDED_OVER, State.CLOSED})

at_closure = Rule(lambda user, contract=None: contract is not None and contract.state in CLOSURE_STATES,
                  "at_closure", q=lambda user: Q(state__in=CLOSURE_STATES))

# Rules on a contract.
CONTRACT_VERBS = {
    "read_feedback": rcgp_team | practice_of_contract,
    "give_feedback": practice_lead & at_closure,
    "read_reflections": rcgp_team,
    "reflect": (led_by | on_team) & at_closure,
    "read_case_studies": rcgp_team | commissioner_of_contract | practice_of_contract,
    "draft_case_study": (rcgp_team | commissioner_of_contract) & at_closure,
}
REFUSALS = {
    "give_feedback": "Only the practice lead gives the practice's feedback, once the contract has been handed over "
                     "or closed.",
    "reflect": "Only the contract's deputy lead and advisers write reflections, once the contract has been handed "
               "over or closed.",
    "draft_case_study": "Only the contract's RCGP team or its commissioner drafts case studies, once the contract has "
                        "been handed over or closed.",
    "edit_case_study": "Only the contract's RCGP team or its commissioner changes a case study.",
    "choose_naming": "Only the practice lead chooses whether the practice is named in a case study.",
}
# Rules on a case study (through its contract).
CASE_STUDY_VERBS = {
    "view": (rcgp_team | commissioner_of_contract | practice_of_contract),
    "edit": (rcgp_team | commissioner_of_contract),
    "choose_naming": practice_lead,
}


def _on_contract(rule):
    """``rule`` (on a contract) as a rule on records with a ``contract``: the queryset face a subquery of ids."""
    return Rule(lambda user, record=None: record is not None and rule.test(user, record.contract),
                f"contract_{rule.name}", q=lambda user: _contract_q(rule, user))


def _contract_q(rule, user):
    q = rule.q(user)
    if q is True or q is False:
        return q
    return Q(contract__in=Contract.objects.filter(q).values("pk"))


def can(user, verb, contract):
    """May ``user`` do ``verb`` (a key of CONTRACT_VERBS) on ``contract``?"""
    return CONTRACT_VERBS[verb].test(user, contract)


def refusal(user, verb, contract):
    return None if can(user, verb, contract) else REFUSALS.get(verb, "You cannot do this.")


def can_case_study(user, verb, case_study):
    return CASE_STUDY_VERBS[verb].test(user, case_study.contract)


def case_study_refusal(user, verb, case_study):
    return None if can_case_study(user, verb, case_study) else REFUSALS.get(
        "edit_case_study" if verb == "edit" else verb, "You cannot do this.")


def may_see_any(user):
    """Whether the user's role could ever see something of a contract's evaluation (no query): the contract page's
    panel answers "" at once for everyone else (NHSE)."""
    return relations.active(user) and (user.is_superuser or user.role in RCGP_ROLES | COMMISSIONER_ROLES
                                       | PRACTICE_ROLES)


# Querysets -------------------------------------------------------------------------------------------------------

FEEDBACK_READERS = _on_contract(CONTRACT_VERBS["read_feedback"])
REFLECTION_READERS = _on_contract(CONTRACT_VERBS["read_reflections"])
CASE_STUDY_READERS = _on_contract(CASE_STUDY_VERBS["view"])
# NHSE reads final case studies (never drafts), without the practice when it chose to be anonymised: national NHSE
# every one, a regional team those of its region (the contract's lead practice's region).
is_final = Rule(lambda user, record=None: record is not None and record.status == CaseStudyStatus.FINAL, "final",
                q=lambda user: Q(status=CaseStudyStatus.FINAL))
nhse_final = (is_nhse | in_nhse_region("contract__practice__region")) & is_final
CASE_STUDY_LIST = CASE_STUDY_READERS | nhse_final


def feedback_for(user):
    return FEEDBACK_READERS.filter(user, PracticeFeedback.objects.all())


def reflections_for(user):
    return REFLECTION_READERS.filter(user, Reflection.objects.all())


def case_studies_for(user):
    """Case studies the user may read: the contract's parties, and NHSE the final ones."""
    return CASE_STUDY_LIST.filter(user, CaseStudy.objects.all())


def is_party(user, case_study):
    """Whether the user is one of the contract's parties, who may see the practice of an anonymised case study."""
    return CASE_STUDY_READERS.test(user, case_study)


def get_case_study_or_404(user, pk):
    """A case study, for its contract's parties (its page shows the practice, so not for NHSE: the API serves them)."""
    queryset = CASE_STUDY_READERS.filter(user, CaseStudy.objects.all())
    return get_object_or_404(queryset.select_related("contract__practice", "contract__commissioner", "created_by"),
                             pk=pk)


def get_contract_or_404(user, reference):
    return get_object_or_404(contracts_for(user).select_related("practice", "commissioner"), reference=reference)


# Counts ----------------------------------------------------------------------------------------------------------

SEES_COUNTS = sees_all | is_nhse | is_nhse_regional | Rule(lambda user, record=None: relations.of_commissioner(user),
                                        "of_commissioner", q=lambda user: relations.of_commissioner(user))
COUNTED_CONTRACTS = sees_all | is_nhse | in_nhse_region("practice__region") | commissioner_of_contract


def may_see_counts(user):
    return SEES_COUNTS.test(user)


def counted_contracts(user):
    """The contracts whose evaluation the user counts: all for RCGP admin and national NHSE; a regional team its
    region's; a commissioner's own."""
    return COUNTED_CONTRACTS.filter(user, Contract.objects.all())

