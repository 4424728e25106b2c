from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contracts import access as contract_access
from core import exports as list_exports
from core.errors import DomainError, NotAllowed, NothingChanged
from core.submit import page_status, refuse, run_for_form
from core.text import attachment_disposition

from . import access, charts, exports, permissions, plan_versions, services, word
from . import pdf as pdfs
from .access_log import access_log, can_read_access_log
from .forms import (
    ActionForm,
    CorrectionForm,
    EvidenceForm,
    MilestoneForm,
    MilestoneToggleForm,
    NewActionForm,
    PlanInspectionForm,
    PlanVersionForm,
    ProgressForm,
    RagForm,
    RootCausesForm,
    SectionForm,
)
from .models import REPORT_PARTS, ROOT_CAUSES_PART
from .questionnaire_services import questionnaire_summary_text
from .selectors import (
    PLAN_PAGE_FIELDS,
    action_detail,
    cqc_action_plan,
    plan_actions,
    summary_of_groups,
    version_diff,
)
from .selectors import plan_versions as plan_versions_of
from .services import StaleEdit
from .uploads import download_name, served_content_type
from .vocabulary import (
    EDITABLE_REPORT_STATES,
    KEY_QUESTION_CHOICES,
    RAG_MEANING,
    REPORT_SECTIONS,
    ROOT_CAUSE_GROUPS,
    Rag,
    ReportState,
)


def _contract(request, reference):
    return contract_access.get_contract_or_404(request.user, reference)


# Diagnostic Report ------------------------------------------------------------------------------
# The report page itself, and the moves that send, return and confirm it, are the case lifecycle's
# (casework.views); here are its editor, its kept versions and the factual-accuracy corrections.

def _report(request, reference):
    return access.get_report_or_404(request.user, reference)


def _editable_part(request, reference, part):
    """The report and one of its parts (a section, or "root_causes") that the user may edit now (or 404)."""
    report = _report(request, reference)
    if (part not in REPORT_PARTS or report.state not in EDITABLE_REPORT_STATES
            or not permissions.can_write_documents.test(request.user, report.contract)):
        raise Http404
    return report


@login_required
def report_section_view(request, reference, part):
    """Edit one section of the report (or its root-cause tags), from the version its writer started from. The
    writer's unsaved text, kept while they typed (an expired session, say), is offered back beside the saved text."""
    report = _editable_part(request, reference, part)
    root_causes = part == ROOT_CAUSES_PART
    heading = "Root causes" if root_causes else dict(REPORT_SECTIONS)[part]
    draft = None if root_causes else access.section_drafts_for(request.user).filter(report=report, section=part).first()
    if draft is not None and draft.text == report.part_value(part):
        draft = None  # nothing unsaved in it: it is not offered, and its version is not the one to go on from
    if root_causes:
        form = RootCausesForm(request.POST or None, initial={"version": report.part_version(part),
                                                             "root_causes": report.root_causes})
    else:
        form = SectionForm(request.POST or None, heading=heading, initial={
            "version": draft.base_version if draft else report.part_version(part),
            "text": draft.text if draft else report.part_value(part)})
    outcome = None
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["root_causes" if root_causes else "text"]
        try:
            outcome = run_for_form(form, lambda: services.report_part_save(
                report=report, actor=request.user, part=part, value=value, base_version=form.cleaned_data["version"]),
                current_version=lambda: type(report).objects.get(pk=report.pk).part_version(part))
        except NothingChanged as exc:
            services.section_draft_discard(report=report, actor=request.user, section=part)
            messages.info(request, str(exc))
            return redirect(f"{reverse('forwardplans:report', args=[reference])}#section-{part}")
        if outcome.ok:
            messages.success(request, f"“{heading}” saved.")
            return redirect(f"{reverse('forwardplans:report', args=[reference])}#section-{part}")
    conflict = outcome.conflict if outcome else None
    latest_questionnaire = (report.contract.questionnaires.filter(purpose="diagnostic").first()
                            if part == "staff_opinion" else None)
    return render(request, "forwardplans/report_section.jinja", {
        "report": report, "contract": report.contract, "form": form, "part": part, "heading": heading,
        "root_causes": root_causes, "root_cause_groups": ROOT_CAUSE_GROUPS, "conflict": conflict,
        "draft": draft, "kept_text": draft.text if draft else report.part_value(part),
        "saved_text": report.part_value(part),
        "questionnaire_quote": questionnaire_summary_text(latest_questionnaire) if latest_questionnaire else "",
    }, status=page_status(form, outcome))


