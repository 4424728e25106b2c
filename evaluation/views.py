"""Pages of the evaluation at closure. Thin: who may see and do what is evaluation/access.py; the rules of each write
are evaluation/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from contracts.vocabulary import SupportCategory
from core import exports
from core.errors import NotAllowed, NothingChanged
from core.submit import page_status, run_for_form

from . import access, selectors, services
from .forms import CaseStudyForm, FeedbackForm, NamingForm, ReflectionForm
from .models import CaseStudy, PracticeFeedback, Reflection
from .vocabulary import PRACTICE_FEEDBACK_STATEMENTS


def _posted(request):
    return request.POST if request.method == "POST" else None


def _render(request, template, form, outcome, **context):
    return render(request, template, {"form": form, "conflict": outcome.conflict if outcome else None, **context},
                  status=page_status(form, outcome))


def _refuse(request, refusal, *, sees):
    """A page the user may not use: 404 for a GET, or for someone who does not see what it is about; a POST from
    someone who sees it is refused with the reason (403)."""
    if not refusal:
        return
    if request.method == "POST" and sees:
        raise NotAllowed(refusal)
    raise Http404


def _saved_or_unchanged(request, call, form, current_version, done, where):
    try:
        outcome = run_for_form(form, call, current_version=current_version)
    except NothingChanged as exc:
        messages.info(request, str(exc))
        return None, redirect(*where)
    if outcome.ok:
        messages.success(request, done)
        return outcome, redirect(*where)
    return outcome, None


# Counts ------------------------------------------------------------------------------------------------------------

@login_required
def counts_view(request):
    """Feedback, staff responses, reflections and case studies per commissioner and financial year."""
    if not access.may_see_counts(request.user):
        raise Http404
    rows = selectors.counts_by_commissioner_and_year(request.user)
    fmt = exports.wanted(request)
    if fmt:
        return exports.export_response(fmt, "evaluation-counts", selectors.COUNT_HEADER, selectors.count_table(rows))
    return render(request, "evaluation/counts.jinja", {"rows": rows, "categories": SupportCategory.choices})


# The practice's feedback -------------------------------------------------------------------------------------------

@login_required
def feedback_view(request, reference):
    """The practice's feedback: the practice lead gives or changes it at closure; the practice and the RCGP team
    read it."""
    contract = access.get_contract_or_404(request.user, reference)
    reads = access.can(request.user, "read_feedback", contract)
    if not reads:
        raise Http404
    feedback = access.feedback_for(request.user).filter(contract=contract).select_related("given_by").first()
    gives = access.can(request.user, "give_feedback", contract)
    if request.method == "POST":
        _refuse(request, access.refusal(request.user, "give_feedback", contract), sees=reads)
    if not gives:
        return render(request, "evaluation/feedback.jinja", {"contract": contract, "feedback": feedback,
                                                             "statements": _answered(feedback)})
    initial = {}
    if feedback:
        initial = {**{key: str(value) for key, value in feedback.answers.items()}, "went_well": feedback.went_well,
                   "could_be_better": feedback.could_be_better, "version": feedback.version}
    form = FeedbackForm(_posted(request), initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome, done = _saved_or_unchanged(
            request, lambda: services.practice_feedback_give(
                contract=contract, actor=request.user, answers=form.answers(),
                went_well=form.cleaned_data["went_well"], could_be_better=form.cleaned_data["could_be_better"],
                base_version=form.cleaned_data["version"]),
            form, lambda: PracticeFeedback.objects.get(contract=contract).version,
            "Thank you: the practice's feedback is saved.", ("contracts:detail", contract.reference))
        if done:
            return done
    return _render(request, "evaluation/feedback_form.jinja", form, outcome, contract=contract, feedback=feedback)


def _answered(feedback):
    if feedback is None:
        return []
    scale = dict(services.SCALE)
    return [(statement, scale.get(feedback.answers.get(key), "Not answered"))
            for key, statement in PRACTICE_FEEDBACK_STATEMENTS]


# Reflections -------------------------------------------------------------------------------------------------------

@login_required
def reflections_view(request, reference):
    """The advisers' reflections on a contract: RCGP only."""
    contract = access.get_contract_or_404(request.user, reference)
    if not access.can(request.user, "read_reflections", contract):
        raise Http404
    reflections = list(access.reflections_for(request.user).filter(contract=contract).select_related("author"))
    return render(request, "evaluation/reflections.jinja", {
        "contract": contract, "reflections": reflections, "may_reflect": access.can(request.user, "reflect", contract),
        "own": next((r for r in reflections if r.author_id == request.user.pk), None)})


