"""Forms of the targets board's pages: fields and their messages only (the rules are in
returns/allocation_services.py)."""

import datetime

from django import forms

from core.forms import DayMonthYearField, Form
from core.regions import Region

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}
YES_NO = [("yes", "Yes"), ("no", "No")]


class YearForm(Form):
    """The financial year a page shows (``?financial_year=2026``)."""

    financial_year = forms.IntegerField(label="Financial year", min_value=2000, max_value=2100,
                                        help_text="The year it starts: 2026 is April 2026 to March 2027.")


class AllocationForm(Form):
    region = forms.ChoiceField(label="NHS England region", choices=[("", "Choose a region"), *Region.choices])
    icb = forms.ChoiceField(label="ICB (optional)", required=False,
                            help_text="Leave empty for the region's own budget.")
    amount = forms.DecimalField(label="Allocation (£)", max_digits=12, decimal_places=2,
                                help_text="Pounds, like 250000.00.")
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea, max_length=2000,
                           help_text="Needed when the allocation is below what is already spent in the year.")
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"region": "the NHS England region", "icb": "the ICB"}

    def __init__(self, *args, icbs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._icbs = {str(icb.pk): icb for icb in icbs}
        self.fields["icb"].choices = [("", "None: the region's own budget"),
                                      *((str(icb.pk), f"{icb.label} ({icb.get_region_display() or 'region not known'})")
                                        for icb in icbs)]

    def chosen_icb(self):
        return self._icbs.get(self.cleaned_data.get("icb") or "")


class DeadlineForm(Form):
    due_on = DayMonthYearField(label="Due date")
    due_time = forms.CharField(label="Due time", max_length=5, help_text="24-hour clock, like 17:00.")
    committed_percent = forms.IntegerField(label="Committed by then (% of the allocation, optional)", required=False)
    spent_percent = forms.IntegerField(label="Spent by then (% of the allocation, optional)", required=False)
    all_mous_agreed = forms.ChoiceField(label="Every supported practice's MoU agreed by then?", choices=YES_NO)
    case_studies = forms.IntegerField(label="Case studies per region by then (optional)", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"due_time": "the due time", "committed_percent": "the committed target",
                      "spent_percent": "the spent target", "case_studies": "the case studies target"}

    def clean_due_time(self):
        text = (self.cleaned_data.get("due_time") or "").strip()
        try:
            return datetime.datetime.strptime(text, "%H:%M").time()
        except ValueError:
            raise forms.ValidationError("Enter the due time on the 24-hour clock, like 17:00") from None