@require_POST
@login_required
def section_draft_view(request, reference, part):
    """Keep the writer's unsaved text of a section (autosaved by the page while they type, never kept in the
    browser), or discard it."""
    report = _editable_part(request, reference, part)
    if request.POST.get("discard"):
        services.section_draft_discard(report=report, actor=request.user, section=part)
        messages.success(request, "Your unsaved text was discarded.")
        return redirect("forwardplans:report_section", reference=reference, part=part)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponse("The version is missing.", status=422, content_type="text/plain")
    try:
        services.section_draft_keep(report=report, actor=request.user, section=part,
                                    text=request.POST.get("text", "")[:20000], base_version=version)
    except DomainError as exc:
        return HttpResponse(str(exc), status=422, content_type="text/plain")
    return HttpResponse(status=204)  # core.sessions adds how long the session has left


def correction_or_404(request, reference, pk):
    """The report and one of its corrections, if the user may read it (a draft: only the practice lead)."""
    report = _report(request, reference)
    correction = get_object_or_404(report.corrections.select_related("report__contract"), pk=pk)
    if not permissions.can_read_corrections.test(request.user, report.contract) or (
            correction.is_draft and not permissions.can_check_accuracy.test(request.user, report.contract)):
        raise Http404
    return report, correction


@login_required
def correction_new_view(request, reference):
    """The practice lead notes a factual error: the section, the passage as written and what it should say."""
    report = _report(request, reference)
    if report.state != ReportState.WITH_PRACTICE or not permissions.can_check_accuracy.test(request.user,
                                                                                            report.contract):
        raise Http404
    form = CorrectionForm(request.POST or None, initial={"section": request.GET.get("section")})
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_add(report=report, actor=request.user, **{
                k: form.cleaned_data[k] for k in ("section", "passage", "correction")})
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Correction noted. Add any others, then return the report to the advisers.")
            section = form.cleaned_data["section"]
            return redirect(f"{reverse('forwardplans:report', args=[reference])}#section-{section}")
    return render(request, "forwardplans/correction_form.jinja", {"report": report, "contract": report.contract,
                                                                  "form": form}, status=422 if form.errors else 200)


