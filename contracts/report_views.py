"""Report pages: programme figures (docs/domain.md §10) for RCGP admin and commissioner leads."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from contracts.figures import SUBTOTAL_LABELS, programme_figures
from contracts.vocabulary import EndReason, Outcome, Programme
from core.roles import is_commissioner_lead, is_rcgp_admin, sees_programme_figures
from practices import access as practice_access

from . import access

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_ERRORS = {"invalid": "Enter a real date, for example 2024-04-01"}


class ProgrammeFiguresForm(forms.Form):
    programme = forms.ChoiceField(choices=Programme.choices)
    commissioner = forms.ModelChoiceField(queryset=None, to_field_name="ods_code", required=False,
                                          empty_label="All commissioners")
    date_from = forms.DateField(label="Commissioned from", required=False, input_formats=DATE_FORMATS,
                                error_messages=DATE_ERRORS)
    date_to = forms.DateField(label="Commissioned to", required=False, input_formats=DATE_FORMATS,
                              error_messages=DATE_ERRORS)

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
    figures = None
    if form.is_valid():
        figures = programme_figures(contracts=access.contracts_for(user), **form.cleaned_data)
    return render(request, "contracts/reports/programme_figures.jinja", {
        "form": form, "figures": figures,
        "programme_label": Programme(form.cleaned_data["programme"]).label if figures else "",
        "scope": user.commissioner if is_commissioner_lead.test(user) else form.cleaned_data.get("commissioner"),
        "reason_labels": dict(EndReason.choices), "outcome_labels": dict(Outcome.choices),
        "subtotal_labels": SUBTOTAL_LABELS,
    })