@login_required
def reflection_view(request, reference):
    """The user's own reflection on the contract (the deputy lead's or an adviser's on its team)."""
    contract = access.get_contract_or_404(request.user, reference)
    _refuse(request, access.refusal(request.user, "reflect", contract),
            sees=access.can(request.user, "read_reflections", contract))
    own = Reflection.objects.filter(contract=contract, author=request.user).first()
    initial = {"what_worked": own.what_worked, "what_did_not": own.what_did_not, "lessons": own.lessons,
               "version": own.version} if own else {}
    form = ReflectionForm(_posted(request), initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome, done = _saved_or_unchanged(
            request, lambda: services.reflection_save(
                contract=contract, actor=request.user, what_worked=data["what_worked"],
                what_did_not=data["what_did_not"], lessons=data["lessons"], base_version=data["version"]),
            form, lambda: Reflection.objects.get(contract=contract, author=request.user).version,
            "Your reflection is saved.", ("evaluation:reflections", contract.reference))
        if done:
            return done
    return _render(request, "evaluation/reflection_form.jinja", form, outcome, contract=contract, own=own)


# Case studies ------------------------------------------------------------------------------------------------------

@login_required
def case_study_new_view(request, reference):
    contract = access.get_contract_or_404(request.user, reference)
    _refuse(request, access.refusal(request.user, "draft_case_study", contract),
            sees=access.can(request.user, "read_case_studies", contract))
    form = CaseStudyForm(_posted(request), new=True)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.case_study_create(contract=contract, actor=request.user,
                                                                        **form.values()))
        if outcome.ok:
            messages.success(request, "The case study is saved.")
            return redirect("evaluation:case_study", pk=outcome.value.pk)
    return _render(request, "evaluation/case_study_form.jinja", form, outcome, contract=contract, case_study=None)


@login_required
def case_study_view(request, pk):
    case_study = access.get_case_study_or_404(request.user, pk)
    return render(request, "evaluation/case_study.jinja", {
        "case_study": case_study, "contract": case_study.contract,
        "may_edit": access.can_case_study(request.user, "edit", case_study),
        "may_choose": access.can_case_study(request.user, "choose_naming", case_study)})


@login_required
def case_study_edit_view(request, pk):
    case_study = access.get_case_study_or_404(request.user, pk)
    _refuse(request, access.case_study_refusal(request.user, "edit", case_study), sees=True)
    initial = {name: getattr(case_study, name) for name in services.CASE_STUDY_LABELS}
    form = CaseStudyForm(_posted(request), initial={**initial, "version": case_study.version}, new=False)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome, done = _saved_or_unchanged(
            request, lambda: services.case_study_update(case_study=case_study, actor=request.user,
                                                        base_version=form.cleaned_data["version"], **form.values()),
            form, lambda: CaseStudy.objects.get(pk=case_study.pk).version, "The case study is saved.",
            ("evaluation:case_study", case_study.pk))
        if done:
            return done
    return _render(request, "evaluation/case_study_form.jinja", form, outcome, contract=case_study.contract,
                   case_study=case_study)


@login_required
def case_study_naming_view(request, pk):
    """The practice lead changes whether the practice is named in the case study."""
    case_study = access.get_case_study_or_404(request.user, pk)
    _refuse(request, access.case_study_refusal(request.user, "choose_naming", case_study), sees=True)
    form = NamingForm(_posted(request), initial={"naming": case_study.naming, "version": case_study.version})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome, done = _saved_or_unchanged(
            request, lambda: services.case_study_choose_naming(
                case_study=case_study, actor=request.user, naming=form.cleaned_data["naming"],
                base_version=form.cleaned_data["version"]),
            form, lambda: CaseStudy.objects.get(pk=case_study.pk).version, "The practice's choice is saved.",
            ("evaluation:case_study", case_study.pk))
        if done:
            return done
    return _render(request, "evaluation/naming_form.jinja", form, outcome, contract=case_study.contract,
                   case_study=case_study)
