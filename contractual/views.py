"""The contractual-action pages: a practice's cases (a timeline of the steps, with forms for the next), a notice,
and the letters as Word and PDF. Every record comes through contractual/access.py: a hidden one answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.submit import page_status, refuse, run_for_form
from practices.access import get_practice_or_404

from . import access, forms, letters, lifecycle, selectors, services
from .models import ContractualCase

CASE_STEPS = {
    "assess_risk": (forms.RiskForm, services.risk_assess),
    "open_investigation": (forms.InvestigationOpenForm, services.investigation_open),
    "record_investigation": (forms.InvestigationForm, services.investigation_record),
    "complete_investigation": (forms.InvestigationCompleteForm, services.investigation_record),
    "decide": (forms.DecisionForm, services.decision_record),
    "issue_notice": (forms.NoticeForm, services.notice_issue),
    "flag_performer": (forms.PerformerReferralForm, services.case_flag_performer_referral),
    "record_continuity": (forms.ContinuityForm, services.continuity_record),
    "close": (forms.CloseForm, services.case_close),
}
NOTICE_STEPS = {
    "serve": (forms.ServeForm, services.notice_serve),
    "appeal": (forms.AppealForm, services.appeal_record),
    "appeal_outcome": (forms.AppealDecideForm, services.appeal_decide),
    "outcome": (forms.OutcomeForm, services.notice_record_outcome),
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _practice_page(request, practice, *, open_form=None, step_forms=None, status=200):
    user = request.user
    cases = list(selectors.practice_cases(user, practice))
    notices = [] if cases else list(selectors.practice_notices(user, practice))
    can_open = access.can_act(user, _probe(practice))
    if not cases and not notices and not can_open:
        raise Http404
    step_forms = step_forms or {}
    for case in cases:
        case.can_act = access.can_act(user, case)
        case.steps = [(step, step_forms.get((case.pk, step.name)) or CASE_STEPS[step.name][0](
            initial={"version": case.version}, auto_id=_ids(case.pk, step.name))) for step in _offered(case)
            ] if case.can_act else []
        # A step refused as out of order keeps its form, with the reason, where it was filled in.
        shown = {step.name for step, _form in case.steps}
        case.steps += [(lifecycle.STEPS[name], form) for (pk, name), form in step_forms.items()
                       if pk == case.pk and name not in shown and name in lifecycle.STEPS and form.errors]
    return render(request, "contractual/practice.jinja", {
        "practice": practice, "cases": cases, "notices": notices, "sees_text": access.sees_text(user),
        "can_open": can_open, "open_form": open_form or forms.CaseOpenForm(),
        "episode": selectors.cqc_timescale(practice)}, status=status)


def _ids(*keys):
    """Each step's form has its own element ids: a page shows several forms with the same fields."""
    return "id_" + "_".join(str(key) for key in keys) + "_%s"


def _offered(case):
    """The next steps that have a form here; a performer referral is recorded once, so its form goes once it is."""
    return [step for step in lifecycle.next_steps(case) if step.name in CASE_STEPS
            and not (step.name == "flag_performer" and case.performer_referred_on)]


def _probe(practice):
    probe = ContractualCase(practice=practice, commissioner_id=practice.commissioner_id)
    probe.commissioner = practice.commissioner
    return probe


@login_required
def practice_view(request, ods_code):
    if not access.has_contractual_pages(request.user):
        raise Http404
    practice = get_practice_or_404(request.user, ods_code)
    return _practice_page(request, practice)


@require_POST
@login_required
def case_open_view(request, ods_code):
    practice = get_practice_or_404(request.user, ods_code)
    if not access.can_act(request.user, _probe(practice)):
        raise Http404  # only the practice's commissioner lead records contractual action: nobody else finds it
    form = forms.CaseOpenForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_for_form(form, lambda: services.case_open(practice=practice, actor=request.user,
                                                                **form.service_kwargs()))
        if outcome.ok:
            messages.success(request, "The concern notification has been recorded. Record the risk assessment next.")
            return redirect("contractual:practice", ods_code=ods_code)
    return _practice_page(request, practice, open_form=form, status=page_status(form, outcome))


