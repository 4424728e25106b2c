"""Reads of a case: a contract with its report and consent, and what a user may do on it now."""

from django.urls import reverse

from forwardplans.models import ConsentToShare, DiagnosticReport
from forwardplans.vocabulary import ConsentStatus

from .lifecycle import Case, moves_for

# Moves made on another page than the contract's: how the contract page and home pages point to them.
PAGE_LINKS = {
    "report": ("forwardplans:report", "Check the diagnostic report for factual accuracy"),
    "consent": ("forwardplans:consent", "Decide whether to share the report and plan with the commissioner"),
}


def page_link(page, case):
    """(url name, text) of the page where the user makes their next move on this case."""
    name, text = PAGE_LINKS[page]
    if page == "consent" and case.consent_state not in (None, ConsentStatus.NOT_DECIDED):
        text = "Change your decision on sharing the report and plan"
    return name, text


def case_of(contract, *, lock=False):
    """The contract's case. ``lock``: the report and consent rows too (the contract's own lock is the caller's)."""
    reports, consents = DiagnosticReport.objects.all(), ConsentToShare.objects.all()
    if lock:
        reports, consents = reports.select_for_update(), consents.select_for_update()
    return Case(contract=contract, report=reports.filter(contract=contract).first(),
                consent=consents.filter(contract=contract).first())


def available_moves(user, contract, case=None):
    """[(move, blocked reason or None)] this user may make on the contract at its stage."""
    return moves_for(case or case_of(contract), user)


def next_steps(case, user):
    """[(text, url)]: what this user can do next on the case, for a home page (side exits left out)."""
    steps = {}
    for move, _blocked in moves_for(case, user, guards=False):
        if move.needs_reason or "lead" in move.pages:
            continue
        page = None if "contract" in move.pages else next((p for p in move.pages if p in PAGE_LINKS), None)
        if page:
            name, text = page_link(page, case)
            steps[text] = reverse(name, args=[case.contract.reference])
        else:
            steps[move.label] = reverse("contracts:detail", args=[case.contract.reference])
    return list(steps.items())
