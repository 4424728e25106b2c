"""The form that submits (or resubmits) a region's data return: fields and their messages only (the rules are in
returns/return_services.py)."""

from django import forms

from core.forms import Form

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}


class SubmitReturnForm(Form):
    """``version``: the number of the latest submitted return the page showed (0: none), kept in the form so that a
    submission made meanwhile by someone else is noticed."""

    reason = forms.CharField(label="Reason for resubmitting", required=False, widget=forms.Textarea,
                             max_length=2000, help_text="What has changed since the last submission, and why.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=OUT_OF_DATE)

    def __init__(self, *args, resubmission=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.resubmission = resubmission
        if not resubmission:  # a first submission has nothing to explain
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
