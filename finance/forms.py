"""Forms of the finance pages: fields and their messages only (the rules are in finance/services.py and
finance/payment_services.py)."""

from django import forms

from contracts.payment_models import Funder
from core.forms import DayMonthYearField, Form

from .vocabulary import Activity

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}
DAYS = {"max_digits": 6, "decimal_places": 2}
MONEY = {"max_digits": 10, "decimal_places": 2}


def _adviser_choices(advisers):
    return [("", "Choose an adviser"), *((str(a.pk), str(a)) for a in advisers)]


class AdviserForm(Form):
    """A form naming one adviser of the contract's team (``advisers``)."""

    adviser = forms.ChoiceField(label="Adviser")

    def __init__(self, *args, advisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._advisers = {str(a.pk): a for a in advisers}
        self.fields["adviser"].choices = _adviser_choices(advisers)
        if len(self._advisers) == 1:  # an adviser logging their own time: nobody else to choose
            self.fields["adviser"].initial = next(iter(self._advisers))

    def chosen_adviser(self):
        return self._advisers.get(self.cleaned_data.get("adviser") or "")


class PlanLineForm(AdviserForm):
    activity = forms.ChoiceField(label="Activity", choices=[("", "Choose an activity"), *Activity.choices])
    days = forms.DecimalField(label="Costed days", help_text="In quarter days, like 2.5.", **DAYS)
    day_rate = forms.DecimalField(label="Day rate (£)", help_text="Pounds a day, like 650.00.", **MONEY)
    field_order = ["adviser", "activity", "days", "day_rate"]


class PlanLineEditForm(Form):
    days = forms.DecimalField(label="Costed days", help_text="In quarter days, like 2.5.", **DAYS)
    day_rate = forms.DecimalField(label="Day rate (£)", help_text="Pounds a day, like 650.00.", **MONEY)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)


class ExtraDaysForm(AdviserForm):
    days = forms.DecimalField(label="Extra days approved", help_text="In quarter days, like 1.5.", **DAYS)
    reason = forms.CharField(label="Why are the extra days needed?", widget=forms.Textarea, max_length=2000)
    error_subjects = {"reason": "why the extra days are needed"}


class TimeEntryForm(AdviserForm):
    worked_on = DayMonthYearField(label="Date")
    activity = forms.ChoiceField(label="Activity", choices=[("", "Choose an activity"), *Activity.choices])
    days = forms.DecimalField(label="Days", help_text="In quarter days: 0.25 is a quarter day.", **DAYS)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea, max_length=2000)
    field_order = ["adviser", "worked_on", "activity", "days", "note"]


class OtherCostForm(Form):
    incurred_on = DayMonthYearField(label="Date")
    what = forms.CharField(label="What was it for?", max_length=300)
    amount = forms.DecimalField(label="Amount (£)", **MONEY)
    error_subjects = {"what": "what the cost was for"}


class InvoiceForm(Form):
    funder = forms.ChoiceField(label="Funder", choices=[("", "Choose a funder"), *Funder.choices])
    amount = forms.DecimalField(label="Amount (£)", **MONEY)
    invoiced_on = DayMonthYearField(label="Invoice date")
    reference = forms.CharField(label="Invoice number (optional)", required=False, max_length=60)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea, max_length=2000)


class RefundForm(InvoiceForm):
    invoiced_on = DayMonthYearField(label="Credit note date")
    paid_on = DayMonthYearField(label="Date the refund was made (optional)", required=False,
                                help_text="Leave empty if it has not been made yet.")
    reference = forms.CharField(label="Credit note number (optional)", required=False, max_length=60)
    field_order = ["funder", "amount", "invoiced_on", "paid_on", "reference", "note"]


class PaidForm(Form):
    paid_on = DayMonthYearField(label="Date it was paid")
    over_allocation_reason = forms.CharField(
        label="Why it goes above the allocation (only if it does)", required=False, widget=forms.Textarea,
        max_length=2000, help_text="Needed when this payment takes its region's or ICB's spending in the financial "
                                   "year above NHS England's allocation.")
    error_subjects = {"over_allocation_reason": "why the payment goes above the allocation"}
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)


class VariationForm(Form):
    new_value = forms.DecimalField(label="New value (£)", **MONEY)
    reason = forms.CharField(label="Reason for the variation", widget=forms.Textarea, max_length=2000)
    agreed_on = DayMonthYearField(label="Date agreed")
