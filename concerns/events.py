"""The notifications of a concern, registered with the event-notification path (forwardplans.events): neutral
titles, never the concern's category or text. The receivers' title is read only by people who receive concerns on
the contract (scope "concern"); the practice's says only that a concern was raised."""

from forwardplans.events import EventKind, register

CONCERN_RAISED = "concern_raised"
PRACTICE_TOLD = "concern_practice_told"


def _describe_raised(event):
    return "A concern has been reported to you under the duty to report. Acknowledge it by the end of the next " \
           "working day."


def _describe_told(event):
    return ("Under the duty to report, a concern about this contract has been reported to the commissioner and RCGP. "
            "It does not change what you have agreed to share.")


register(EventKind(CONCERN_RAISED, "A concern has been reported on contract {reference}", scope="concern",
                   link="concerns", describe=_describe_raised))
register(EventKind(PRACTICE_TOLD, "Contract {reference}: a concern has been reported to the commissioner",
                   describe=_describe_told))
