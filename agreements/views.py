"""Pages of a contract's agreement. Thin: who may see and do what is agreements/access.py; the rules of each write
are agreements/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import NothingChanged
from core.submit import page_status, refuse, run_for_button, run_for_form

from . import access, selectors, services, word
from .forms import ContributionForm, LeadsForm, ObjectiveForm, RemoveForm, SignForm, TermsForm
from .models import Agreement, Contribution, Objective, Party

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _posted(request):
    return request.POST if request.method == "POST" else None


def _detail(contract, anchor=""):
    return redirect(reverse("agreements:detail", args=[contract.reference]) + anchor)


def _current_version(agreement):
    return lambda: Agreement.objects.get(pk=agreement.pk).version


def _render(request, template, form, outcome, agreement, **context):
    return render(request, template, {"form": form, "conflict": outcome.conflict if outcome else None,
                                      "agreement": agreement, "contract": agreement.contract, **context},
                  status=page_status(form, outcome))


def _writable(request, reference):
    agreement = access.get_agreement_or_404(request.user, reference)
    refuse(request, access.refusal(request.user, "write", agreement.contract))
    return agreement


def _save(request, form, call, agreement, *, done, anchor=""):
    """Run a form's write; the redirect on success (or after nothing changed), else None and the form's errors."""
    try:
        outcome = run_for_form(form, call, current_version=_current_version(agreement))
    except NothingChanged as exc:
        messages.info(request, str(exc))
        return _detail(agreement.contract, anchor), None
    if outcome.ok:
        messages.success(request, done)
        return _detail(agreement.contract, anchor), outcome
    return None, outcome


@login_required
def detail_view(request, reference):
    """The agreement: parties and signatures, leads, objectives by group, contributions, exit strategy and terms."""
    contract = access.get_contract_or_404(request.user, reference)
    agreement = selectors.agreement_of(contract)
    context = {"contract": contract, "agreement": agreement,
               "may_write": access.can(request.user, "write", contract),
               "may_sign": access.parties_signable_by(request.user, contract)}
    if agreement is not None:
        contributions = list(agreement.contributions.all())
        context.update(signatures=selectors.signatures_in_order(agreement),
                       leads=selectors.leads_in_order(agreement),
                       objective_groups=selectors.objectives_by_group(agreement), contributions=contributions,
                       totals=selectors.contribution_totals(contributions),
                       any_signed=any(s.signed_on for s in agreement.signatures.all()))
    return render(request, "agreements/detail.jinja", context)


@login_required
@require_POST
def draft_view(request, reference):
    contract = access.get_contract_or_404(request.user, reference)
    refuse(request, access.refusal(request.user, "write", contract))
    run_for_button(request, lambda: services.agreement_draft(contract=contract, actor=request.user),
                   done="The agreement is drafted from the contract: give each objective a measure and a date.")
    return _detail(contract)


@login_required
def terms_view(request, reference):
    agreement = _writable(request, reference)
    initial = {name: getattr(agreement, name) for name in services.TERMS_FIELDS} | {"version": agreement.version}
    form = TermsForm(_posted(request), initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        done, outcome = _save(request, form, lambda: services.agreement_terms_update(
            agreement=agreement, actor=request.user, base_version=form.cleaned_data["version"], **form.values()),
            agreement, done="The agreement's terms are saved.", anchor="#terms")
        if done:
            return done
    return _render(request, "agreements/terms_form.jinja", form, outcome, agreement)


@login_required
def leads_view(request, reference):
    agreement = _writable(request, reference)
    leads = selectors.leads_in_order(agreement)
    form = LeadsForm(_posted(request), initial=LeadsForm.initial_from(agreement, leads))
    outcome = None
    if request.method == "POST" and form.is_valid():
        done, outcome = _save(request, form, lambda: services.agreement_leads_update(
            agreement=agreement, actor=request.user, base_version=form.cleaned_data["version"],
            leads=form.values()), agreement, done="The leads are saved.", anchor="#leads")
        if done:
            return done
    return _render(request, "agreements/leads_form.jinja", form, outcome, agreement)


@login_required
def objective_new_view(request, reference):
    agreement = _writable(request, reference)
    form = ObjectiveForm(_posted(request), initial={"version": agreement.version,
                                                   "group": request.GET.get("group") or None})
    outcome = None
    if request.method == "POST" and form.is_valid():
        done, outcome = _save(request, form, lambda: services.objective_add(
            agreement=agreement, actor=request.user, base_version=form.cleaned_data["version"], **form.values()),
            agreement, done="The objective is added.", anchor="#objectives")
        if done:
            return done
    return _render(request, "agreements/objective_form.jinja", form, outcome, agreement, objective=None)


def _objective(request, reference, pk):
    agreement = _writable(request, reference)
    try:
        return agreement, agreement.objectives.get(pk=pk)
    except Objective.DoesNotExist:
        raise Http404 from None


@login_required
def objective_edit_view(request, reference, pk):
    agreement, objective = _objective(request, reference, pk)
    initial = {name: getattr(objective, name) for name in ("group", "objective", "measure", "achieve_by")}
    form = ObjectiveForm(_posted(request), initial={**initial, "version": agreement.version})
    outcome = None
    if request.method == "POST" and form.is_valid():
        done, outcome = _save(request, form, lambda: services.objective_update(
            record=objective, actor=request.user, base_version=form.cleaned_data["version"], **form.values()),
            agreement, done="The objective is saved.", anchor="#objectives")
        if done:
            return done
    return _render(request, "agreements/objective_form.jinja", form, outcome, agreement, objective=objective)


def _remove(request, form, call, agreement, done):
    if form.is_valid():
        run_for_button(request, lambda: call(form.cleaned_data["version"]), done=done)
    else:
        messages.error(request, "The page was out of date: look at it again and try again")
    return _detail(agreement.contract)


@login_required
@require_POST
def objective_remove_view(request, reference, pk):
    agreement, objective = _objective(request, reference, pk)
    return _remove(request, RemoveForm(request.POST), lambda version: services.objective_remove(
        record=objective, actor=request.user, base_version=version), agreement, "The objective is removed.")


@login_required
def contribution_new_view(request, reference):
    agreement = _writable(request, reference)
    form = ContributionForm(_posted(request), initial={"version": agreement.version})
    outcome = None
    if request.method == "POST" and form.is_valid():
        done, outcome = _save(request, form, lambda: services.contribution_add(
            agreement=agreement, actor=request.user, base_version=form.cleaned_data["version"], **form.values()),
            agreement, done="The contribution is added.", anchor="#contributions")
        if done:
            return done
    return _render(request, "agreements/contribution_form.jinja", form, outcome, agreement, contribution=None)


def _contribution(request, reference, pk):
    agreement = _writable(request, reference)
    try:
        return agreement, agreement.contributions.get(pk=pk)
    except Contribution.DoesNotExist:
        raise Http404 from None


@login_required
def contribution_edit_view(request, reference, pk):
    agreement, contribution = _contribution(request, reference, pk)
    initial = {name: getattr(contribution, name) for name in services.CONTRIBUTION_FIELDS}
    form = ContributionForm(_posted(request), initial={**initial, "version": agreement.version})
    outcome = None
    if request.method == "POST" and form.is_valid():
        done, outcome = _save(request, form, lambda: services.contribution_update(
            record=contribution, actor=request.user, base_version=form.cleaned_data["version"],
            **form.values()), agreement, done="The contribution is saved.", anchor="#contributions")
        if done:
            return done
    return _render(request, "agreements/contribution_form.jinja", form, outcome, agreement,
                   contribution=contribution)


@login_required
@require_POST
def contribution_remove_view(request, reference, pk):
    agreement, contribution = _contribution(request, reference, pk)
    return _remove(request, RemoveForm(request.POST), lambda version: services.contribution_remove(
        record=contribution, actor=request.user, base_version=version), agreement,
        "The contribution is removed.")


@login_required
def sign_view(request, reference, party):
    """One party's signature, recorded by that party's own people."""
    if party not in Party.values:
        raise Http404
    agreement = access.get_agreement_or_404(request.user, reference)
    refuse(request, access.refusal(request.user, f"sign_{party}", agreement.contract))
    user = request.user
    form = SignForm(_posted(request), initial={"version": agreement.version, "signed_on": timezone.localdate(),
                                               "name": user.get_full_name()})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.agreement_sign(
            agreement=agreement, actor=user, base_version=data["version"], party=party, name=data["name"],
            position=data["position"], signed_on=data["signed_on"]), current_version=_current_version(agreement))
        if outcome.ok:
            messages.success(request, f"The {Party(party).label.lower()}'s signature is recorded.")
            return _detail(agreement.contract, "#signatures")
    return _render(request, "agreements/sign_form.jinja", form, outcome, agreement, party=Party(party))


@login_required
def word_view(request, reference):
    """The agreement as a Word document to sign, with the signatures and dates given so far."""
    agreement = access.get_agreement_or_404(request.user, reference)
    agreement = selectors.agreement_of(agreement.contract)
    response = HttpResponse(word.agreement_docx(agreement), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="agreement-{agreement.contract.reference}.docx"'
    return response