@require_POST
@login_required
def correction_remove_view(request, reference, pk):
    _report_, correction = correction_or_404(request, reference, pk)
    try:
        services.correction_remove(correction=correction, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Correction removed.")
    return redirect("forwardplans:report", reference=reference)


@login_required
def report_version_view(request, reference, number):
    report = get_object_or_404(access.reports_for(request.user), contract__reference=reference)
    versions = access.report_versions_for(request.user).filter(report=report)
    version = get_object_or_404(versions.select_related("created_by"), number=number)
    previous = versions.filter(number__lt=number).order_by("-number").first()
    return render(request, "forwardplans/report_version.jinja", {
        "report": report, "contract": report.contract, "version": version, "previous": previous,
        "sections": [(heading, version.sections.get(name, "")) for name, heading in REPORT_SECTIONS],
        "diff": version_diff(previous, version) if previous else None,
    })


# Forward Plan -----------------------------------------------------------------------------------

def _plan(request, reference):
    return get_object_or_404(access.plans_for(request.user).select_related("contract__practice", "inspection"),
                             contract__reference=reference)


def _plan_context(request, plan, groups, **forms_):
    """The plan page's context; ``forms_``: the inspection or version form as posted, with its errors."""
    contract, user = plan.contract, request.user
    actions = [action for _key_question, members in groups for action in members]
    can_write = permissions.can_write_documents.test(user, contract)
    recordable = plan_versions.recordable(user, contract)
    return {
        "plan": plan, "contract": contract, "groups": groups, "summary": summary_of_groups(groups),
        "rag_over_time": charts.rag_over_time(plan, actions), "rag_series": charts.RAG_SERIES,
        "can_write": can_write,
        "can_update": permissions.can_update_progress.test(user, contract),
        "rag_meaning": RAG_MEANING, "key_questions": dict(KEY_QUESTION_CHOICES),
        "root_cause_groups": ROOT_CAUSE_GROUPS,
        "report_readable": access.reports_for(user).filter(contract=contract).exists(),
        "inspection": plan.inspection,
        "inspection_form": forms_.get("inspection_form") or (PlanInspectionForm(
            inspections=services.plan_inspections(plan), initial={"version": plan.version,
                                                                  "inspection": plan.inspection_id})
            if can_write else None),
        "versions": plan_versions_of(plan),
        "version_form": forms_.get("version_form") or (PlanVersionForm(recordable=recordable, initial={
            "version": plan.version}) if recordable else None),
        "conflict": forms_.get("conflict"),
    }


@login_required
def plan_view(request, reference):
    plan = _plan(request, reference)
    fmt = list_exports.wanted(request)
    groups = plan_actions(plan, fields=None if fmt else PLAN_PAGE_FIELDS)
    if fmt:
        return exports.actions_export(fmt, plan, groups)
    return render(request, "forwardplans/plan.jinja", _plan_context(request, plan, groups))


def _plan_form_refused(request, plan, status, **forms_):
    groups = plan_actions(plan, fields=PLAN_PAGE_FIELDS)
    return render(request, "forwardplans/plan.jinja", _plan_context(request, plan, groups, **forms_), status=status)


@require_POST
@login_required
def plan_inspection_view(request, reference):
    """The RCGP team chooses the inspection the plan answers (one of its practice's)."""
    plan = _plan(request, reference)
    refuse(request, access.refusal(request.user, "write", plan.contract))
    form = PlanInspectionForm(request.POST, inspections=services.plan_inspections(plan))
    if not form.is_valid():
        return _plan_form_refused(request, plan, 422, inspection_form=form)
    try:
        outcome = run_for_form(form, lambda: services.plan_set_inspection(
            plan=plan, actor=request.user, inspection=form.chosen(), base_version=form.cleaned_data["version"]),
            current_version=lambda: type(plan).objects.get(pk=plan.pk).version)
    except NothingChanged as exc:
        messages.info(request, str(exc))
        return redirect(f"{reverse('forwardplans:plan', args=[reference])}#inspection")
    if not outcome.ok:
        return _plan_form_refused(request, plan, page_status(form, outcome), inspection_form=form,
                                  conflict=outcome.conflict)
    messages.success(request, "The plan's inspection is saved.")
    return redirect(f"{reverse('forwardplans:plan', args=[reference])}#inspection")


@require_POST
@login_required
def plan_version_view(request, reference):
    """Keep a version of the plan: shared with the commissioner, sent to CQC, or agreed (by the party the person
    stands for; forwardplans.plan_versions)."""
    plan = _plan(request, reference)
    recordable = plan_versions.recordable(request.user, plan.contract)
    if not recordable:
        raise NotAllowed("You cannot record a version of this plan.")
    form = PlanVersionForm(request.POST, recordable=recordable)
    if not form.is_valid():
        return _plan_form_refused(request, plan, 422, version_form=form)
    reason, party = form.reason_and_party()
    outcome = run_for_form(form, lambda: plan_versions.plan_version_record(
        plan=plan, reason=reason, party=party, version=form.cleaned_data["version"], actor=request.user),
        current_version=lambda: type(plan).objects.get(pk=plan.pk).version)
    if not outcome.ok:
        return _plan_form_refused(request, plan, page_status(form, outcome), version_form=form,
                                  conflict=outcome.conflict)
    messages.success(request, f"Version {outcome.value.number} kept: {outcome.value.describe()}.")
    return redirect(f"{reverse('forwardplans:plan', args=[reference])}#versions")


@login_required
def cqc_action_plan_view(request, reference):
    """The plan as the practice reports it to CQC: per regulation, what was found and what the practice does."""
    plan = _plan(request, reference)
    return render(request, "forwardplans/cqc_action_plan.jinja", {
        "plan": plan, "contract": plan.contract, "regulations": cqc_action_plan(plan), "rag_meaning": RAG_MEANING,
        "inspection": plan.inspection, "plan_version": pdfs.plan_version(plan),
        "key_questions": dict(KEY_QUESTION_CHOICES), "root_cause_groups": ROOT_CAUSE_GROUPS,
    })


@login_required
def action_new_view(request, reference):
    plan = _plan(request, reference)
    refuse(request, access.refusal(request.user, "write", plan.contract))
    form = NewActionForm(request.POST or None, contract=plan.contract, inspection=plan.inspection)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in services.ACTION_FIELDS}
        outcome = run_for_form(form, lambda: services.action_create(plan=plan, actor=request.user,
                                                                    milestones=form.milestones(), **fields))
        if outcome.ok:
            messages.success(request, "Action added to the forward plan.")
            return redirect("forwardplans:action", pk=outcome.value.pk)
    return render(request, "forwardplans/action_form.jinja", {"form": form, "contract": plan.contract, "new": True,
                                                              "inspection": plan.inspection,
                                                              "root_cause_groups": ROOT_CAUSE_GROUPS},
                  status=page_status(form))


