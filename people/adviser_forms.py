"""Forms of the adviser pool pages: fields and their messages only (the rules are in people/adviser_services.py,
which checks everything again and logs what it refuses)."""

from django import forms

from contracts.vocabulary import Profession
from core.forms import DayMonthYearField, Form

from .adviser_selectors import AVAILABILITY

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}
YES_NO = [("yes", "Yes"), ("no", "No")]


class PoolFilterForm(Form):
    profession = forms.ChoiceField(label="Profession", required=False, choices=[("", "All professions"),
                                                                                *Profession.choices])
    region = forms.ChoiceField(label="Region", required=False)
    availability = forms.ChoiceField(label="Availability", required=False,
                                     choices=[("", "Any availability"), *AVAILABILITY])

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "All regions"), *((r, r) for r in regions)]


class AdviserDetailsForm(Form):
    """Adding someone to the pool: what they do, where, and how many live contracts at once."""

    profession = forms.ChoiceField(label="Profession", choices=Profession.choices,
                                   error_messages={"required": "Select the adviser's profession"})
    region = forms.CharField(label="Region", max_length=100, help_text="Where they work, for example North West.",
                             error_messages={"required": "Enter the region the adviser works in"})
    capacity = forms.IntegerField(label="Capacity (live contracts at once)",
                                  help_text="A whole number from 0 to 20.")


class AdviserForm(AdviserDetailsForm):
    """An adviser's details and availability, with the reason for the change and the version it started from."""

    active = forms.ChoiceField(label="Are they taking work?", choices=YES_NO, widget=forms.RadioSelect,
                               error_messages={"required": "Select whether they are taking work"},
                               help_text="No: they are not offered for any team until this is changed back.")
    unavailable_until = DayMonthYearField(
        label="Unavailable until (optional)", required=False, subject="the date they are unavailable until",
        help_text="Away (leave, other work): not offered for a team before this day. For example, 15 3 2027. "
                  "Leave empty if they are not away.")
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea, max_length=2000,
                             error_messages={"required": "Enter the reason for the change"},
                             help_text="It is kept in the people log with your name.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=OUT_OF_DATE)


class ConflictForm(Form):
    practice_code = forms.CharField(label="Practice ODS code", required=False, max_length=10,
                                    help_text="For example, P85022. Leave empty for a commissioner.")
    commissioner_code = forms.CharField(label="Commissioner ODS code", required=False, max_length=10,
                                        help_text="A sub-ICB location or ICB, for example 00Y. Leave empty for a "
                                                  "practice.")
    description = forms.CharField(label="What is the conflict?", widget=forms.Textarea, max_length=300,
                                  error_messages={"required": "Describe the conflict of interest"},
                                  help_text="For example, practice manager there until 2024.")
    declared_on = DayMonthYearField(label="Declared on", subject="the date the conflict was declared")


class EndConflictForm(Form):
    ended_on = DayMonthYearField(label="Ended on", subject="the date the conflict ended",
                                 help_text="No longer a conflict from this day.")
    reason = forms.CharField(label="Why has it ended?", widget=forms.Textarea, max_length=2000,
                             error_messages={"required": "Enter the reason for the change"})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=OUT_OF_DATE)
