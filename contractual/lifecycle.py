"""The order of contractual action, as one table (002 Chapter 3 and its flow diagram, Annex 7).

Each step says from which states of the case it can be taken, the state it leads to (None: the state stays), who
may take it (contractual/access.py: the practice's commissioner lead) and what it creates. contractual.services
checks every step against this table, so the order lives here only:

- the risk assessment comes first, on a concern received;
- an investigation (minor, moderate or major) may follow it, and must be completed before a decision;
- no decision without a completed risk assessment; a decision may follow the assessment directly (002 §86: "any
  subsequent visit and investigation") or a completed investigation, and a further one may follow a notice that
  was not remedied (a breach notice, a sanction, termination);
- a notice only follows a decision that calls for one, and never on a closed practice;
- the performer-concern flag and continuity arrangements may be recorded at any open step;
- a closed case takes no further step.
"""

from dataclasses import dataclass

from .access import ACT
from .models import State

S = State
OPEN = (S.RECEIVED, S.ASSESSED, S.INVESTIGATING, S.INVESTIGATED, S.DECIDED)


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple
    target: str | None
    creates: str
    who: object = ACT
    who_text: str = "the practice's commissioner lead"


STEPS = {step.name: step for step in (
    Step("assess_risk", "Record the risk assessment", (S.RECEIVED,), S.ASSESSED, "RiskAssessment"),
    Step("open_investigation", "Start an investigation", (S.ASSESSED,), S.INVESTIGATING, "Investigation"),
    Step("record_investigation", "Record the investigation", (S.INVESTIGATING,), None, "Investigation (updated)"),
    Step("complete_investigation", "Complete the investigation", (S.INVESTIGATING,), S.INVESTIGATED,
         "Investigation (completed)"),
    Step("decide", "Record the decision", (S.ASSESSED, S.INVESTIGATED, S.DECIDED), S.DECIDED, "Decision"),
    Step("issue_notice", "Issue a notice", (S.DECIDED,), None, "Notice"),
    Step("flag_performer", "Record a performer concern referral", OPEN, None, "ContractualCase.performer_referred_on"),
    Step("record_continuity", "Record a continuity arrangement", OPEN, None, "ContinuityArrangement"),
    Step("close", "Close the case", OPEN, S.CLOSED, "ContractualCase.closed_on"),
)}

# Steps on a notice (any state but closed, once the notice exists): serving it, an appeal, its outcome.
NOTICE_STEPS = ("serve_notice", "record_appeal", "decide_appeal", "record_outcome")

REFUSED_ORDER = {
    "assess_risk": "The risk assessment has already been recorded.",
    "open_investigation": "Record a completed risk assessment before starting an investigation.",
    "record_investigation": "There is no investigation under way to record.",
    "complete_investigation": "There is no investigation under way to complete.",
    "decide": "Record a completed risk assessment (and complete any investigation under way) before a decision.",
    "issue_notice": "Record a decision to issue a notice before issuing one.",
}


def out_of_order(step_name, case):
    """Why ``step_name`` cannot be taken on ``case`` now (None: it can)."""
    step = STEPS[step_name]
    if case.state == S.CLOSED:
        return "This case is closed: nothing more can be recorded on it."
    if case.state not in step.sources:
        return REFUSED_ORDER.get(step_name, f"{step.label} is not possible at this step.")
    return None


def next_steps(case):
    """The steps that can be taken on ``case`` now, in the table's order."""
    return [step for step in STEPS.values() if out_of_order(step.name, case) is None]