@require_POST
@login_required
def case_step_view(request, pk, step):
    if step not in CASE_STEPS:
        raise Http404
    case = access.get_case_or_404(request.user, pk)
    refuse(request, access.refusal(request.user, case))
    form_class, service = CASE_STEPS[step]
    form = form_class(request.POST, auto_id=_ids(case.pk, step))
    outcome = None
    if form.is_valid():
        kwargs = form.service_kwargs()
        outcome = run_for_form(form, lambda: service(case=case, actor=request.user,
                                                     version=form.cleaned_data.get("version"), **kwargs),
                               current_version=lambda: access.get_case_or_404(request.user, pk).version)
        if outcome.ok:
            messages.success(request, "Recorded.")
            return redirect("contractual:practice", ods_code=case.practice.ods_code)
    return _practice_page(request, case.practice, step_forms={(case.pk, step): form},
                          status=page_status(form, outcome))


def _notice_page(request, notice, *, step_forms=None, status=200):
    user = request.user
    can_act = access.can_act(user, notice.case)
    step_forms = step_forms or {}
    shown = {name: step_forms.get(name) or form_class(initial={"version": notice.version}, auto_id=_ids(name))
             for name, (form_class, _service) in NOTICE_STEPS.items()} if can_act else {}
    appeal = access.appeal_of(user, notice)
    return render(request, "contractual/notice.jinja", {
        "notice": notice, "case": notice.case, "practice": notice.case.practice, "appeal": appeal,
        "sees_text": access.sees_text(user), "can_act": can_act, "forms": shown,
        "episode": selectors.cqc_timescale(notice.case.practice)}, status=status)


@login_required
def notice_view(request, pk):
    return _notice_page(request, access.get_notice_or_404(request.user, pk))


@require_POST
@login_required
def notice_step_view(request, pk, step):
    if step not in NOTICE_STEPS:
        raise Http404
    notice = access.get_notice_or_404(request.user, pk)
    refuse(request, access.refusal(request.user, notice.case))
    form_class, service = NOTICE_STEPS[step]
    form = form_class(request.POST, auto_id=_ids(step))
    outcome = None
    if form.is_valid():
        kwargs = form.service_kwargs()
        outcome = run_for_form(form, lambda: service(notice=notice, actor=request.user,
                                                     version=form.cleaned_data.get("version"), **kwargs),
                               current_version=lambda: access.get_notice_or_404(request.user, pk).version)
        if outcome.ok:
            messages.success(request, "Recorded.")
            return redirect("contractual:notice", pk=pk)
    return _notice_page(request, notice, step_forms={step: form}, status=page_status(form, outcome))


def _download(content, content_type, name):
    if content_type not in (DOCX, "application/pdf"):
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def notice_letter_view(request, pk, fmt):
    if fmt not in ("docx", "pdf"):
        raise Http404
    notice = access.get_notice_or_404(request.user, pk)
    if not access.sees_text(request.user):
        raise Http404
    heading, paragraphs = letters.notice_paragraphs(notice)
    name = f"{notice.kind}-notice-{notice.case.practice.ods_code}-{notice.dated_on:%Y-%m-%d}"
    if fmt == "docx":
        return _download(letters.word(heading, paragraphs), DOCX, f"{name}.docx")
    return _download(letters.pdf(heading, paragraphs), "application/pdf", f"{name}.pdf")


@login_required
def decision_letter_view(request, pk, fmt):
    if fmt not in ("docx", "pdf"):
        raise Http404
    case = access.get_case_or_404(request.user, pk)
    refuse(request, access.refusal(request.user, case))
    decision = case.decisions.filter(kind="no_action").order_by("-pk").first()
    if decision is None:
        raise Http404
    heading, paragraphs = letters.decision_paragraphs(decision)
    name = f"no-contractual-action-{case.practice.ods_code}-{decision.decided_on:%Y-%m-%d}"
    if fmt == "docx":
        return _download(letters.word(heading, paragraphs), DOCX, f"{name}.docx")
    return _download(letters.pdf(heading, paragraphs), "application/pdf", f"{name}.pdf")
