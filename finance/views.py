"""Pages of a contract's time and money: the burn against the costed plan, the forms that write it, the payments,
and the advisers' load. Thin: who may see and do what is finance/access.py; the rules of each write are
finance/services.py and finance/payment_services.py."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from contracts.models import TeamMembership
from core.errors import NothingChanged
from core.roles import Role
from core.submit import page_status, refuse, run_for_form

from . import access, payment_services, selectors, services
from .forms import (
    ExtraDaysForm,
    InvoiceForm,
    OtherCostForm,
    PaidForm,
    PlanLineEditForm,
    PlanLineForm,
    RefundForm,
    TimeEntryForm,
    VariationForm,
)
from .models import PlanLine


def _posted(request):
    return request.POST if request.method == "POST" else None


def _kinds(form):
    """How the form page draws each field (finance/form.jinja)."""
    kinds = {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, django_forms.HiddenInput):
            kinds[name] = "hidden"
        elif isinstance(field, django_forms.ChoiceField):
            kinds[name] = "select"
        elif isinstance(widget, django_forms.Textarea):
            kinds[name] = "textarea"
        else:
            kinds[name] = "text"
    return kinds


def _form_page(request, form, outcome, *, contract, heading, submit, intro="", back=None):
    return render(request, "finance/form.jinja", {
        "form": form, "kinds": _kinds(form), "contract": contract, "heading": heading, "submit": submit,
        "intro": intro, "back": back or reverse("finance:contract", args=[contract.reference]),
        "conflict": outcome.conflict if outcome else None}, status=page_status(form, outcome))


def _contract(request, reference, verb):
    """The contract for whoever may do ``verb`` with it: hidden ones answer 404; a user who sees it but may not do
    ``verb`` finds no page (GET, 404) or is refused with the reason (POST, 403)."""
    contract = access.get_contract_or_404(request.user, reference)
    refuse(request, access.refusal(request.user, verb, contract))
    return contract


def _team(contract, user=None):
    """The advisers on the contract's team now (just the user, for an adviser logging their own time)."""
    members = TeamMembership.objects.filter(contract=contract, removed_at__isnull=True).select_related(
        "adviser__user").order_by("adviser__user__last_name", "adviser__user__first_name")
    if user is not None and user.role == Role.RCGP_ADVISER:
        members = members.filter(adviser__user=user)
    return [member.adviser for member in members]


def _done(request, contract, text, anchor):
    messages.success(request, text)
    return redirect(reverse("finance:contract", args=[contract.reference]) + anchor)


@login_required
def contract_view(request, reference):
    """A contract's time and money: its RCGP team sees the costed plan, the days funded and used per adviser and
    activity, the delivery cost against the plan and the value, other costs; everyone who sees the contract sees
    its payments and variations."""
    contract = access.get_contract_or_404(request.user, reference)
    user = request.user
    delivery = access.can(user, "read_delivery", contract)
    return render(request, "finance/contract.jinja", {
        "contract": contract, "burn": selectors.burn(contract, delivery=delivery), "delivery": delivery,
        "may_manage": access.can(user, "manage_plan", contract), "may_log": access.can(user, "log_time", contract),
        "may_record_payments": access.can(user, "record_payments", contract),
        "may_refund": payment_services.ended_early(contract)})


@login_required
def adviser_load_view(request):
    """Every active adviser's live contracts, days funded, used and remaining, and capacity."""
    if not access.may_see_adviser_load(request.user):
        raise Http404
    return render(request, "finance/advisers.jinja", {"rows": selectors.adviser_load()})


@login_required
def plan_line_add_view(request, reference):
    contract = _contract(request, reference, "manage_plan")
    form = PlanLineForm(_posted(request), advisers=_team(contract))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.plan_line_add(
            contract=contract, actor=request.user, adviser=form.chosen_adviser(), activity=data["activity"],
            days=data["days"], day_rate=data["day_rate"]))
        if outcome.ok:
            return _done(request, contract, "The plan line is added.", "#costed-plan")
    return _form_page(request, form, outcome, contract=contract, heading="Add a line to the costed plan",
                      submit="Add the line", intro="An adviser's days on one activity, at a day rate.")


@login_required
def plan_line_edit_view(request, pk):
    line = access.get_plan_line_or_404(request.user, pk)
    contract = line.contract
    refuse(request, access.refusal(request.user, "manage_plan", contract))
    form = PlanLineEditForm(_posted(request), initial={"days": line.days, "day_rate": line.day_rate,
                                                       "version": line.version})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = run_for_form(form, lambda: services.plan_line_update(
                line=line, actor=request.user, base_version=data["version"], days=data["days"],
                day_rate=data["day_rate"]), current_version=lambda: PlanLine.objects.get(pk=line.pk).version)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect(reverse("finance:contract", args=[contract.reference]) + "#costed-plan")
        if outcome.ok:
            return _done(request, contract, "The plan line is changed.", "#costed-plan")
    return _form_page(request, form, outcome, contract=contract, submit="Save",
                      heading=f"Change {line.adviser}'s {line.get_activity_display().lower()} days")