@login_required
def action_edit_view(request, pk):
    action = access.get_action_or_404(request.user, pk)
    contract = action.plan.contract
    refuse(request, access.refusal(request.user, "write", contract))
    form = ActionForm(request.POST or None, instance=None if request.method == "POST" else action,
                      initial={"version": action.version}, contract=contract, inspection=action.plan.inspection)
    outcome = None
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in services.ACTION_FIELDS}
        outcome = run_for_form(form, lambda: services.action_update(
            action=action, actor=request.user, base_version=form.cleaned_data["version"] or 0, **fields),
            current_version=lambda: type(action).objects.get(pk=action.pk).version)
        if outcome.ok:
            messages.success(request, "Action saved.")
            return redirect("forwardplans:action", pk=action.pk)
    return render(request, "forwardplans/action_form.jinja", {
        "form": form, "contract": contract, "action": action, "new": False, "inspection": action.plan.inspection,
        "conflict": outcome.conflict if outcome else None, "root_cause_groups": ROOT_CAUSE_GROUPS},
        status=page_status(form, outcome))


# What each in-place panel of the action page shows, so that an update answers with that panel's data only.
PANEL_PARTS = {"rag": ("rag_changes",), "progress": ("progress",), "milestones": ("milestones",),
               "evidence": ("evidence",)}


def _action_context(request, pk, panel=None, action=None, **extra):
    """The action page's context, or (``panel``) what that one panel needs. ``action``: the action as this request
    fetched it through the access policy and, if it changed it, as it is now. ``extra``: the panel's form as posted
    (to show again what was typed, with its errors), the messages."""
    context = action_detail(request.user, pk, action=action, **({"parts": PANEL_PARTS[panel]} if panel else {}))
    contract, action = context["contract"], context["action"]
    context.update(
        can_update=permissions.can_update_progress.test(request.user, contract),
        rag_form=RagForm(action=action), progress_form=ProgressForm(action=action),
        milestone_form=MilestoneForm(action=action), evidence_form=EvidenceForm(action=action),
        rag_meaning=RAG_MEANING, rags=Rag, key_questions=dict(KEY_QUESTION_CHOICES),
        root_cause_groups=ROOT_CAUSE_GROUPS,
    )
    if panel is None:
        context.update(can_write=permissions.can_write_documents.test(request.user, contract))
    context.update(extra)
    return context


@login_required
def action_view(request, pk):
    context = _action_context(request, pk)
    return render(request, "forwardplans/action.jinja", context)


def _panel(request, pk, panel, message=None, error=None, status=200, action=None, posted_version=None, **forms_):
    """After an in-place update: the panel alone for htmx (after a saved change, with this action's other forms
    brought up to the new version), the action page again for a refused one without JavaScript (the panel's errors,
    and what was typed and chosen, in it), or back to the action page.

    ``error``: a refusal of the whole write (its reason); a form's own errors are on its fields. ``action``: as it is
    now, when this request changed it. A stale write (409) shows the panel as it is now, with what changed, at the
    version now saved; any other refusal (422) keeps the version that was posted (``posted_version``), so that
    nothing is saved over a change its writer has not seen."""
    refused = status >= 400
    if refused:
        action = access.get_action_or_404(request.user, pk)
        if posted_version is not None:
            action.version = posted_version  # only for the form: the refused write started from it
    if request.htmx:
        context = _action_context(request, pk, panel, action, panel_message=message, panel_error=error,
                                  error_panel=panel, **forms_)
        template = f"forwardplans/_{panel}_panel.jinja" if refused else "forwardplans/_panel_response.jinja"
        return render(request, template, {**context, "panel": panel}, status=status)
    if refused:
        context = _action_context(request, pk, action=action, panel_error=error, error_panel=panel, **forms_)
        return render(request, "forwardplans/action.jinja", context, status=status)
    messages.success(request, message)
    return redirect("forwardplans:action", pk=pk)


def _write(request, pk, panel, form_class, write, done, typed):
    """One in-place write to an action: check the form, make the write through its service (which takes the
    version the form started from), answer with the panel. ``typed``: the form's name in the panel's context, so
    what was typed is shown again, with its errors, if the write is refused."""
    action = access.get_action_or_404(request.user, pk)
    form = form_class(request.POST, request.FILES, action=action)
    posted = form["version"].value()
    posted = int(posted) if str(posted or "").isdigit() else None
    refusal = access.refusal(request.user, "update_progress", action.plan.contract)
    if refusal:  # a reader who may not update it: the panel says why
        return _panel(request, pk, panel, error=refusal, status=403, posted_version=posted, **{typed: form})
    if not form.is_valid():
        return _panel(request, pk, panel, status=422, posted_version=posted, **{typed: form})
    try:
        updated = write(action, form.cleaned_data)
    except StaleEdit as exc:
        return _panel(request, pk, panel, error=str(exc), conflict=exc, status=409, **{typed: form})
    except DomainError as exc:
        return _panel(request, pk, panel, error=str(exc), status=422, posted_version=posted, **{typed: form})
    return _panel(request, pk, panel, message=done(updated), action=updated)


