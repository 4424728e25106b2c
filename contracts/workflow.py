"""The contract workflow: states, allowed transitions and who may make each one.

The table is the single statement of the process (DESIGN.md §2); services.contract_transition
enforces it and records every move.
"""

from dataclasses import dataclass

import rules
from django.db import models

from resilience.roles import is_commissioner_lead, is_deputy_lead, is_practice_lead, is_rcgp_admin, is_rcgp_user


class State(models.TextChoices):
    ENQUIRY = "enquiry", "Enquiry"
    COMMISSIONED = "commissioned", "Commissioned"
    LEAD_APPOINTED = "lead_appointed", "Deputy lead appointed"
    TEAM_RECRUITED = "team_recruited", "Adviser team recruited"
    SCOPING = "scoping", "Scoping"
    REPORT_DRAFTING = "report_drafting", "Report drafting"
    FACTUAL_ACCURACY_REVIEW = "factual_accuracy_review", "Factual accuracy review"
    CONSENT_DECISION = "consent_decision", "Consent decision"
    REVIEW_MEETING = "review_meeting", "Review meeting"
    HANDED_OVER = "handed_over", "Handed over"
    CLOSED = "closed", "Closed"
    DECLINED_BY_PRACTICE = "declined_by_practice", "Declined by practice"
    WITHDRAWN = "withdrawn", "Withdrawn"
    FAILED_TO_ENGAGE = "failed_to_engage", "Failed to engage"


MAIN_PATH = [
    State.COMMISSIONED, State.LEAD_APPOINTED, State.TEAM_RECRUITED, State.SCOPING, State.REPORT_DRAFTING,
    State.FACTUAL_ACCURACY_REVIEW, State.CONSENT_DECISION, State.REVIEW_MEETING, State.HANDED_OVER, State.CLOSED,
]
SIDE_EXITS = [State.DECLINED_BY_PRACTICE, State.WITHDRAWN, State.FAILED_TO_ENGAGE]
ENDED_STATES = frozenset({State.CLOSED, *SIDE_EXITS})
LIVE_STATES = frozenset(set(MAIN_PATH) - {State.CLOSED})
BOARD_STATES = [s for s in MAIN_PATH if s != State.CLOSED]


@rules.predicate
def leads_contract(user, contract):
    return contract is not None and contract.deputy_lead_id == user.pk


@rules.predicate
def on_team(user, contract):
    return contract is not None and contract.team_members.filter(adviser__user=user, removed_at__isnull=True).exists()


@rules.predicate
def practice_lead_of(user, contract):
    return contract is not None and user.practice_id is not None and (
        contract.practice_id == user.practice_id or contract.practices.filter(pk=user.practice_id).exists())


@rules.predicate
def commissioner_lead_of(user, contract):
    return contract is not None and user.commissioner_id is not None and (
        contract.commissioner_id == user.commissioner_id or contract.commissioner.parent_id == user.commissioner_id)


rcgp_lead = is_rcgp_admin | (is_deputy_lead & leads_contract)
rcgp_team = rcgp_lead | (is_rcgp_user & on_team)  # only RCGP people are on teams: nobody else costs a query
practice_lead = is_practice_lead & practice_lead_of
commissioner_lead = is_commissioner_lead & commissioner_lead_of


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    allowed: object  # a rules predicate of (user, contract)
    label: str
    needs_reason: bool = False


TRANSITIONS = [
    Transition(State.COMMISSIONED, State.LEAD_APPOINTED, is_rcgp_admin | is_deputy_lead, "Appoint deputy lead"),
    Transition(State.LEAD_APPOINTED, State.TEAM_RECRUITED, rcgp_lead, "Adviser team recruited"),
    Transition(State.TEAM_RECRUITED, State.SCOPING, rcgp_team, "Start scoping"),
    Transition(State.SCOPING, State.REPORT_DRAFTING, rcgp_team, "Start drafting the report"),
    Transition(State.REPORT_DRAFTING, State.FACTUAL_ACCURACY_REVIEW, rcgp_lead,
               "Send to the practice for factual accuracy"),
    Transition(State.FACTUAL_ACCURACY_REVIEW, State.CONSENT_DECISION, rcgp_lead | practice_lead,
               "Factual accuracy confirmed"),
    Transition(State.CONSENT_DECISION, State.REVIEW_MEETING, rcgp_lead | practice_lead, "Consent decided"),
    Transition(State.REVIEW_MEETING, State.HANDED_OVER, rcgp_lead | commissioner_lead,
               "Hand over to the commissioner"),
    Transition(State.HANDED_OVER, State.CLOSED, is_rcgp_admin | commissioner_lead, "Close the contract"),
]
_EXIT_ALLOWED = {
    State.DECLINED_BY_PRACTICE: rcgp_lead | commissioner_lead | practice_lead,
    State.WITHDRAWN: rcgp_lead | commissioner_lead,
    State.FAILED_TO_ENGAGE: rcgp_lead | commissioner_lead,
}
for _source in MAIN_PATH[:-1]:
    for _target in SIDE_EXITS:
        TRANSITIONS.append(Transition(_source, _target, _EXIT_ALLOWED[_target], State(_target).label,
                                      needs_reason=True))

BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def transitions_from(state):
    return [t for t in TRANSITIONS if t.source == state]


def available_transitions(user, contract):
    """Transitions this user may make on this contract now."""
    return [t for t in transitions_from(contract.state) if t.allowed.test(user, contract)]


def status_of(state):
    """The import/reporting status of a workflow state: enquiry, live or ended."""
    if state == State.ENQUIRY:
        return "enquiry"
    return "ended" if state in ENDED_STATES else "live"
