"""Forms for self-referrals. They check the answers for the page; the services check them again."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import DayMonthYearField, Form
from core.validators import MaxWordsValidator

from .models import RegionalDecision
from .referral_services import WORD_LIMIT, submittable_practices
from .vocabulary import (
    IMPACT_LABELS,
    NATIONAL_CRITERIA,
    SCOPE_LABELS,
    Priority,
    SupportCategory,
    YesNoUnknown,
)

EARLIEST_YEAR = 2000


def _words_field(label, required_message, help_text=""):
    return forms.CharField(
        label=label, help_text=help_text, widget=forms.Textarea,
        validators=[MaxWordsValidator(WORD_LIMIT)], error_messages={"required": required_message},
    )


class PracticeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.ods_code})"


class PracticeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        size = f", {obj.list_size:,} patients" if obj.list_size else ""
        return f"{obj.name} ({obj.ods_code}{size})"


class ReferralForm(Form):
    """The self-referral. A practice lead's practice is fixed; a commissioner lead chooses one."""

    practice = PracticeChoiceField(
        label="Which practice is the referral for?", queryset=None, empty_label="Choose a practice",
        error_messages={"required": "Choose the practice the referral is for.",
                        "invalid_choice": "Choose a practice from the list."},
    )
    received_on = DayMonthYearField(
        label="When was the referral received?", subject="the date the referral was received",
        initial=timezone.localdate,
        help_text="The 10 working days to acknowledge it start from this date. For example, 17 4 2026.",
        error_messages={"required": "Enter the date the referral was received."},
    )
    group_practices = PracticeMultipleChoiceField(
        label="Other practices in a group referral", queryset=None, required=False,
        help_text="Leave these unticked for a single practice.",
        error_messages={"invalid_choice": "Choose group practices from the list."},
    )
    contact_name = forms.CharField(label="Full name", max_length=200,
                                   error_messages={"required": "Enter the name of the practice lead to contact."})
    contact_role = forms.CharField(label="Job title or role", max_length=200, required=False)
    contact_email = forms.EmailField(
        label="Email address",
        error_messages={"required": "Enter the contact's email address.",
                        "invalid": "Enter an email address in the correct format, like name@example.nhs.uk."},
    )
    contact_phone = forms.CharField(label="Telephone number", max_length=30, required=False)
    commissioner_supports = forms.ChoiceField(
        label="Does the commissioner support this referral?", choices=YesNoUnknown.choices,
        error_messages={"required": "Say whether the commissioner supports this referral."},
    )
    categories = forms.MultipleChoiceField(
        label="What support is requested?", choices=SupportCategory.choices,
        help_text="Select all that apply.",
        error_messages={"required": "Choose at least one category of support.",
                        "invalid_choice": "Choose categories of support from the list."},
    )
    past_rcgp_sm_programme = forms.BooleanField(label="RCGP special measures programme", required=False)
    past_rcgp_sm_year = forms.IntegerField(
        label="Year of support", required=False, min_value=EARLIEST_YEAR,
        error_messages={"invalid": "Enter the year as 4 numbers, for example 2019.",
                        "min_value": f"Enter a year from {EARLIEST_YEAR}."},
    )
    past_vulnerable_practice_programme = forms.BooleanField(label="Vulnerable Practice Programme", required=False)
    past_resilience_programme = forms.BooleanField(label="Resilience Programme", required=False)
    past_resilience_years = forms.CharField(label="Which years?", max_length=100, required=False,
                                            help_text="For example, 2017 and 2019.")
    issues = _words_field(
        "What issues are affecting the practice's service, staff and patients?",
        "Describe the issues affecting service, staff and patients.",
    )
    support_needed = _words_field(
        "What support do you believe the practice needs?", "Describe the support you believe is needed.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        practices = submittable_practices(user).order_by("name")
        self.fixed_practice = user.practice if user.practice_id else None
        if self.fixed_practice:
            # A practice lead refers their own practice; there is nothing to choose.
            del self.fields["practice"]
            del self.fields["received_on"]
            group = practices.exclude(pk=self.fixed_practice.pk)
        else:
            self.fields["practice"].queryset = practices
            group = practices
        if group.exists():
            self.fields["group_practices"].queryset = group
        else:
            del self.fields["group_practices"]

    def clean_past_rcgp_sm_year(self):
        year = self.cleaned_data.get("past_rcgp_sm_year")
        if year and year > timezone.localdate().year:
            raise ValidationError("The year of support cannot be in the future.")
        return year

    def clean_received_on(self):
        received_on = self.cleaned_data.get("received_on")
        if received_on and received_on > timezone.localdate():
            raise ValidationError("The date the referral was received cannot be in the future.")
        return received_on

    def clean(self):
        data = super().clean()
        if not data.get("past_rcgp_sm_programme"):
            data["past_rcgp_sm_year"] = None
        if not data.get("past_resilience_programme"):
            data["past_resilience_years"] = ""
        practice = self.fixed_practice or data.get("practice")
        if practice and "group_practices" in data:
            data["group_practices"] = [p for p in data["group_practices"] if p.pk != practice.pk]
        return data

    def service_kwargs(self):
        """Arguments for referral_submit."""
        data = self.cleaned_data
        kwargs = {name: data[name] for name in (
            "contact_name", "contact_role", "contact_email", "contact_phone", "commissioner_supports", "categories",
            "past_rcgp_sm_programme", "past_rcgp_sm_year", "past_vulnerable_practice_programme",
            "past_resilience_programme", "past_resilience_years", "issues", "support_needed",
        )}
        kwargs["practice"] = self.fixed_practice or data["practice"]
        kwargs["group_practices"] = list(data.get("group_practices") or [])
        kwargs["received_on"] = data.get("received_on")
        return kwargs


def criteria_by_domain():
    """[(domain, [(key, label), ...]), ...] in the order of the national criteria."""
    groups = {}
    for key, domain, label in NATIONAL_CRITERIA:
        groups.setdefault(domain, []).append((key, label))
    return list(groups.items())


def _scale_choices(labels):
    return [(number, f"{number} – {label}") for number, label in labels.items()]


class AssessmentForm(Form):
    """The commissioner's assessment: statement, priority, national criteria and the support matrix."""

    statement_of_support = _words_field(
        "Commissioner's statement of support", "Write the commissioner's statement of support.",
    )
    priority = forms.ChoiceField(
        label="Priority", choices=Priority.choices,
        error_messages={"required": "Choose a priority.", "invalid_choice": "Choose a priority from the list."},
    )
    criteria = forms.MultipleChoiceField(
        label="National criteria that apply", required=False,
        choices=[(key, label) for key, _domain, label in NATIONAL_CRITERIA],
        help_text="Select all that apply to this practice.",
        error_messages={"invalid_choice": "Choose national criteria from the list."},
    )
    matrix_scope = forms.TypedChoiceField(
        label="Scope for support", coerce=int, choices=_scale_choices(SCOPE_LABELS),
        help_text="How likely is it that support will make a difference?",
        error_messages={"required": "Choose the scope for support from 1 to 5.",
                        "invalid_choice": "Choose the scope for support from 1 to 5."},
    )
    matrix_impact = forms.TypedChoiceField(
        label="Impact of support", coerce=int, choices=_scale_choices(IMPACT_LABELS),
        help_text="How much difference would support make?",
        error_messages={"required": "Choose the impact of support from 1 to 5.",
                        "invalid_choice": "Choose the impact of support from 1 to 5."},
    )
    matrix_justification = forms.CharField(
        label="Why is the referral placed here on the support matrix?", widget=forms.Textarea,
        error_messages={"required": "Explain why the referral is placed where it is on the support matrix."},
    )

    @classmethod
    def for_referral(cls, referral, data=None):
        initial = {}
        if referral.assessed_at:
            initial = {name: getattr(referral, name) for name in (
                "statement_of_support", "priority", "criteria", "matrix_scope", "matrix_impact",
                "matrix_justification",
            )}
        return cls(data, initial=initial)

    def criteria_groups(self):
        return criteria_by_domain()


class AcknowledgementForm(Form):
    acknowledged_on = DayMonthYearField(
        label="Date acknowledged", initial=timezone.localdate, help_text="For example, 17 4 2026.",
        error_messages={"required": "Enter the date the referral was acknowledged."},
    )


class DeclineForm(Form):
    reason = _words_field("Why does the commissioner not support this referral?",
                          "Give the reason the referral is not supported.")


class RegionalDecisionForm(Form):
    """NHS England's regional decision on an assessed referral: approved or not, with the reason either way."""

    decision = forms.ChoiceField(
        label="NHS England's regional decision", choices=RegionalDecision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the regional decision: approved or not approved.",
                        "invalid_choice": "Choose the regional decision: approved or not approved."},
    )
    reason = _words_field("Reason for the decision", "Enter the reason for the regional decision.")
    # The referral's version when the page was opened: a decision on an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "This page is out of date: open it again, then try again."})
