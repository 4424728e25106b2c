from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import exports as list_exports
from core.errors import DomainError, require_allowed
from core.pagination import paginate
from core.roles import is_commissioner_lead, is_rcgp_admin, is_rcgp_user
from core.submit import page_status, refuse, run_for_button, run_for_form

from . import access, exports, services
from .forms import AddAdviserForm, CommissionForm, FirstContactForm, OutcomeForm
from .models import Adviser
from .selectors import adviser_pool, contract_board, contract_list
from .workflow import State


@login_required
def contract_list_view(request):
    contracts = contract_list(request.user)
    state = request.GET.get("state")
    if state in State.values:
        contracts = contracts.filter(state=state)
    fmt = list_exports.wanted(request)
    if fmt:
        return exports.contracts_export(fmt, contracts)
    return render(request, "contracts/list.jinja", {
        "page": paginate(request, contracts), "states": State.choices, "state": state,
        "can_commission": (is_commissioner_lead | is_rcgp_admin)(request.user),
        "can_see_board": is_rcgp_user(request.user),
    })


@login_required
def contract_board_view(request):
    if not is_rcgp_user(request.user):
        raise Http404
    return render(request, "contracts/board.jinja", {"board": contract_board(request.user)})


@login_required
def contract_commission_view(request):
    if not (is_commissioner_lead | is_rcgp_admin)(request.user):
        raise Http404
    referral = None
    if request.GET.get("referral") or request.POST.get("referral"):
        referral = access.get_referral_or_404(request.user, request.GET.get("referral") or request.POST["referral"])
    initial = {"commissioned_on": timezone.localdate()}
    if referral:
        initial.update(practice=referral.practice, categories=referral.categories)
    form = CommissionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = run_for_form(form, lambda: services.contract_commission(
            actor=request.user, referral=referral, group_practices=data.pop("group_practices"), **data))
        if outcome.ok:
            contract = outcome.value
            messages.success(request, f"Contract {contract.reference} commissioned. RCGP make first contact "
                                      f"by {contract.first_contact_due:%-d %B %Y}.")
            return redirect("contracts:detail", reference=contract.reference)
    return render(request, "contracts/commission.jinja", {"form": form, "referral": referral},
                  status=page_status(form))


def _act(request, reference, verb, action):
    """Run one POSTed action on a visible contract the user may ``verb`` (404 if hidden, 403 with the reason if
    not theirs to do); flash its result and go back to the contract."""
    contract = access.get_contract_or_404(request.user, reference)
    require_allowed(access.refusal(request.user, verb, contract))
    run_for_button(request, lambda: action(contract), done=lambda message: message)
    return redirect("contracts:detail", reference=contract.reference)


@require_POST
@login_required
def contract_first_contact_view(request, reference):
    form = FirstContactForm(request.POST)

    def action(contract):
        if not form.is_valid():
            raise DomainError(" ".join(form.errors.get("contacted_on", [])) or "Enter the date of first contact")
        services.contract_record_first_contact(contract=contract, contacted_on=form.cleaned_data["contacted_on"],
                                               actor=request.user)
        return "First contact recorded."
    return _act(request, reference, "record_first_contact", action)


@require_POST
@login_required
def contract_outcome_view(request, reference):
    form = OutcomeForm(request.POST)

    def action(contract):
        if not form.is_valid():
            raise DomainError("Check the outcome.")
        services.contract_record_outcome(contract=contract, actor=request.user, **form.cleaned_data)
        return "Outcome recorded."
    return _act(request, reference, "record_outcome", action)


@login_required
def contract_team_view(request, reference):
    contract = access.get_contract_or_404(request.user, reference)
    refuse(request, access.refusal(request.user, "manage_team", contract))
    form = AddAdviserForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("remove"):
            adviser = Adviser.objects.filter(pk=request.POST["remove"]).first()
            if adviser is None:
                messages.error(request, "That adviser was not found.")
            else:
                run_for_button(request, lambda: services.team_remove_adviser(
                    contract=contract, adviser=adviser, actor=request.user), done=f"{adviser} removed from the team.")
            return redirect("contracts:team", reference=contract.reference)
        if form.is_valid():
            adviser = form.cleaned_data["adviser"]
            outcome = run_for_form(form, lambda: services.team_add_adviser(
                contract=contract, adviser=adviser, actor=request.user,
                capacity_override_reason=form.cleaned_data["capacity_override_reason"]))
            if outcome.ok:
                messages.success(request, f"{adviser} added to the team.")
                return redirect("contracts:team", reference=contract.reference)
    return render(request, "contracts/team.jinja", {
        "contract": contract, "pool": adviser_pool(contract), "form": form,
        "is_admin": is_rcgp_admin(request.user),
    })
