"""Forms for what CQC found and did (breached regulations, enforcement) and what patients were told."""

from django import forms

from core.forms import DayMonthYearField, Form

from .regulations import REGULATIONS, EnforcementKind, PatientChannel, regulation_label

NUMBER_OF = {label: number for number, label in REGULATIONS}
LABEL_OF = dict(REGULATIONS)
NOT_A_REGULATION = "“%(value)s” is not one of CQC's regulations: choose the regulations from the list"
OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}


def regulation_numbers(texts):
    """Checkbox values (regulation numbers) for stored breaches, written any usual way; unknown wording is left
    out (the form lists it apart)."""
    return [NUMBER_OF[label] for label in map(regulation_label, texts) if label]


def unrecognised(texts):
    """Stored wording that names none of CQC's regulations."""
    return [text for text in texts if not regulation_label(text)]


class RegulationsField(forms.MultipleChoiceField):
    """Regulations as checkboxes (values: their numbers); cleaned to CQC's labels."""

    def __init__(self, *, choices=None, **kwargs):
        super().__init__(choices=choices or REGULATIONS, widget=forms.CheckboxSelectMultiple,
                         error_messages={"invalid_choice": NOT_A_REGULATION}, **kwargs)

    def clean(self, value):
        return [LABEL_OF[number] for number in super().clean(value)]


class BreachesForm(Form):
    regulations = RegulationsField(label="Regulations found breached", required=False,
                                   help_text="Select all that the CQC report names. Leave them all empty if it "
                                             "found none.")
    reason = forms.CharField(label="Why are you changing them?", widget=forms.Textarea, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"reason": "why you are changing them", "regulations": "the regulations found breached"}


class EnforcementForm(Form):
    kind = forms.ChoiceField(label="What did CQC do?", choices=EnforcementKind.choices)
    regulations = RegulationsField(label="Regulations it is about", required=False)
    issued_on = DayMonthYearField(label="Date issued")
    comply_by = DayMonthYearField(label="Date to comply by", required=False)
    ended_on = DayMonthYearField(label="Date it ended", required=False)
    summary = forms.CharField(label="Summary", max_length=500, required=False, widget=forms.Textarea)
    reason = forms.CharField(label="Why are you changing it?", widget=forms.Textarea, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"kind": "what CQC did", "reason": "why you are changing it"}

    def __init__(self, *args, inspection=None, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        breached = regulation_numbers(inspection.breached_regulations) if inspection else []
        if breached:
            # A notice is about regulations the inspection found breached: offer those.
            self.fields["regulations"].choices = [(n, LABEL_OF[n]) for n, _label in REGULATIONS if n in breached]
        if new:
            del self.fields["reason"], self.fields["version"]

    def clean(self):
        data = super().clean()
        issued = data.get("issued_on")
        if data.get("kind") in (EnforcementKind.REQUIREMENT_NOTICE, EnforcementKind.WARNING_NOTICE) \
                and "regulations" in data and not data["regulations"]:
            self.add_error("regulations", "Select the regulations the notice is about")
        for name, words in (("comply_by", "Date to comply by"), ("ended_on", "Date it ended")):
            if issued and data.get(name) and data[name] < issued:
                self.add_error(name, f"{words} must be the same as or after the date issued")
        return data

    def values(self):
        return {name: self.cleaned_data[name] for name in
                ("kind", "regulations", "issued_on", "comply_by", "ended_on", "summary")}


class EnforcementRemoveForm(Form):
    reason = forms.CharField(label="Why are you removing it?", widget=forms.Textarea, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"reason": "why you are removing it"}


class PatientInformationForm(Form):
    told_on = DayMonthYearField(label="Date patients were told")
    what = forms.CharField(label="What were patients told?", widget=forms.Textarea, max_length=5000)
    channels = forms.MultipleChoiceField(label="Where were patients told?", choices=PatientChannel.choices,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text="Select all that apply.")
    senior_responsible_person = forms.CharField(label="Senior responsible person", max_length=200,
                                                help_text="Name and role of the person who makes sure patients "
                                                          "are told, for example Dr A Patel, GP partner.")
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"what": "what patients were told", "channels": "where patients were told",
                      "senior_responsible_person": "the name of the senior responsible person"}

    def __init__(self, *args, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["version"]

    def values(self):
        return {name: self.cleaned_data[name] for name in
                ("told_on", "what", "channels", "senior_responsible_person")}
