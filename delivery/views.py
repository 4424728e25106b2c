"""Pages of the delivery record. Thin: who may see and do what is delivery/access.py; the rules of each write are
delivery/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from contracts import access as contract_access
from core.errors import NothingChanged
from core.submit import page_status, refuse, run_for_form

from . import access, selectors, services
from .forms import HEADINGS, RecordForm, form_for_kind
from .models import DeliveryRecord


def _posted(request):
    return request.POST if request.method == "POST" else None


def _render(request, form, outcome, **context):
    return render(request, "delivery/record_form.jinja",
                  {"form": form, "conflict": outcome.conflict if outcome else None, **context},
                  status=page_status(form, outcome))


@login_required
def contract_view(request, reference):
    """Every delivery record of a contract the user may read, and the support delivered. For the RCGP team, and for
    the practice's and commissioner's users (the shared records); nobody else finds the page (404)."""
    contract = contract_access.get_contract_or_404(request.user, reference)
    if not (access.may_read_delivery(request.user) and access.CONTRACT_VERBS["read_any"].test(request.user, contract)):
        raise Http404
    records = list(selectors.contract_records(request.user, contract))
    team = access.sees_unshared(request.user, contract)
    return render(request, "delivery/contract.jinja", {
        "contract": contract, "records": records, "support": selectors.support_delivered(records), "team": team,
        "may_record": access.can_record_on_team(request.user, contract, team)})


def _new(request, reference, form_name):
    contract = contract_access.get_contract_or_404(request.user, reference)
    refuse(request, access.record_refusal(request.user, contract))
    form = RecordForm(_posted(request), form=form_name, new=True)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.delivery_record_create(
            contract=contract, actor=request.user, **form.values()))
        if outcome.ok:
            messages.success(request, f"The {outcome.value.get_kind_display().lower()} is recorded.")
            return redirect("delivery:record", pk=outcome.value.pk)
    return _render(request, form, outcome, contract=contract, record=None, heading=HEADINGS[form_name])


@login_required
def meeting_new_view(request, reference):
    return _new(request, reference, "meeting")


@login_required
def interview_new_view(request, reference):
    return _new(request, reference, "interview")


@login_required
def review_new_view(request, reference):
    return _new(request, reference, "review")


@login_required
def record_view(request, pk):
    record = access.get_record_or_404(request.user, pk)
    return render(request, "delivery/record.jinja", {
        "record": record, "contract": record.contract, "team": access.sees_unshared(request.user, record.contract),
        "may_write": access.can(request.user, "write", record)})


@login_required
def record_edit_view(request, pk):
    record = access.get_record_or_404(request.user, pk)
    refuse(request, access.refusal(request.user, "write", record))
    form = RecordForm(_posted(request), initial=RecordForm.initial_from(record), form=form_for_kind(record.kind),
                      new=False)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run_for_form(form, lambda: services.delivery_record_update(
                record=record, actor=request.user, base_version=form.cleaned_data["version"], **form.values()),
                current_version=lambda: DeliveryRecord.objects.get(pk=record.pk).version)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect("delivery:record", pk=record.pk)
        if outcome.ok:
            messages.success(request, "The record is saved.")
            return redirect("delivery:record", pk=record.pk)
    return _render(request, form, outcome, contract=record.contract, record=record,
                   heading=f"Change the {record.get_kind_display().lower()}")
