"""The pages where a case moves: the contract page, the diagnostic report page and the consent page, and the one
endpoint every move button posts to. Each button comes from the lifecycle table (casework.selectors)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contracts import access as contract_access
from contracts.forms import FirstContactForm, OutcomeForm
from contracts.panels import panels_for
from contracts.selectors import contract_detail
from contracts.services import next_inspection_after
from contracts.workflow import State, rcgp_lead, rcgp_team
from core.errors import DomainError
from core.relations import concern_raisers, concern_receivers
from core.roles import is_deputy_lead, is_rcgp_admin
from core.submit import refuse
from forwardplans import access as document_access
from forwardplans import permissions as doc_permissions
from forwardplans.access_log import can_read_access_log
from forwardplans.forms import CorrectionAnswerForm
from forwardplans.selectors import report_corrections
from forwardplans.services import latest_version_number
from forwardplans.views import correction_or_404
from forwardplans.vocabulary import EDITABLE_REPORT_STATES, REPORT_SECTIONS, ConsentStatus, ReportState, RootCause

from .forms import ConsentForm, MoveForm
from .lifecycle import BY_NAME, PATHS, who_refusal
from .selectors import PAGE_LINKS, available_moves, case_of, document_work, page_link, unwritten_sections
from .services import case_answer_correction, case_move


def _documents(user, contract, case):
    """What the user may open of the contract's documents now."""
    readable = document_access.document_contracts_for(user).filter(pk=contract.pk).exists()
    report_readable = bool(case.report) and document_access.reports_for(user).filter(pk=case.report.pk).exists()
    return {"readable": readable, "report": report_readable, "plan": readable and bool(case.report),
            "consent": readable and bool(case.consent)}


def _page_links(moves, case, user):
    """[(url, text)]: the report work waiting for the user, and the pages where their other moves are made."""
    pages = dict.fromkeys(p for m, _b in moves if "contract" not in m.pages for p in m.pages if p in PAGE_LINKS)
    links = [(text, reverse(name, args=[case.contract.reference])) for name, text in
             (page_link(page, case) for page in pages)]
    return [(url, text) for text, url in document_work(case, user) + links]


def _unwritten_if_sending(moves, case):
    """The sections that would go to the practice empty, when the user may send the report now."""
    sending = any(m.name in ("send_report", "resend_report") and not blocked for m, blocked in moves)
    return unwritten_sections(case) if sending else []


def _in_special_measures_after(contract):
    """As recorded, or, until it is, what the practice's current special-measures episode says."""
    if contract.in_special_measures_after is not None:
        return contract.in_special_measures_after
    return contract.practice.special_measures.active


