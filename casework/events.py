"""One kind of event per move of the lifecycle table, registered with the event-notification path."""

from contracts.workflow import State
from forwardplans.events import EventKind, register

from .lifecycle import MOVES


def kind_name(move):
    return f"case_{move.name}"


def describe(event):
    """The notification's line on the notifications page: who, where the contract is now, and counts."""
    detail, actor = event.detail, event.actor
    parts = [f"By {(actor.get_full_name() or actor.username) if actor else 'someone no longer here'}."]
    if detail.get("to") and detail.get("to") != detail.get("from"):
        parts.append(f"The contract is now at “{State(detail['to']).label}”.")
    if detail.get("corrections"):
        n = detail["corrections"]
        parts.append(f"{n} correction{'s' if n != 1 else ''}.")
    if detail.get("version"):
        parts.append(f"Report version {detail['version']}.")
    return " ".join(parts)


def _link(move):
    if "report" in move.pages:
        return "report"
    return "consent" if "consent" in move.pages else "contract"


for _move in MOVES:
    register(EventKind(kind_name(_move), f"Contract {{reference}}: {_move.announcement}", scope=_move.scope,
                       link=_link(_move), describe=describe))

# Not a move (the report stays returned): the last answer to the practice's corrections.
CORRECTIONS_ANSWERED = "case_corrections_answered"
register(EventKind(CORRECTIONS_ANSWERED, "Contract {reference}: every correction the practice returned has been "
                   "answered: the report can be sent back", link="report", describe=describe))
