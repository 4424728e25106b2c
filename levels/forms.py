"""Forms of the levels pages: fields and their messages only (the rules are in levels/services.py)."""

from django import forms

from core.forms import Form

from .models import Level

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}
NONE = "none"


class LevelForm(Form):
    level = forms.ChoiceField(label="Level of support", choices=Level.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Select the level of support",
                                              "invalid_choice": "Select the level of support"})
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea, max_length=2000,
                             error_messages={"required": "Enter the reason for the change of level"},
                             help_text="Say why: it is kept in the practice's history of levels.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=OUT_OF_DATE)


class LevelFilterForm(Form):
    level = forms.ChoiceField(label="Level of support", required=False,
                              choices=[("", "All levels"), *Level.choices, (NONE, "No level recorded")])