def _contract_page(request, contract, case, move_error=None, status=200):
    user = request.user
    context = contract_detail(user, contract.reference, contract=contract)
    moves = available_moves(user, contract, case)
    lead_moves = [(m, blocked) for m, blocked in moves if "lead" in m.pages]
    documents = _documents(user, contract, case)
    context.update(
        case=case, path=PATHS[case.track], moves=[(m, b) for m, b in moves if "contract" in m.pages],
        page_links=_page_links(moves, case, user),
        unwritten=_unwritten_if_sending(moves, case),
        can_take_lead=any(m.name == "appoint_lead" for m, _b in lead_moves) and is_deputy_lead(user),
        can_appoint_lead=any(m.name in ("appoint_lead", "change_lead") for m, _b in lead_moves) and is_rcgp_admin(user),
        move_form=MoveForm(), move_error=move_error,
        first_contact_form=FirstContactForm(),
        can_record_first_contact=bool(user.role) and rcgp_team.test(user, contract),
        can_manage_team=rcgp_lead.test(user, contract),
        can_record_outcome=is_rcgp_admin(user),
        outcome_form=OutcomeForm(initial={
            "rating_after": contract.rating_after, "closure": contract.closure,
            "in_special_measures_after": {True: "yes", False: "no"}.get(
                _in_special_measures_after(contract) if is_rcgp_admin(user) else None, ""),
        }),
        next_inspection=next_inspection_after(contract),
        documents=documents,
        # The notes made with the moves are about the report and plan: they follow the document rule.
        show_move_notes=documents["readable"],
        can_run_questionnaire=doc_permissions.can_run_questionnaire.test(user, contract),
        can_read_answers=doc_permissions.can_read_answers.test(user, contract),
        can_invite_staff=doc_permissions.can_invite_staff.test(user, contract),
        can_read_access_log=can_read_access_log.test(user, contract),
        # The duty to report (docs/domain.md §9): the team raises a concern, the commissioner's lead and RCGP admin
        # receive it, whatever consent says; nobody else is shown that concerns exist.
        can_raise_concern=concern_raisers.test(user, contract),
        receives_concerns=concern_receivers.test(user, contract),
        draft_corrections=case.draft_corrections if doc_permissions.can_check_accuracy.test(user, contract) else 0,
    )
    context["panels"] = panels_for(request, contract)
    # The objectives set at commissioning show until an agreement (agreements app, reached by its relation) holds them.
    context["has_agreement"] = bool(context.get("show_objectives")) and hasattr(contract, "agreement")
    if context["can_run_questionnaire"] or context["can_invite_staff"]:
        context["questionnaires"] = list(contract.questionnaires.filter(purpose="diagnostic"))
    return render(request, "contracts/detail.jinja", context, status=status)


@login_required
def contract_detail_view(request, reference):
    contract = contract_access.get_contract_or_404(request.user, reference)
    return _contract_page(request, contract, case_of(contract))


def _after_move(request, contract, move):
    """Where a move leaves its maker: the page they made it on, if they may still open it; else the contract."""
    documents = _documents(request.user, contract, case_of(contract))
    if request.POST.get("from") == "report" and documents["report"]:
        return redirect("forwardplans:report", reference=contract.reference)
    return redirect("contracts:detail", reference=contract.reference)


def _success_message(move, contract):
    if move.name == "return_report":
        return "The report has gone back to the advisers with your corrections. You will be told when it is back."
    if move.name == "confirm_accuracy":
        return "You have confirmed the report is accurate. Now decide whether to share it with the commissioner."
    return f"Done: {move.label.lower()}. Contract {contract.reference} is at “{contract.get_state_display()}”."


@require_POST
@login_required
def move_view(request, reference, move):
    """Every move button posts here. A refused move shows its page again with the reason and what was typed."""
    contract = contract_access.get_contract_or_404(request.user, reference)
    spec = BY_NAME.get(move)
    if spec is None:
        raise Http404
    # Not theirs to make: refused with the reason (the contract is no secret to them). Anything else that stands in
    # the way (the stage, the documents) is shown on the page with what they typed.
    refuse(request, who_refusal(spec, request.user, contract))
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(" ".join(e for errors in form.errors.values() for e in errors))
        data = form.cleaned_data
        moved = case_move(contract=contract, move=move, actor=request.user, note=data["note"],
                          effective_on=data["effective_on"], end_reason=data["end_reason"],
                          deputy_lead=data["deputy_lead"])
    except DomainError as exc:
        error = {"move": spec.name, "message": str(exc), "data": request.POST}
        if request.POST.get("from") == "report" and document_access.reports_for(request.user).filter(
                contract=contract).exists():
            return _report_page(request, contract, move_error=error, status=422)
        return _contract_page(request, contract, case_of(contract), move_error=error, status=422)
    messages.success(request, _success_message(spec, moved))
    return _after_move(request, moved, spec)


# The diagnostic report ----------------------------------------------------------------------------------

