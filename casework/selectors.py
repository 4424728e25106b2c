"""Reads of a case: a contract with its report and consent, and what a user may do on it now."""

from django.urls import reverse

from forwardplans.models import ConsentToShare, DiagnosticReport
from forwardplans.permissions import can_write_documents
from forwardplans.vocabulary import EDITABLE_REPORT_STATES, REPORT_SECTIONS, ConsentStatus, ReportState

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


def document_work(case, user):
    """[(text, url)]: the report work waiting for this user that is not a move: writing it, answering the
    practice's corrections."""
    report = case.report
    if report is None or report.state not in EDITABLE_REPORT_STATES or not can_write_documents.test(
            user, case.contract):
        return []
    url = reverse("forwardplans:report", args=[case.contract.reference])
    if report.state == ReportState.RETURNED:
        n = case.unanswered_corrections
        return [(f"Answer the practice's corrections ({n} waiting)" if n else
                 "Make the accepted corrections in the report", url)]
    return [("Write the diagnostic report", url)]


def unwritten_sections(case):
    """Headings of the report's sections with no text yet."""
    values = case.report.section_values() if case.report else {}
    return [heading for name, heading in REPORT_SECTIONS if not values.get(name)]


def next_steps(case, user):
    """[(text, url)]: what this user can do next on the case, for a home page (side exits left out)."""
    steps = dict(document_work(case, user))
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
