"""Report pages: programme figures (docs/domain.md §10) for RCGP admin and commissioner leads, and the downloads
of the figures the home pages show (every programme, funding by financial year, outcomes by year commissioned)
for those who see them: RCGP admin, commissioner leads and NHSE. Everything over access.contracts_for(user)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from contracts import figures, funding
from contracts.vocabulary import EndReason, Outcome, Programme
from core import exports as list_exports
from core.forms import DayMonthYearField, Form
from core.roles import is_any_nhse, is_commissioner_lead, is_rcgp_admin, sees_programme_figures
from practices import access as practice_access

from . import access, figure_exports

# Who sees figures of the whole programme on their home page (and so may take them away).
SEES_HOME_FIGURES = sees_programme_figures | is_any_nhse  # a regional team: its region's

class ProgrammeFiguresForm(Form):
    programme = forms.ChoiceField(choices=Programme.choices)
    commissioner = forms.ModelChoiceField(queryset=None, to_field_name="ods_code", required=False,
                                          empty_label="All commissioners")
    date_from = DayMonthYearField(label="Commissioned from", required=False)
    date_to = DayMonthYearField(label="Commissioned to", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if is_rcgp_admin.test(user):
            self.fields["commissioner"].queryset = practice_access.commissioners_for(user)
        else:
            # A commissioner lead's figures are their own commissioner's: access.contracts_for scopes them.
            del self.fields["commissioner"]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "Commissioned to must be the same as or after commissioned from")
        return cleaned


@login_required
def programme_figures_view(request):
    user = request.user
    if not sees_programme_figures.test(user):
        raise Http404
    data = request.GET.copy()
    data.setdefault("programme", Programme.SPECIAL_MEASURES)
    form = ProgrammeFiguresForm(data, user=user)
    result = None
    if form.is_valid():
        result = figures.programme_figures(contracts=access.contracts_for(user),
                                           enquiries=access.enquiry_figures_for(user), **form.cleaned_data)
    scope = user.commissioner if is_commissioner_lead.test(user) else form.cleaned_data.get("commissioner")
    fmt = list_exports.wanted(request)
    if fmt and result:
        return figure_exports.programme_figures_export(fmt, result, scope=scope,
                                                       date_from=form.cleaned_data.get("date_from"),
                                                       date_to=form.cleaned_data.get("date_to"))
    return render(request, "contracts/reports/programme_figures.jinja", {
        "form": form, "figures": result,
        "programme_label": Programme(form.cleaned_data["programme"]).label if result else "",
        "scope": scope,
        "reason_labels": dict(EndReason.choices), "outcome_labels": dict(Outcome.choices),
        "subtotal_labels": figures.SUBTOTAL_LABELS,
    })


def _home_figures(view):
    """A download of home-page figures: 404 for a role that does not see them; CSV unless ?format=xlsx."""

    @login_required
    def download(request):
        if not SEES_HOME_FIGURES.test(request.user):
            raise Http404
        return view(list_exports.wanted(request) or "csv", access.contracts_for(request.user))

    download.__name__ = download.__qualname__ = view.__name__
    download.__doc__ = view.__doc__
    return download


@_home_figures
def programme_outcomes_download(fmt, contracts):
    """Every programme's activity and outcomes (the home pages' "Programme outcomes")."""
    table = figures.figures_by_programme(contracts=contracts)
    return figure_exports.programme_outcomes_export(fmt, [(Programme(p), table[p]) for p in Programme.values])


@_home_figures
def funding_download(fmt, contracts):
    """Contracted, committed (agreements signed) and spent (payments made) by financial year and programme (NHSE's
    home)."""
    return figure_exports.funding_export(fmt, funding.funding_by_years(contracts))


@_home_figures
def outcomes_by_year_download(fmt, contracts):
    """Outcomes of completed support by programme and year commissioned (NHSE's home)."""
    return figure_exports.outcomes_by_year_export(fmt, figures.outcomes_by_programme_year(contracts))
