"""Forms of the agreement's pages: fields and their messages only (the rules are in agreements/services.py)."""

from django import forms

from core.forms import DayMonthYearField, Form

from .models import LeadKind, ObjectiveGroup, Theme

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}


def _version():
    return forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)


def _money_messages(whose):
    return {"min_value": f"The {whose} contribution must be £0 or more",
            "invalid": f"The {whose} contribution must be an amount in pounds, like 2500.00",
            "max_decimal_places": f"The {whose} contribution must be in pounds and pence"}


class TermsForm(Form):
    starts_on = DayMonthYearField(label="Support starts")
    ends_on = DayMonthYearField(label="Support ends")
    exit_strategy = forms.CharField(label="Exit strategy", required=False, widget=forms.Textarea, max_length=5000,
                                    help_text="How support ends and what the practice will have in place.")
    termination_terms = forms.CharField(label="Termination terms", widget=forms.Textarea, max_length=5000)
    payment_terms = forms.CharField(label="Payment terms", widget=forms.Textarea, max_length=5000)
    version = _version()

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return data

    def values(self):
        return {name: self.cleaned_data[name] for name in ("starts_on", "ends_on", "exit_strategy",
                                                           "termination_terms", "payment_terms")}


class LeadsForm(Form):
    version = _version()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in LeadKind.choices:
            self.fields[f"{kind}_name"] = forms.CharField(label=f"{label}: name", required=False, max_length=200)
            self.fields[f"{kind}_role"] = forms.CharField(label="Role", required=False, max_length=200)
            self.fields[f"{kind}_organisation"] = forms.CharField(label="Organisation", required=False,
                                                                  max_length=200)
            self.fields[f"{kind}_email"] = forms.EmailField(label="E-mail", required=False, max_length=254)
            self.fields[f"{kind}_phone"] = forms.CharField(label="Phone", required=False, max_length=40)
        self.error_subjects = {f"{kind}_email": f"the {label.lower()}'s e-mail address"
                               for kind, label in LeadKind.choices}

    def groups(self):
        """(kind label, [bound fields]) per lead, for the template."""
        return [(label, [self[f"{kind}_{part}"] for part in ("name", "role", "organisation", "email", "phone")])
                for kind, label in LeadKind.choices]

    def values(self):
        data = self.cleaned_data
        return {kind: {part: data[f"{kind}_{part}"] for part in ("name", "role", "organisation", "email", "phone")}
                for kind in LeadKind.values}

    @staticmethod
    def initial_from(agreement, leads):
        initial = {"version": agreement.version}
        for lead in leads:
            for part in ("name", "role", "organisation", "email", "phone"):
                initial[f"{lead.kind}_{part}"] = getattr(lead, part)
        return initial


class ObjectiveForm(Form):
    group = forms.ChoiceField(label="Which group is the objective in?", choices=ObjectiveGroup.choices,
                              widget=forms.RadioSelect)
    objective = forms.CharField(label="Objective", widget=forms.Textarea, max_length=2000)
    measure = forms.CharField(label="How we will know", widget=forms.Textarea, max_length=2000,
                              help_text="The measure that shows the objective is met.")
    achieve_by = DayMonthYearField(label="Achieve by")
    version = _version()
    error_subjects = {"group": "the group of the objective", "measure": "how we will know the objective is met",
                      "achieve_by": "the date the objective is to be achieved by"}

    def values(self):
        return {name: self.cleaned_data[name] for name in ("group", "objective", "measure", "achieve_by")}


class ContributionForm(Form):
    theme = forms.ChoiceField(label="Theme", choices=Theme.choices)
    description = forms.CharField(label="Service commissioned or agreed", widget=forms.Textarea, max_length=5000)
    commissioner_amount = forms.DecimalField(label="NHSE/commissioner contribution (£)", required=False,
                                             max_digits=10, decimal_places=2, min_value=0,
                                             help_text="An amount in pounds, if a sum is given.",
                                             error_messages=_money_messages("NHSE/commissioner"))
    commissioner_detail = forms.CharField(label="NHSE/commissioner contribution: detail", required=False,
                                          max_length=500)
    practice_in_kind = forms.CharField(label="The practice's in-kind contribution", required=False,
                                       widget=forms.Textarea, max_length=5000,
                                       help_text="For example, protected time for the partners each week.")
    rcgp_amount = forms.DecimalField(label="RCGP contribution (£)", required=False, max_digits=10, decimal_places=2,
                                     min_value=0, error_messages=_money_messages("RCGP"))
    rcgp_detail = forms.CharField(label="RCGP contribution: detail", required=False, max_length=500)
    version = _version()
    error_subjects = {"commissioner_amount": "the NHSE/commissioner contribution",
                      "rcgp_amount": "the RCGP contribution",
                      "description": "the service commissioned or agreed"}

    def values(self):
        return {name: self.cleaned_data[name] for name in ("theme", "description", "commissioner_amount",
                                                           "commissioner_detail", "practice_in_kind", "rcgp_amount",
                                                           "rcgp_detail")}


class RemoveForm(Form):
    version = _version()


class DraftForm(Form):
    pass


class SignForm(Form):
    name = forms.CharField(label="Name of the person signing", max_length=200)
    position = forms.CharField(label="Position", max_length=200)
    signed_on = DayMonthYearField(label="Date signed")
    version = _version()
    error_subjects = {"name": "the name of the person signing", "position": "the position of the person signing",
                      "signed_on": "the date of the signature"}
