"""The forms of enquiries: record a conversation, and record what came of an enquiry (an offer's reply too)."""

from django import forms
from django.db.models import Q

from core import relations
from core.forms import DayMonthYearField, Form
from practices import access as practice_access
from practices.models import Practice

from .enquiry_models import CONVERSATION_SOURCES, Enquiry
from .vocabulary import Programme

OUT_OF_DATE = {"required": "This page is out of date: open it again, then try again.",
               "invalid": "This page is out of date: open it again, then try again."}


class EnquiryForm(Form):
    """A new initial conversation. ``user``: the practices offered are those they may record about."""

    practice = forms.ModelChoiceField(queryset=Practice.objects.none(), to_field_name="ods_code",
                                      label="Practice the enquiry is about", empty_label="Choose a practice")
    source = forms.ChoiceField(label="Who got in touch?", widget=forms.RadioSelect,
                               choices=[(s, Enquiry.Source(s).label) for s in CONVERSATION_SOURCES])
    contact_name = forms.CharField(label="Name of the person who got in touch (optional)", required=False,
                                   max_length=200)
    opened_on = DayMonthYearField(label="Date of the conversation", subject="the date of the conversation")
    programme = forms.ChoiceField(label="Support asked about", choices=Programme.choices)
    asked = forms.CharField(label="What was asked", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    error_subjects = {"source": "who got in touch", "asked": "what was asked", "programme": "the support asked about",
                      "practice": "the practice"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        practices = practice_access.practices_for(user).filter(status=Practice.Status.ACTIVE)
        if relations.of_commissioner(user):
            practices = practices.filter(Q(commissioner__in=relations.commissioner_ids(user)))
        self.fields["practice"].queryset = practices.order_by("name")
        self.fields["practice"].label_from_instance = lambda p: f"{p.name} ({p.ods_code})"


class EnquiryReplyForm(Form):
    """``replies``: the outcomes the user may record now (enquiry_services.replies_for); ``contracts``: the
    practice's contracts the user can see, one of which "became a contract" names."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    outcome = forms.ChoiceField(label="What did the practice reply?", widget=forms.RadioSelect)
    outcome_on = DayMonthYearField(label="Date of the reply", subject="the date the practice replied")
    contract = forms.ModelChoiceField(queryset=None, to_field_name="reference", required=False,
                                      label="The contract the offer became", empty_label="Choose a contract")
    error_subjects = {"outcome": "what the practice replied"}

    def __init__(self, *args, replies, contracts, offer=True, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = list(dict.fromkeys(reply.outcome for reply in replies))
        self.fields["outcome"].choices = [(o, Enquiry.Outcome(o).label) for o in outcomes]
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = (
            lambda c: f"{c.reference} – {c.get_programme_display()}, commissioned {c.commissioned_on:%-d %B %Y}")
        if not offer:
            self.fields["outcome"].label = "What came of the enquiry?"
            self.fields["outcome_on"].label = "Date of the outcome"
            self.fields["outcome_on"].subject = "the date of the outcome"
            self.fields["outcome_on"].fill_messages("the date of the outcome")
            self.fields["contract"].label = "The contract the enquiry became"
            self.error_subjects = {"outcome": "what came of the enquiry"}
        self.offer = offer

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Enquiry.Outcome.ACCEPTED and not data.get("contract"):
            self.add_error("contract", f"Choose the contract the {'offer' if self.offer else 'enquiry'} became")
        if data.get("outcome") and data.get("outcome") != Enquiry.Outcome.ACCEPTED:
            data["contract"] = None  # only "became a contract" names one, whatever was left chosen
        return data