@login_required
def action_rag_view(request, pk):
    """GET: the RAG panel alone (to open it in place, e.g. from the practice's home page); POST: change RAG."""
    if request.method != "POST":
        action = access.get_action_or_404(request.user, pk)
        return render(request, "forwardplans/_rag_panel.jinja", _action_context(request, pk, "rag", action))
    return _write(request, pk, "rag", RagForm, lambda action, data: services.action_set_rag(
        action=action, actor=request.user, to_status=data["to_status"], reason=data["reason"],
        base_version=data["version"], evidence_justification=data["evidence_justification"]),
        lambda updated: f"RAG status changed to {updated.get_rag_status_display()}.", "rag_form")


@require_POST
@login_required
def action_progress_view(request, pk):
    return _write(request, pk, "progress", ProgressForm, lambda action, data: services.progress_add(
        action=action, actor=request.user, text=data["text"], entry_date=data["entry_date"],
        base_version=data["version"]), lambda _updated: "Progress added.", "progress_form")


@require_POST
@login_required
def milestone_toggle_view(request, pk, milestone_pk):
    def toggle(action, data):
        milestone = get_object_or_404(action.milestones, pk=milestone_pk)
        return services.milestone_set_done(milestone=milestone, actor=request.user, done=data["done"],
                                           base_version=data["version"])
    return _write(request, pk, "milestones", MilestoneToggleForm, toggle,
                  lambda _updated: "Milestone updated.", "milestone_toggle_form")


@require_POST
@login_required
def milestone_add_view(request, pk):
    return _write(request, pk, "milestones", MilestoneForm, lambda action, data: services.milestone_add(
        action=action, actor=request.user, description=data["description"], due_on=data["due_on"],
        base_version=data["version"]), lambda _updated: "Milestone added.", "milestone_form")


@require_POST
@login_required
def evidence_upload_view(request, pk):
    def upload(action, data):
        evidence = services.evidence_upload(action=action, actor=request.user, uploaded_file=data["file"],
                                            base_version=data["version"])
        evidence.action.uploaded_name = evidence.original_name
        return evidence.action
    return _write(request, pk, "evidence", EvidenceForm, upload,
                  lambda updated: f"{updated.uploaded_name} uploaded.", "evidence_form")


@login_required
def evidence_download_view(request, pk):
    evidence = get_object_or_404(access.evidence_for(request.user).select_related("action__plan__contract"), pk=pk)
    response = FileResponse(evidence.file.open("rb"), content_type=served_content_type(evidence.content_type))
    # Always a download under a safe name of the stored type, and never sniffed into something a browser runs.
    response["Content-Disposition"] = attachment_disposition(download_name(evidence.original_name,
                                                                           evidence.content_type))
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Word copies ------------------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def report_word_view(request, reference):
    report = get_object_or_404(access.reports_for(request.user).select_related("contract__practice"),
                               contract__reference=reference)
    return _attachment(word.report_docx(report), word.report_filename(report))


@login_required
def plan_word_view(request, reference):
    plan = get_object_or_404(access.plans_for(request.user).select_related("contract__practice"),
                             contract__reference=reference)
    return _attachment(word.plan_docx(plan), word.plan_filename(plan))


@login_required
def cqc_action_plan_word_view(request, reference):
    plan = get_object_or_404(access.plans_for(request.user).select_related("contract__practice", "inspection"),
                             contract__reference=reference)
    return _attachment(word.cqc_action_plan_docx(plan), word.cqc_action_plan_filename(plan))


def _attachment(content, filename):
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Access log -------------------------------------------------------------------------------------

@login_required
def access_log_view(request, reference):
    """Who viewed or downloaded this contract's report and plan: for its deputy lead and RCGP admin."""
    contract = contract_access.get_contract_or_404(request.user, reference)
    if not can_read_access_log.test(request.user, contract):
        raise Http404
    return render(request, "forwardplans/access_log.jinja", {"contract": contract, "entries": access_log(
        contract, reader=request.user)})
