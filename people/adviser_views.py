"""The adviser pool pages (RCGP admin only: anyone else gets 404). Thin: what the pages read is
people/adviser_selectors.py, the rules are people/adviser_services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from core.errors import NothingChanged
from core.pagination import paginate
from core.submit import Outcome, page_status, run_for_form

from . import adviser_selectors as selectors
from . import adviser_services as services
from .adviser_forms import AdviserDetailsForm, AdviserForm, ConflictForm, EndConflictForm, PoolFilterForm

PER_PAGE = 25


def _admin_only(request):
    if not selectors.manages_pool(request.user):
        raise Http404


def _submit(form, call, *, current_version=None):
    """Run the service for a valid form: a refusal about one field goes against that field, any other on the whole
    form (core.submit.run_for_form, which also moves a stale form on to the saved version)."""
    def first():
        try:
            return call()
        except services.Refused as exc:
            return exc
    outcome = run_for_form(form, first, current_version=current_version)
    if outcome.ok and isinstance(outcome.value, services.Refused):
        refused = outcome.value
        form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        return Outcome(False)
    return outcome


@login_required
def pool_view(request):
    """The pool: each adviser and deputy lead with profession, region, capacity, live contracts now, availability and
    current conflicts; filtered and paged. Then the RCGP members not yet in it."""
    _admin_only(request)
    form = PoolFilterForm(request.GET or None, regions=selectors.regions(request.user))
    chosen = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    advisers = selectors.pool(request.user, profession=chosen.get("profession", ""),
                              region=chosen.get("region", ""), availability_choice=chosen.get("availability", ""),
                              today=today)
    page = paginate(request, advisers, per_page=PER_PAGE)
    for adviser in page.object_list:
        adviser.availability = services.availability(adviser, today)
    return render(request, "people/advisers/pool.jinja", {
        "form": form, "page": page, "candidates": list(selectors.candidate_list(request.user)),
        "filtered": any(chosen.values())}, status=422 if form.errors else 200)


@login_required
def add_view(request, user_pk):
    """Add an RCGP adviser or deputy lead to the pool, with their profession, region and capacity."""
    _admin_only(request)
    person = selectors.get_candidate_or_404(request.user, user_pk)
    form = AdviserDetailsForm(request.POST if request.method == "POST" else None, initial={"capacity": 3})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = _submit(form, lambda: services.adviser_add(
            user=person, profession=data["profession"], region=data["region"], capacity=data["capacity"],
            actor=request.user))
        if outcome.ok:
            messages.success(request, f"{person.get_full_name() or person.username} is now in the adviser pool.")
            return redirect("people:adviser", pk=outcome.value.pk)
    return render(request, "people/advisers/add.jinja", {"person": person, "form": form},
                  status=page_status(form, outcome))


def _details_initial(adviser):
    today = timezone.localdate()
    back = adviser.unavailable_until if adviser.unavailable_until and adviser.unavailable_until >= today else None
    return {"profession": adviser.profession, "region": adviser.region, "capacity": adviser.capacity,
            "active": "yes" if adviser.active else "no", "unavailable_until": back,
            "version": services.version_of(adviser)}


@login_required
def adviser_view(request, pk):
    """An adviser's details and availability (changed here, with a reason), their conflicts, current and ended, and
    the people log's entries about them."""
    _admin_only(request)
    adviser = selectors.get_adviser_or_404(request.user, pk)
    form = AdviserForm(request.POST if request.method == "POST" else None, initial=_details_initial(adviser))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = _submit(form, lambda: services.adviser_update(
                adviser=adviser, profession=data["profession"], region=data["region"], capacity=data["capacity"],
                active=data["active"] == "yes", unavailable_until=data["unavailable_until"], reason=data["reason"],
                base_version=data["version"], actor=request.user),
                current_version=lambda: services.version_of(adviser))
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect("people:adviser", pk=adviser.pk)
        if outcome.ok:
            messages.success(request, f"{adviser}'s details are saved.")
            return redirect("people:adviser", pk=adviser.pk)
        adviser.refresh_from_db()
    return render(request, "people/advisers/adviser.jinja", {
        "adviser": adviser, "form": form, "availability": services.availability(adviser),
        "conflicts": selectors.conflicts_of(adviser), "changes": list(selectors.changes_of(request.user, adviser)),
        "conflict": outcome.conflict if outcome else None}, status=page_status(form, outcome))


@login_required
def conflict_new_view(request, pk):
    """Declare a conflict of interest of the adviser, with a practice or a commissioner."""
    _admin_only(request)
    adviser = selectors.get_adviser_or_404(request.user, pk)
    form = ConflictForm(request.POST if request.method == "POST" else None,
                        initial={"declared_on": timezone.localdate()})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = _submit(form, lambda: services.conflict_declare(
            adviser=adviser, practice_code=data["practice_code"], commissioner_code=data["commissioner_code"],
            description=data["description"], declared_on=data["declared_on"], actor=request.user))
        if outcome.ok:
            messages.success(request, f"Conflict of interest with {services.conflict_with(outcome.value)} recorded.")
            return redirect("people:adviser", pk=adviser.pk)
    return render(request, "people/advisers/conflict_new.jinja", {"adviser": adviser, "form": form},
                  status=page_status(form, outcome))


@login_required
def conflict_end_view(request, pk, conflict_pk):
    """End one of the adviser's conflicts of interest, from a day, with a reason."""
    _admin_only(request)
    adviser = selectors.get_adviser_or_404(request.user, pk)
    conflict = selectors.get_conflict_or_404(request.user, adviser, conflict_pk)
    form = EndConflictForm(request.POST if request.method == "POST" else None,
                           initial={"ended_on": timezone.localdate(), "version": services.version_of(conflict)})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = _submit(form, lambda: services.conflict_end(
            conflict=conflict, ended_on=data["ended_on"], reason=data["reason"], base_version=data["version"],
            actor=request.user), current_version=lambda: services.version_of(conflict))
        if outcome.ok:
            messages.success(request, f"Conflict of interest with {services.conflict_with(conflict)} ended from "
                                      f"{outcome.value.ended_on:%-d %B %Y}.")
            return redirect("people:adviser", pk=adviser.pk)
        conflict = selectors.get_conflict_or_404(request.user, adviser, conflict.pk)
    return render(request, "people/advisers/conflict_end.jinja", {
        "adviser": adviser, "record": conflict, "form": form, "conflict_name": services.conflict_with(conflict),
        "conflict": outcome.conflict if outcome else None}, status=page_status(form, outcome))
