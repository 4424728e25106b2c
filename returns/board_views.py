"""The targets board, a region's figures by ICB, the allocations and the year's targets. Thin: who may see and do
what is returns/access.py; the figures are returns/figures.py and returns/targets.py; the writes are
returns/allocation_services.py."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from contracts.funding import financial_year as year_bounds
from core.errors import NothingChanged
from core.regions import Region, region_label
from core.submit import page_status, refuse, run_for_form

from . import access, allocation_services, selectors
from .board_forms import AllocationForm, DeadlineForm, YearForm
from .figures import figures_by_icb
from .models import Allocation, Deadline
from .targets import LONDON, STATUS_LABELS, deadlines_for, target_board

# The NHS tag of each target status.
TAGS = {"met": "green", "on_track": "green", "at_risk": "yellow", "missed": "red", "no_allocation": "grey"}


def _posted(request):
    return request.POST if request.method == "POST" else None


def _year(request):
    """(year, form): the financial year asked for (``?financial_year=``), else the current one; a bad value is
    shown as an error and the current year used."""
    form = YearForm(request.GET if "financial_year" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["financial_year"], form
    return selectors.current_financial_year(selectors.now().astimezone(LONDON).date()), form


def _viewer(request):
    """The regions the user may see; nobody else finds these pages."""
    regions = access.regions_for(request.user)
    if not regions:
        raise Http404
    return regions


def _context(request, year, year_form, **extra):
    return {"year": year, "year_label": year_bounds(year)[2], "year_form": year_form, "tags": TAGS,
            "status_labels": STATUS_LABELS, "may_manage": access.can(request.user, "manage"),
            "sees_england": access.sees_england(request.user), **extra}


@login_required
def board_view(request):
    """For each of the year's deadlines, the figures and targets' status by region (and England)."""
    regions = _viewer(request)
    year, year_form = _year(request)
    england = access.sees_england(request.user)
    board = target_board(access.figure_contracts(request.user), year=year, now=selectors.now(),
                         regions=None if england else regions)
    return render(request, "returns/board.jinja", _context(request, year, year_form, board=board),
                  status=422 if year_form.errors else 200)


@login_required
def region_view(request, code):
    """A region's figures by ICB for the year, and its allocations."""
    _viewer(request)
    region = access.require_region(request.user, code)
    year, year_form = _year(request)
    moment = selectors.now()
    first, last, _label = year_bounds(year)
    as_of = min(moment.astimezone(LONDON).date(), last)
    rows = figures_by_icb(access.figure_contracts(request.user), year=year, region=region, as_of=as_of)
    allocations = list(selectors.allocations_for(request.user, year=year, region=region))
    return render(request, "returns/board_region.jinja", _context(
        request, year, year_form, region=region, region_name=region_label(region), rows=rows,
        allocations=allocations, started=moment.astimezone(LONDON).date() >= first),
        status=422 if year_form.errors else 200)


def _manager(request):
    """National NHSE only; everyone else finds no page (GET: 404) or is refused with the reason (POST: 403)."""
    _viewer(request)
    refuse(request, access.refusal(request.user, "manage"))


def _allocation_initial(request, year):
    """The form's starting values: an allocation chosen from the list (``?region=&icb=``), else a new one."""
    region, icb = request.GET.get("region", ""), request.GET.get("icb", "")
    initial = {"version": 0, "region": region if region in Region.values else "", "icb": icb}
    if initial["region"]:
        row = Allocation.objects.filter(financial_year=year, region=region,
                                         **({"icb_id": icb} if icb.isdigit() else {"icb__isnull": True})).first()
        if row is not None:
            initial.update(amount=row.amount, note=row.note, version=row.version,
                           icb=str(row.icb_id) if row.icb_id else "")
    return initial


def _allocation_version(data, year):
    region, icb = data.get("region"), data.get("icb")
    row = Allocation.objects.filter(financial_year=year, region=region,
                                    **({"icb_id": icb} if icb else {"icb__isnull": True})).first()
    return row.version if row else 0


@login_required
def allocations_view(request):
    """The year's allocations, and the form national NHSE sets one with."""
    _manager(request)
    year, year_form = _year(request)
    icbs = list(allocation_services.icbs_of())
    form = AllocationForm(_posted(request), icbs=icbs, initial=_allocation_initial(request, year))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = run_for_form(form, lambda: allocation_services.allocation_set(
                financial_year=year, region=data["region"], icb=form.chosen_icb(), amount=data["amount"],
                note=data["note"], base_version=data["version"], actor=request.user),
                current_version=lambda: _allocation_version(data, year))
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect(f"{reverse('returns:allocations')}?financial_year={year}")
        if outcome.ok:
            messages.success(request, "The allocation is saved.")
            return redirect(f"{reverse('returns:allocations')}?financial_year={year}")
    allocations = list(selectors.allocations_for(request.user, year=year))
    spent = selectors.spent_by_allocation(year)
    return render(request, "returns/allocations.jinja", _context(
        request, year, year_form, form=form, allocations=allocations, spent=spent,
        conflict=outcome.conflict if outcome else None),
        status=page_status(form, outcome) if request.method == "POST" else (422 if year_form.errors else 200))


def _year_or_404(year):
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@login_required
def targets_view(request, year):
    """The year's three deadlines and their targets (the guidance's defaults until national NHSE sets them)."""
    _manager(request)
    year = _year_or_404(year)
    return render(request, "returns/targets.jinja", _context(request, year, None, deadlines=deadlines_for(year),
                                                               london=LONDON))


@login_required
def deadline_edit_view(request, year, number):
    """Change one deadline's date and time and its targets."""
    _manager(request)
    year = _year_or_404(year)
    deadline = next((row for row in deadlines_for(year) if row.number == number), None)
    if deadline is None:
        raise Http404
    due = deadline.due_at.astimezone(LONDON)
    form = DeadlineForm(_posted(request), initial={
        "due_on": due.date(), "due_time": f"{due:%H:%M}", "committed_percent": deadline.committed_percent,
        "spent_percent": deadline.spent_percent, "all_mous_agreed": "yes" if deadline.all_mous_agreed else "no",
        "case_studies": deadline.case_studies, "version": deadline.version})
    outcome = None
    back = reverse("returns:targets", args=[year])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        due_at = datetime.datetime.combine(data["due_on"], data["due_time"], tzinfo=LONDON)
        try:
            outcome = run_for_form(form, lambda: allocation_services.deadline_update(
                financial_year=year, number=number, due_at=due_at, committed_percent=data["committed_percent"],
                spent_percent=data["spent_percent"], all_mous_agreed=data["all_mous_agreed"] == "yes",
                case_studies=data["case_studies"], base_version=data["version"], actor=request.user),
                current_version=lambda: Deadline.objects.get(financial_year=year, number=number).version)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect(back)
        if outcome.ok:
            messages.success(request, f"Deadline {number} is saved.")
            return redirect(back)
    return render(request, "returns/targets_form.jinja", {
        "form": form, "year": year, "year_label": year_bounds(year)[2], "number": number, "back": back,
        "conflict": outcome.conflict if outcome else None}, status=page_status(form, outcome))
