"""Pages of the regions' data returns and England's roll-up. Thin: who may see and submit what is returns/access.py;
what a return holds is returns/builder.py; submitting is returns/return_services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from contracts.funding import financial_year
from core import exports
from core.regions import Region, region_label
from core.submit import page_status, refuse, run_for_form

from . import access, return_exports, return_services
from .builder import return_build, rollup_build, who, years_returns
from .return_forms import SubmitReturnForm
from .targets import deadlines_for

YEARS = range(2000, 2101)


def _year(year):
    if year not in YEARS:
        raise Http404("No such financial year")
    return year


def _deadline(year, number):
    """The year's deadline ``number`` (saved or the default), or 404."""
    for deadline in deadlines_for(_year(year)):
        if deadline.number == number:
            return deadline
    raise Http404("No such deadline")


def _sees_returns(user):
    if not access.can(user, "view"):
        raise Http404


@login_required
def returns_year_view(request, year):
    """The year's deadlines and, for each, every region's (the user's regions') latest submitted return."""
    _sees_returns(request.user)
    regions = access.regions_for(request.user)
    latest = years_returns(access.returns_for(request.user), _year(year))
    deadlines = [{"deadline": deadline,
                  "regions": [{"code": code, "name": region_label(code), "latest": latest.get((deadline.number, code))}
                              for code in regions]}
                 for deadline in deadlines_for(year)]
    return render(request, "returns/returns_year.jinja", {
        "year": year, "label": financial_year(year)[2], "deadlines": deadlines,
        "england": access.sees_england(request.user), "who": who})


def _versions(user, region, deadline):
    if deadline.pk is None:
        return []
    return list(access.returns_for(user).filter(region=region, deadline=deadline).defer("content")
                .select_related("submitted_by").order_by("-number"))


def _latest_number(user, region, deadline):
    versions = _versions(user, region, deadline)
    return versions[0].number if versions else 0


@login_required
def region_return_view(request, year, number, region):
    """The region's return for the deadline as the records stand now (a draft), the form that submits it for those
    who may, and the versions already submitted."""
    user = request.user
    access.require_region(user, region)
    deadline = _deadline(year, number)
    if request.method == "POST":
        refuse(request, access.refusal(user, "submit", region))
    versions = _versions(user, region, deadline)
    latest = versions[0].number if versions else 0
    may_submit = access.can(user, "submit", region)
    form = SubmitReturnForm(request.POST if request.method == "POST" else None, resubmission=bool(latest),
                            initial={"version": latest}) if may_submit else None
    outcome = None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: return_services.data_return_submit(
            region=region, deadline=deadline, actor=user, reason=data.get("reason", ""), base_number=data["version"]),
            current_version=lambda: _latest_number(user, region, deadline))
        if outcome.ok:
            messages.success(request, f"Return {outcome.value.number} is submitted.")
            return redirect("returns:data_return", pk=outcome.value.pk)
    content = return_build(region=region, deadline=deadline)
    return render(request, "returns/return_region.jinja", {
        "year": year, "deadline": deadline, "region": region, "region_name": region_label(region),
        "content": content, "versions": versions, "form": form, "who": who,
        "conflict": outcome.conflict if outcome else None},
        status=page_status(form, outcome) if form is not None else 200)


@login_required
def data_return_view(request, pk):
    """One submitted return, as it was frozen."""
    data_return = access.get_return_or_404(request.user, pk)
    others = list(access.returns_for(request.user).filter(region=data_return.region, deadline=data_return.deadline)
                  .defer("content").select_related("submitted_by").order_by("-number"))
    return render(request, "returns/return_submitted.jinja", {
        "data_return": data_return, "content": data_return.content, "versions": others,
        "submitted_by": who(data_return.submitted_by), "deadline": data_return.deadline, "who": who})


@login_required
def data_return_download_view(request, pk, fmt):
    data_return = access.get_return_or_404(request.user, pk)
    if fmt not in exports.EXPORT_FORMATS:
        raise Http404
    return return_exports.return_download(fmt, data_return)


def _rollup(request, year, number):
    if not access.sees_england(request.user):
        raise Http404
    deadline = _deadline(year, number)
    return deadline, rollup_build(access.returns_for(request.user), deadline)


@login_required
def rollup_view(request, year, number):
    """England's roll-up of the regions' latest submitted returns for the deadline."""
    deadline, rollup = _rollup(request, year, number)
    return render(request, "returns/rollup.jinja", {"year": year, "deadline": deadline, "rollup": rollup,
                                                    "regions": Region})


@login_required
def rollup_download_view(request, year, number, fmt):
    if fmt not in exports.EXPORT_FORMATS:
        raise Http404
    _deadline, rollup = _rollup(request, year, number)
    return return_exports.rollup_download(fmt, rollup)
