from decimal import Decimal

from django import forms

from core.forms import DayMonthYearField, Form, ModelForm
from practices import access as practice_access
from practices.models import Practice
from practices.ratings import Rating

from . import access
from .models import Adviser, Contract
from .vocabulary import Closure, SupportCategory


class CommissionForm(ModelForm):
    practice = forms.ModelChoiceField(queryset=Practice.objects.none(), to_field_name="ods_code",
                                      empty_label="Choose a practice")
    group_practices = forms.ModelMultipleChoiceField(
        queryset=Practice.objects.none(), to_field_name="ods_code", required=False,
        label="Other practices in the group (for a group or PCN contract)")
    categories = forms.MultipleChoiceField(choices=SupportCategory.choices, label="Categories of support",
                                           widget=forms.CheckboxSelectMultiple)
    parent = forms.ModelChoiceField(queryset=Contract.objects.none(), to_field_name="reference", required=False,
                                    label="Follows on from contract (optional)", empty_label="None")
    reference = forms.CharField(required=False, max_length=20, label="Reference (optional)",
                                help_text="Leave empty for the next number, or the next letter of a follow-on.")

    class Meta:
        model = Contract
        fields = ["practice", "group_practices", "programme", "categories", "parent", "reference", "commissioned_on",
                  "value", "nhse_contribution", "practice_contribution", "mou_starts_on",
                  "mou_ends_on", "objectives_operational_stability", "objectives_ways_of_working",
                  "objectives_future_sustainability"]
        field_classes = dict.fromkeys(("commissioned_on", "mou_starts_on", "mou_ends_on"),
                                      DayMonthYearField)
        labels = {"value": "Contract value (£)", "nhse_contribution": "NHSE/commissioner contribution (£)",
                  "practice_contribution": "Practice contribution (£)", "commissioned_on": "Date commissioned",
                  "mou_starts_on": "Date the agreement starts",
                  "mou_ends_on": "Date the agreement ends"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        practices = practice_access.practices_for(user).filter(status=Practice.Status.ACTIVE).order_by("name")
        self.fields["practice"].queryset = practices
        self.fields["group_practices"].queryset = practices
        self.fields["parent"].queryset = access.contracts_for(user).order_by("reference")
        self.fields["commissioned_on"].required = True

    def clean(self):
        data = super().clean()
        value = data.get("value") or Decimal("0")
        contributions = (data.get("nhse_contribution") or 0) + (data.get("practice_contribution") or 0)
        if min(value, data.get("nhse_contribution") or 0, data.get("practice_contribution") or 0) < 0:
            raise forms.ValidationError("Amounts cannot be negative.")
        if contributions and contributions != value:
            self.add_error("value", f"The contributions add up to £{contributions:,.2f}, not the value "
                                    f"£{value:,.2f}.")
        starts, ends = data.get("mou_starts_on"), data.get("mou_ends_on")
        if starts and ends and ends < starts:
            self.add_error("mou_ends_on", "The agreement must end after it starts.")
        return data


class FirstContactForm(Form):
    contacted_on = DayMonthYearField(label="Date of first contact with the practice",
                                     subject="the date of first contact", help_text="For example, 17 4 2026.")


class AddAdviserForm(Form):
    adviser = forms.ModelChoiceField(queryset=Adviser.objects.filter(active=True))
    capacity_override_reason = forms.CharField(required=False, max_length=500,
                                               label="Reason to assign over capacity (RCGP admin only)")


class OutcomeForm(Form):
    rating_after = forms.ChoiceField(choices=[("", "Not yet re-inspected"), *Rating.choices], required=False,
                                     label="Rating after support")
    in_special_measures_after = forms.TypedChoiceField(
        choices=[("", "Not known"), ("yes", "Yes"), ("no", "No")], required=False, label="In special measures after",
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None)
    closure = forms.ChoiceField(choices=Closure.choices, initial=Closure.NONE)