def _report_page(request, contract, move_error=None, status=200):
    user = request.user
    report = (document_access.reports_for(user).select_related("contract__practice", "approved_by")
              .filter(contract=contract).first())
    if report is None:
        raise Http404
    case = case_of(contract)
    moves = available_moves(user, contract, case)
    can_edit = report.state in EDITABLE_REPORT_STATES and doc_permissions.can_write_documents.test(user, contract)
    corrections = (report_corrections(report, drafts=doc_permissions.can_check_accuracy.test(user, contract))
                   if doc_permissions.can_read_corrections.test(user, contract) else {})
    return render(request, "forwardplans/report.jinja", {
        "report": report, "contract": contract,
        "versions": list(document_access.report_versions_for(user).filter(report=report).select_related("created_by")),
        "sections": [(name, heading, getattr(report, report.field_for(name)), corrections.get(name, []))
                     for name, heading in REPORT_SECTIONS],
        "root_causes": [RootCause(c).label for c in report.root_causes],
        "moves": [(m, b) for m, b in moves if "report" in m.pages],
        "unwritten": _unwritten_if_sending(moves, case),
        "can_edit": can_edit,
        "my_drafts": set(document_access.section_drafts_for(user).filter(report=report)
                         .values_list("section", flat=True)) if can_edit else set(),
        "can_correct": (report.state == ReportState.WITH_PRACTICE
                        and doc_permissions.can_check_accuracy.test(user, contract)),
        "can_answer": report.state == ReportState.RETURNED and doc_permissions.can_write_documents.test(user, contract),
        "consent_link": page_link("consent", case)[1] if any("consent" in m.pages for m, _b in moves) else "",
        "move_form": MoveForm(), "move_error": move_error, "ReportState": ReportState,
    }, status=status)


@login_required
def report_view(request, reference):
    return _report_page(request, contract_access.get_contract_or_404(request.user, reference))


@login_required
def correction_answer_view(request, reference, pk):
    """An adviser accepts a correction of this round, or declines it with a reason the practice will read."""
    report, correction = correction_or_404(request, reference, pk)
    if (report.state != ReportState.RETURNED or correction.returned_in != latest_version_number(report)
            or not doc_permissions.can_write_documents.test(request.user, report.contract)):
        raise Http404
    form = CorrectionAnswerForm(request.POST or None, initial={"answer": correction.answer,
                                                               "reason": correction.answer_reason})
    if request.method == "POST" and form.is_valid():
        try:
            case_answer_correction(correction=correction, actor=request.user, answer=form.cleaned_data["answer"],
                                   reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Correction to “{correction.get_section_display()}” "
                                      f"{form.cleaned_data['answer']}.")
            return redirect(f"{reverse('forwardplans:report', args=[reference])}#section-{correction.section}")
    return render(request, "forwardplans/correction_answer.jinja", {
        "report": report, "contract": report.contract, "correction": correction, "form": form},
        status=422 if form.errors else 200)


# Consent to share ------------------------------------------------------------------------------------

@login_required
def consent_view(request, reference):
    """The practice's decision on sharing the report and plan: its history for everyone who may read the
    documents; the choices the lifecycle allows now for the practice lead."""
    user = request.user
    contract = contract_access.get_contract_or_404(user, reference)
    case = case_of(contract)
    if case.consent is None or not document_access.document_contracts_for(user).filter(pk=contract.pk).exists():
        raise Http404
    moves = [m for m, _blocked in available_moves(user, contract, case) if "consent" in m.pages]
    form = ConsentForm(request.POST or None, moves=moves)
    if request.method == "POST":
        if not moves:
            raise Http404
        if form.is_valid():
            try:
                case_move(contract=contract, move=form.cleaned_data["move"], actor=user,
                          note=form.cleaned_data["note"])
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Your decision on sharing has been recorded.")
                return redirect("forwardplans:consent", reference=reference)
    history = list(case.consent.history.select_related("decided_by").order_by("-history_date")
                   .exclude(status=ConsentStatus.NOT_DECIDED))
    return render(request, "forwardplans/consent.jinja", {
        "contract": contract, "consent": case.consent, "form": form, "can_decide": bool(moves), "history": history,
        "stage": State(contract.state),
    }, status=422 if form.errors else 200)
