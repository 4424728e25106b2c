from django import forms
from django.utils import timezone

from core.forms import DayMonthYearField
from forwardplans.forms import PatientDataCheck

from .models import ActionTaken, Category

TELL = [("yes", "Yes, tell the practice that a concern was raised"),
        ("no", "No, telling the practice would put someone at risk")]


class ConcernForm(PatientDataCheck):
    """A concern: its category, what was seen, when and who is involved (by role). Text that looks like an NHS
    number or a date of birth is held back until the writer confirms it (PatientDataCheck)."""

    checked_fields = ["description", "people_involved", "not_told_reason"]

    category = forms.ChoiceField(choices=Category.choices, widget=forms.RadioSelect, label="What is the concern about?",
                                 error_messages={"required": "Choose what the concern is about."})
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10000, label="What was seen",
                                  error_messages={"required": "Describe what was seen."})
    observed_on = DayMonthYearField(label="When was it seen?", subject="the date it was seen",
                                    help_text="For example, 27 3 2026.")
    people_involved = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Who is involved",
        help_text="Their roles (for example “a salaried GP”, “the practice manager”), not patients' names, NHS "
                  "numbers or dates of birth.",
        error_messages={"required": "Say who is involved, by role."})
    tell_practice = forms.ChoiceField(choices=TELL, widget=forms.RadioSelect, initial="yes",
                                      label="Should the practice be told that a concern was raised?",
                                      error_messages={"required": "Say whether the practice should be told."})
    not_told_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        label="Why would telling the practice put someone at risk?")

    def clean_observed_on(self):
        day = self.cleaned_data["observed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date it was seen must be today or in the past")
        return day

    def clean(self):
        data = super().clean()
        if data.get("tell_practice") == "no" and not (data.get("not_told_reason") or "").strip():
            self.add_error("not_told_reason", "Say why telling the practice would put someone at risk.")
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        return {"category": data["category"], "description": data["description"], "observed_on": data["observed_on"],
                "people_involved": data["people_involved"], "tell_practice": data["tell_practice"] == "yes",
                "not_told_reason": data["not_told_reason"] if data["tell_practice"] == "no" else "",
                "confirmed_no_patient_data": bool(data.get("confirm_no_patient_data"))}


class ConcernActionForm(PatientDataCheck):
    checked_fields = ["note"]

    action = forms.ChoiceField(choices=ActionTaken.choices, widget=forms.RadioSelect, label="What was done?",
                               error_messages={"required": "Choose what was done."})
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                           label="Details (who it was referred to, their reference)")
    close = forms.BooleanField(required=False, label="This closes the concern: nothing more is to be done")

    def service_kwargs(self):
        data = self.cleaned_data
        return {"action": data["action"], "note": data["note"], "close": data["close"],
                "confirmed_no_patient_data": bool(data.get("confirm_no_patient_data"))}
