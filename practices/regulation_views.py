"""Pages that record what CQC found and did (breached regulations, enforcement), entered from its reports by RCGP
admin and the practice's commissioner leads, and what a practice told its patients (its people and its
commissioner's). Thin: the rules are in practices/access.py and practices/regulation_services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import NotAllowed, NothingChanged
from core.submit import page_status, run_for_form

from . import access
from . import regulation_services as services
from .regulation_forms import (
    BreachesForm,
    EnforcementForm,
    EnforcementRemoveForm,
    PatientInformationForm,
    regulation_numbers,
    unrecognised,
)
from .regulation_models import Enforcement, PatientInformation


def _practice_for(request, ods_code, verb):
    """The practice (404 if hidden); one its reader may not do ``verb`` with answers 403 with the reason."""
    practice = access.get_practice_or_404(request.user, ods_code)
    refusal = access.refusal(request.user, verb, practice)
    if refusal:
        raise NotAllowed(refusal)
    return practice


def _back(practice, anchor):
    return redirect(reverse("practices:detail", args=[practice.ods_code]) + f"#{anchor}")


def _render(request, template, form, outcome, **context):
    return render(request, template, {"form": form, "conflict": outcome.conflict if outcome else None, **context},
                  status=page_status(form, outcome))


@login_required
def inspection_breaches_view(request, ods_code, pk):
    practice = _practice_for(request, ods_code, "record_breaches")
    inspection = access.get_inspection_or_404(request.user, practice, pk)
    form = BreachesForm(request.POST or None, initial={
        "regulations": regulation_numbers(inspection.breached_regulations),
        "version": services.breaches_version(inspection)})
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run_for_form(form, lambda: services.inspection_record_breaches(
                inspection=inspection, regulations=form.cleaned_data["regulations"],
                reason=form.cleaned_data["reason"], actor=request.user, base_version=form.cleaned_data["version"]),
                current_version=lambda: services.breaches_version(inspection))
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return _back(practice, f"inspection-{inspection.pk}")
        if outcome.ok:
            messages.success(request, "Breached regulations saved.")
            return _back(practice, f"inspection-{inspection.pk}")
    return _render(request, "practices/breaches_form.jinja", form, outcome, practice=practice,
                   inspection=inspection, unrecognised=unrecognised(inspection.breached_regulations))


@login_required
def enforcement_new_view(request, ods_code, pk):
    """Record CQC's enforcement following the inspection ``pk``."""
    practice = _practice_for(request, ods_code, "record_enforcement")
    inspection = access.get_inspection_or_404(request.user, practice, pk)
    form = EnforcementForm(request.POST or None, inspection=inspection, new=True)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.enforcement_record(
            practice=practice, inspection=inspection, actor=request.user, **form.values()))
        if outcome.ok:
            messages.success(request, f"{outcome.value.get_kind_display()} recorded.")
            return _back(practice, "enforcement")
    return _render(request, "practices/enforcement_form.jinja", form, outcome, practice=practice,
                   inspection=inspection, enforcement=None)


def _enforcement_version(enforcement):
    """The version saved now (0 once someone has removed it)."""
    return Enforcement.objects.filter(pk=enforcement.pk).values_list("version", flat=True).first() or 0


@login_required
def enforcement_edit_view(request, ods_code, pk):
    practice = _practice_for(request, ods_code, "record_enforcement")
    enforcement = access.get_enforcement_or_404(request.user, practice, pk)
    initial = {name: getattr(enforcement, name) for name in services.ENFORCEMENT_FIELDS}
    initial.update(regulations=regulation_numbers(enforcement.regulations), version=enforcement.version)
    form = EnforcementForm(request.POST or None, initial=initial, inspection=enforcement.inspection, new=False)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run_for_form(form, lambda: services.enforcement_update(
                enforcement=enforcement, actor=request.user, base_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"], **form.values()),
                current_version=lambda: _enforcement_version(enforcement))
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return _back(practice, "enforcement")
        if outcome.ok:
            messages.success(request, f"{enforcement.get_kind_display()} saved.")
            return _back(practice, "enforcement")
    return _render(request, "practices/enforcement_form.jinja", form, outcome, practice=practice,
                   inspection=enforcement.inspection, enforcement=enforcement)


@login_required
def enforcement_remove_view(request, ods_code, pk):
    practice = _practice_for(request, ods_code, "record_enforcement")
    enforcement = access.get_enforcement_or_404(request.user, practice, pk)
    form = EnforcementRemoveForm(request.POST or None, initial={"version": enforcement.version})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.enforcement_withdraw(
            enforcement=enforcement, actor=request.user, base_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"]), current_version=lambda: _enforcement_version(enforcement))
        if outcome.ok:
            messages.success(request, f"{enforcement.get_kind_display()} removed.")
            return _back(practice, "enforcement")
    return _render(request, "practices/enforcement_remove.jinja", form, outcome, practice=practice,
                   enforcement=enforcement)


def _patient_practice(request, ods_code):
    """The practice, for its own people and its commissioner's; anyone else finds no such page (404)."""
    practice = access.get_practice_or_404(request.user, ods_code)
    if not access.can_see_patient_information(request.user, practice):
        raise Http404
    return practice


@login_required
def patient_information_new_view(request, ods_code):
    practice = _patient_practice(request, ods_code)
    form = PatientInformationForm(request.POST or None, new=True)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.patient_information_record(
            practice=practice, actor=request.user, **form.values()))
        if outcome.ok:
            messages.success(request, "What patients were told is recorded.")
            return _back(practice, "informing-patients")
    return _render(request, "practices/patient_information_form.jinja", form, outcome, practice=practice,
                   record=None)


@login_required
def patient_information_edit_view(request, ods_code, pk):
    practice = _patient_practice(request, ods_code)
    record = access.get_patient_information_or_404(request.user, practice, pk)
    initial = {name: getattr(record, name) for name in services.PATIENT_FIELDS}
    form = PatientInformationForm(request.POST or None, initial={**initial, "version": record.version}, new=False)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run_for_form(form, lambda: services.patient_information_update(
                record=record, actor=request.user, base_version=form.cleaned_data["version"], **form.values()),
                current_version=lambda: PatientInformation.objects.get(pk=record.pk).version)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return _back(practice, "informing-patients")
        if outcome.ok:
            messages.success(request, "What patients were told is saved.")
            return _back(practice, "informing-patients")
    return _render(request, "practices/patient_information_form.jinja", form, outcome, practice=practice,
                   record=record)