@login_required
def extra_days_view(request, reference):
    contract = _contract(request, reference, "manage_plan")
    form = ExtraDaysForm(_posted(request), advisers=_team(contract))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.extra_days_approve(
            contract=contract, actor=request.user, adviser=form.chosen_adviser(), days=data["days"],
            reason=data["reason"]))
        if outcome.ok:
            return _done(request, contract, "The extra days are approved.", "#burn")
    return _form_page(request, form, outcome, contract=contract, heading="Approve extra days", submit="Approve",
                      intro="Days beyond an adviser's costed days: they may then log up to those too.")


@login_required
def time_log_view(request, reference):
    contract = _contract(request, reference, "log_time")
    form = TimeEntryForm(_posted(request), advisers=_team(contract, request.user))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.time_log(
            contract=contract, actor=request.user, adviser=form.chosen_adviser(), worked_on=data["worked_on"],
            activity=data["activity"], days=data["days"], note=data["note"]))
        if outcome.ok:
            return _done(request, contract, "The time is logged.", "#burn")
    return _form_page(request, form, outcome, contract=contract, heading="Log time", submit="Log the time",
                      intro="Days worked on this contract, within the adviser's funded days.")


@login_required
def other_cost_view(request, reference):
    contract = _contract(request, reference, "manage_plan")
    form = OtherCostForm(_posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.other_cost_add(
            contract=contract, actor=request.user, incurred_on=data["incurred_on"], what=data["what"],
            amount=data["amount"]))
        if outcome.ok:
            return _done(request, contract, "The cost is added.", "#other-costs")
    return _form_page(request, form, outcome, contract=contract, heading="Add another cost", submit="Add the cost")


@login_required
def invoice_view(request, reference):
    contract = _contract(request, reference, "record_payments")
    form = InvoiceForm(_posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: payment_services.invoice_record(
            contract=contract, actor=request.user, funder=data["funder"], amount=data["amount"],
            invoiced_on=data["invoiced_on"], reference=data["reference"], note=data["note"]))
        if outcome.ok:
            return _done(request, contract, "The invoice is recorded.", "#payments")
    return _form_page(request, form, outcome, contract=contract, heading="Record an invoice", submit="Record",
                      intro=f"What is invoiced, less refunds, may not pass the contract's value, "
                            f"£{contract.value:,.2f}, without a recorded variation.")


@login_required
def refund_view(request, reference):
    contract = _contract(request, reference, "record_payments")
    form = RefundForm(_posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: payment_services.refund_record(
            contract=contract, actor=request.user, funder=data["funder"], amount=data["amount"],
            invoiced_on=data["invoiced_on"], paid_on=data["paid_on"], reference=data["reference"],
            note=data["note"]))
        if outcome.ok:
            return _done(request, contract, "The refund is recorded.", "#payments")
    return _form_page(request, form, outcome, contract=contract, heading="Record a refund", submit="Record",
                      intro="Only for a contract that ended early, and never more than the funder has paid.")


@login_required
def paid_view(request, pk):
    payment = access.get_payment_or_404(request.user, pk)
    contract = payment.contract
    refuse(request, access.refusal(request.user, "record_payments", contract))
    form = PaidForm(_posted(request), initial={"version": payment.version})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: payment_services.payment_mark_paid(
            payment=payment, actor=request.user, base_version=form.cleaned_data["version"],
            paid_on=form.cleaned_data["paid_on"],
            over_allocation_reason=form.cleaned_data["over_allocation_reason"]),
            current_version=lambda: access.get_payment_or_404(request.user, payment.pk).version)
        if outcome.ok:
            return _done(request, contract, "The payment is recorded.", "#payments")
    return _form_page(request, form, outcome, contract=contract, submit="Save",
                      heading=f"Record the payment of {payment.get_kind_display().lower()} "
                              f"{payment.reference or payment.pk}",
                      intro=f"£{payment.amount:,.2f} to or from {payment.get_funder_display()}, dated "
                            f"{payment.invoiced_on:%-d %B %Y}.")


@login_required
def variation_view(request, reference):
    contract = _contract(request, reference, "record_payments")
    form = VariationForm(_posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: payment_services.variation_record(
            contract=contract, actor=request.user, new_value=data["new_value"], reason=data["reason"],
            agreed_on=data["agreed_on"]))
        if outcome.ok:
            return _done(request, contract, "The variation is recorded.", "#payments")
    return _form_page(request, form, outcome, contract=contract, heading="Record a variation", submit="Record",
                      intro=f"The contract's value is now £{contract.value:,.2f}.")
