"""A contract's stages (DESIGN.md §2) and the relations of a user to a contract that decide who may act on it.

Which moves lead from stage to stage, who may make them and what each needs of the contract's documents is the
case lifecycle's table (casework/lifecycle.py): a contract's stage moves with its report and consent.
"""

import rules
from django.db import models

from core.roles import is_commissioner_lead, is_deputy_lead, is_practice_lead, is_rcgp_admin, is_rcgp_user


class State(models.TextChoices):
    ENQUIRY = "enquiry", "Enquiry"
    COMMISSIONED = "commissioned", "Commissioned"
    LEAD_APPOINTED = "lead_appointed", "Deputy lead appointed"
    TEAM_RECRUITED = "team_recruited", "Adviser team recruited"
    SCOPING = "scoping", "Scoping"
    DELIVERY = "delivery", "Support being delivered"
    REPORT_DRAFTING = "report_drafting", "Report drafting"
    FACTUAL_ACCURACY_REVIEW = "factual_accuracy_review", "Factual accuracy review"
    CONSENT_DECISION = "consent_decision", "Consent decision"
    REVIEW_MEETING = "review_meeting", "Review meeting"
    HANDED_OVER = "handed_over", "Handed over"
    CLOSED = "closed", "Closed"
    DECLINED_BY_PRACTICE = "declined_by_practice", "Declined by practice"
    WITHDRAWN = "withdrawn", "Withdrawn"
    FAILED_TO_ENGAGE = "failed_to_engage", "Failed to engage"


# Every stage a live contract can be at, in process order (a contract with a diagnostic report goes through
# scoping to the review meeting; one without, such as an away day, through delivery; casework.lifecycle.PATHS).
BOARD_STATES = [
    State.COMMISSIONED, State.LEAD_APPOINTED, State.TEAM_RECRUITED, State.SCOPING, State.DELIVERY,
    State.REPORT_DRAFTING, State.FACTUAL_ACCURACY_REVIEW, State.CONSENT_DECISION, State.REVIEW_MEETING,
    State.HANDED_OVER,
]
SIDE_EXITS = [State.DECLINED_BY_PRACTICE, State.WITHDRAWN, State.FAILED_TO_ENGAGE]
ENDED_STATES = frozenset({State.CLOSED, *SIDE_EXITS})
LIVE_STATES = frozenset(BOARD_STATES)


@rules.predicate
def leads_contract(user, contract):
    return contract is not None and contract.deputy_lead_id == user.pk


@rules.predicate
def on_team(user, contract):
    if contract is None:
        return False
    current = getattr(contract, "current_team", None)  # lists prefetch it (selectors.with_current_team)
    if current is not None:
        return any(member.adviser.user_id == user.pk for member in current)
    return contract.team_members.filter(adviser__user=user, removed_at__isnull=True).exists()


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


def status_of(state):
    """The import/reporting status of a workflow state: enquiry, live or ended."""
    if state == State.ENQUIRY:
        return "enquiry"
    return "ended" if state in ENDED_STATES else "live"
