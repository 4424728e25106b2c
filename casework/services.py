"""Making a move of the case lifecycle: the one way a contract, its report and its consent change stage."""

from django.db import transaction
from django.utils.text import capfirst

from contracts.services import contract_lock, contract_set_lead, contract_set_stage
from contracts.vocabulary import EndReason
from contracts.workflow import SIDE_EXITS
from core.errors import DomainError
from forwardplans.events import notify
from forwardplans.services import (
    consent_record,
    consent_start,
    correction_answer,
    documents_start,
    latest_version_number,
    report_change_state,
)
from forwardplans.vocabulary import ReportState

from .audiences import recipients
from .events import CORRECTIONS_ANSWERED, kind_name
from .lifecycle import BY_NAME, Audience, Record, refusal
from .selectors import case_of


def _name(user):
    return user.get_full_name() or user.username


@transaction.atomic
def case_move(*, contract, move, actor, note="", effective_on=None, end_reason="", deputy_lead=None):
    """Make ``move`` (a name in the lifecycle table) on ``contract`` as ``actor``.

    The table decides whether the move is allowed now (DomainError with the reason if not); the move then does its
    documents' part (creating the report and plan, changing the report's or consent's state, keeping a version),
    puts the contract at its next stage with the move in its history, and tells the people the table names. A
    side exit needs ``note`` (the reason); closing needs ``end_reason``; appointing a lead takes ``deputy_lead``
    (the actor by default: a deputy lead taking the lead)."""
    spec = BY_NAME.get(move)
    if spec is None:
        raise DomainError("That is not a step of a contract.")
    contract = contract_lock(contract)
    case = case_of(contract, lock=True)
    refused = refusal(spec, case, actor)
    if refused:
        raise DomainError(refused)
    note = (note or "").strip()
    if spec.needs_reason and not note:
        raise DomainError("Give the reason.")
    if spec.needs_end_reason and end_reason not in EndReason.values:
        raise DomainError("Choose why the contract ended.")
    from_stage = contract.state
    detail = {"from": from_stage, "to": spec.to_stage(from_stage)}
    history = capfirst(spec.announcement)  # counts and versions stay in the event (read through the policy)

    if spec.sets_lead:
        lead = deputy_lead or actor
        contract_set_lead(contract=contract, deputy_lead=lead, actor=actor)
        history = f"{_name(lead)} leads the contract"
    if Record.DOCUMENTS in spec.creates:
        case.report, _plan = documents_start(contract=contract)
    if spec.report and spec.report.after and spec.report.after != case.report_state:
        if spec.report.after == ReportState.RETURNED:
            detail["corrections"] = case.draft_corrections
        keep = Record.REPORT_VERSION in spec.creates
        case.report = report_change_state(report=case.report, to_state=spec.report.after, actor=actor,
                                          keep_version=keep)
        if keep:
            detail["version"] = latest_version_number(case.report)
    if Record.CONSENT in spec.creates:
        case.consent = consent_start(contract=contract)
    if spec.consent and spec.consent.after and spec.consent.after != case.consent_state:
        case.consent = consent_record(consent=case.consent, status=spec.consent.after, actor=actor, note=note)
        note = ""  # the practice's note stays with its decision, not in the contract's history

    exit_move = detail["to"] in SIDE_EXITS
    contract_set_stage(contract=contract, to_state=detail["to"], actor=actor,
                       note=note if exit_move else " – ".join(filter(None, [history, note])),
                       effective_on=effective_on,
                       end_reason=end_reason or (EndReason.EARLY_WITHDRAWAL if exit_move else ""))
    notify(kind=kind_name(spec), contract=contract, actor=actor, recipient_ids=recipients(spec.notifies, contract),
           detail=detail)
    return contract


@transaction.atomic
def case_answer_correction(*, correction, actor, answer, reason=""):
    """An adviser answers one of the corrections the practice returned (accepted, or declined with a reason). The
    answer is kept in the contract's history; the answer that leaves none unanswered tells the team that the
    deputy lead can send the report back."""
    contract = contract_lock(correction.report.contract)  # every answer to this report waits for this lock
    was_open = not type(correction).objects.filter(pk=correction.pk).values_list("answer", flat=True).first()
    answered = correction_answer(correction=correction, actor=actor, answer=answer, reason=reason)
    contract_set_stage(contract=contract, to_state=contract.state, actor=actor,
                       note=f"A correction to the diagnostic report was {answered.get_answer_display().lower()}")
    report = answered.report
    if was_open and not report.corrections.filter(returned_at__isnull=False, answer="").exists():
        notify(kind=CORRECTIONS_ANSWERED, contract=contract, actor=actor,
               recipient_ids=recipients((Audience.TEAM,), contract),
               detail={"corrections": report.corrections.filter(returned_in=answered.returned_in).count()})
    return answered
