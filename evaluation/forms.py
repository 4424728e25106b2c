"""Forms of the evaluation pages: fields and their messages only (the rules are in evaluation/services.py)."""

from django import forms

from contracts.vocabulary import SupportCategory
from core.forms import Form
from forwardplans.vocabulary import AGREEMENT_SCALE

from .vocabulary import PRACTICE_FEEDBACK_STATEMENTS, CaseStudyStatus, Naming

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}


def _agree_that(statement):
    text = statement.rstrip(".")
    return text if text.startswith("We ") else text[0].lower() + text[1:]


class FeedbackForm(Form):
    went_well = forms.CharField(label="What went well?", required=False, widget=forms.Textarea, max_length=10000)
    could_be_better = forms.CharField(label="What could have been better?", required=False, widget=forms.Textarea,
                                      max_length=10000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUT_OF_DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = {name: self.fields.pop(name) for name in ("went_well", "could_be_better", "version")}
        for key, statement in PRACTICE_FEEDBACK_STATEMENTS:
            message = f"Select how much you agree that {_agree_that(statement)}"
            self.fields[key] = forms.TypedChoiceField(
                label=statement, choices=[(str(v), label) for v, label in AGREEMENT_SCALE], coerce=int,
                widget=forms.RadioSelect, error_messages={"required": message, "invalid_choice": message})
        self.fields.update(kept)

    def statement_fields(self):
        return [self[key] for key, _statement in PRACTICE_FEEDBACK_STATEMENTS]

    def answers(self):
        return {key: self.cleaned_data[key] for key, _statement in PRACTICE_FEEDBACK_STATEMENTS}


class ReflectionForm(Form):
    what_worked = forms.CharField(label="What worked?", widget=forms.Textarea, max_length=10000)
    what_did_not = forms.CharField(label="What did not work?", widget=forms.Textarea, max_length=10000)
    lessons = forms.CharField(label="What are the lessons for other contracts?", widget=forms.Textarea,
                              max_length=10000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUT_OF_DATE)
    error_subjects = {"what_worked": "what worked", "what_did_not": "what did not work", "lessons": "the lessons"}


NAMING_MESSAGE = "Select whether the practice chose to be named or anonymised"


class CaseStudyForm(Form):
    title = forms.CharField(label="Title", max_length=200)
    support_category = forms.ChoiceField(label="Support category", choices=SupportCategory.choices,
                                         widget=forms.RadioSelect,
                                         error_messages={"required": "Select the support category"})
    naming = forms.ChoiceField(label="The practice's choice", choices=Naming.choices, widget=forms.RadioSelect,
                               help_text="The practice decides whether its name may be published with the case study.",
                               error_messages={"required": NAMING_MESSAGE, "invalid_choice": NAMING_MESSAGE})
    summary = forms.CharField(label="Summary", widget=forms.Textarea, max_length=10000)
    what_worked = forms.CharField(label="What worked", widget=forms.Textarea, max_length=10000)
    what_did_not = forms.CharField(label="What did not work", widget=forms.Textarea, max_length=10000,
                                   help_text="The most useful case studies say what did not go well too.")
    status = forms.ChoiceField(label="Is the case study a draft or final?", choices=CaseStudyStatus.choices,
                               widget=forms.RadioSelect, error_messages={"required": "Select draft or final"})
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"title": "a title", "summary": "a summary", "what_worked": "what worked",
                      "what_did_not": "what did not work"}

    def __init__(self, *args, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["version"]

    def values(self):
        return {name: self.cleaned_data[name] for name in ("title", "support_category", "naming", "summary",
                                                           "what_worked", "what_did_not", "status")}


class NamingForm(Form):
    naming = forms.ChoiceField(label="May the practice be named in this case study?", choices=Naming.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": NAMING_MESSAGE, "invalid_choice": NAMING_MESSAGE})
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
