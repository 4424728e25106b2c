"""A contract's stages (docs/domain.md §6). Who may act on a contract: contracts/access.py, from core/relations.py.

Which moves lead from stage to stage, who may make them and what each needs of the contract's documents is the
case lifecycle's table (casework/lifecycle.py): a contract's stage moves with its report and consent.
"""

from django.db import models

from core.relations import (  # noqa: F401  (imported from here by pages and services)
    commissioner_lead,
    commissioner_of_contract,
    led_by,
    on_team,
    practice_lead,
    practice_of_contract,
    rcgp_lead,
    rcgp_team,
)


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


# Who may act on a contract is a relation of the user to it, written once in core/relations.py (with the queryset
# the access modules build from it); these names stay for the pages and services that ask about one contract.
leads_contract = led_by
practice_lead_of = practice_of_contract
commissioner_lead_of = commissioner_of_contract


def status_of(state):
    """The import/reporting status of a workflow state: enquiry, live or ended."""
    if state == State.ENQUIRY:
        return "enquiry"
    return "ended" if state in ENDED_STATES else "live"
