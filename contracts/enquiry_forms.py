"""The form that records a practice's reply to the special-measures offer."""

from django import forms

from core.forms import DayMonthYearField, Form

from .enquiry_models import Enquiry

OUT_OF_DATE = {"required": "This page is out of date: open it again, then try again.",
               "invalid": "This page is out of date: open it again, then try again."}


class EnquiryReplyForm(Form):
    """``replies``: the replies the user may record now (enquiry_services.replies_for); ``contracts``: the
    practice's contracts the user can see, one of which an acceptance names."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    outcome = forms.ChoiceField(label="What did the practice reply?", widget=forms.RadioSelect)
    outcome_on = DayMonthYearField(label="Date of the reply", subject="the date the practice replied")
    contract = forms.ModelChoiceField(queryset=None, to_field_name="reference", required=False,
                                      label="The contract the offer became", empty_label="Choose a contract")
    error_subjects = {"outcome": "what the practice replied"}

    def __init__(self, *args, replies, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = list(dict.fromkeys(reply.outcome for reply in replies))
        self.fields["outcome"].choices = [(o, Enquiry.Outcome(o).label) for o in outcomes]
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = (
            lambda c: f"{c.reference} – {c.get_programme_display()}, commissioned {c.commissioned_on:%-d %B %Y}")

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Enquiry.Outcome.ACCEPTED and not data.get("contract"):
            self.add_error("contract", "Choose the contract the offer became")
        if data.get("outcome") == Enquiry.Outcome.DECLINED:
            data["contract"] = None  # a declined offer has none, whatever was left chosen
        return data
