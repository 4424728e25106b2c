from django import forms
from django.db.models import Q

from core.models import User
from core.pii import identifier_warnings
from core.roles import PRACTICE_ROLES

from .models import Action
from .questionnaire_services import MAX_CODES_AT_ONCE, normalise_code
from .services import ACTION_FIELDS
from .vocabulary import REPORT_SECTIONS, CorrectionAnswer, Rag, RootCause

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OUT_OF_DATE = {"required": "This page is out of date: open it again, then try again.",
               "invalid": "This page is out of date: open it again, then try again."}


class PatientDataCheck(forms.Form):
    """Warns before saving free text that looks like patient-identifiable data (an NHS number, a date of
    birth); the writer must remove it or confirm it is not about a patient."""

    confirm_no_patient_data = forms.BooleanField(
        required=False, label="I have checked: this is not patient-identifiable information")
    checked_fields = ()

    def clean(self):
        data = super().clean()
        texts = {self.fields[name].label or name: data.get(name) for name in self.checked_fields if name in self.fields}
        self.identifier_warnings = identifier_warnings(texts)
        if self.identifier_warnings and not data.get("confirm_no_patient_data"):
            found = "; ".join(f"{label}: {', '.join(w)}" for label, w in self.identifier_warnings.items())
            raise forms.ValidationError(
                f"Reports and plans must not contain patient-identifiable information. {found}. Remove it, or "
                "tick the box to confirm it is not about a patient.", code="patient_data")
        return data


class SectionForm(PatientDataCheck):
    """One section of the diagnostic report, from the version its writer started from."""

    checked_fields = ["text"]
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 12}), max_length=20000)

    def __init__(self, *args, heading, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = heading


class RootCausesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    root_causes = forms.MultipleChoiceField(choices=RootCause.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple, label="Root causes")


class ActionForm(PatientDataCheck, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    checked_fields = ["problem", "underlying_issue", "action_planned", "resources", "sources_of_support",
                      "evidence_needed", "eventual_goal", "next_steps", "lead_person", "responsible", "accountable"]

    class Meta:
        model = Action
        fields = ACTION_FIELDS
        widgets = {"planned_completion": DATE,
                   **{f: forms.Textarea(attrs={"rows": 3}) for f in (
                       "problem", "underlying_issue", "action_planned", "resources", "sources_of_support",
                       "evidence_needed", "eventual_goal", "next_steps")}}

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        practice_ids = [contract.practice_id, *contract.practices.values_list("pk", flat=True)]
        team = contract.team_members.filter(removed_at__isnull=True).values("adviser__user")
        self.fields["lead_user"].queryset = User.objects.filter(
            Q(practice_id__in=practice_ids, role__in=PRACTICE_ROLES) | Q(pk__in=team)
            | Q(pk=contract.deputy_lead_id)).order_by("first_name", "username")
        self.fields["lead_user"].label = "Lead's account (for reminders)"
        self.fields["lead_user"].empty_label = "No account"


class NewActionForm(ActionForm):
    """An action with up to three milestones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in (1, 2, 3):
            self.fields[f"milestone_{n}"] = forms.CharField(required=False, max_length=300, label=f"Milestone {n}")
            self.fields[f"milestone_{n}_due"] = forms.DateField(required=False, widget=DATE,
                                                                label=f"Milestone {n} due date")

    def milestones(self):
        return [(self.cleaned_data.get(f"milestone_{n}"), self.cleaned_data.get(f"milestone_{n}_due"))
                for n in (1, 2, 3)]


class RagForm(PatientDataCheck):
    checked_fields = ["reason", "evidence_justification"]

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    to_status = forms.ChoiceField(choices=Rag.choices, widget=forms.RadioSelect, label="New RAG status")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why is it changing?")
    evidence_justification = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        label="For Green without uploaded evidence: where is the evidence, or why is none needed?")


class ProgressForm(PatientDataCheck):
    checked_fields = ["text"]

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    entry_date = forms.DateField(widget=DATE, required=False, label="Date (leave empty for today)")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Progress")


class MilestoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    description = forms.CharField(max_length=300, label="Milestone")
    due_on = forms.DateField(widget=DATE, label="Due date")


class MilestoneToggleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    done = forms.TypedChoiceField(choices=[("1", "Done"), ("0", "Not done")], coerce=lambda v: v == "1")


class EvidenceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    file = forms.FileField(label="Upload evidence", help_text="PDF, Office document, image or plain text; up to 20 MB.",
                           error_messages={"required": "Select a file to upload."})


class CorrectionForm(PatientDataCheck):
    checked_fields = ["passage", "correction"]

    section = forms.ChoiceField(choices=[("", "Choose a section"), *REPORT_SECTIONS], label="Section of the report",
                                error_messages={"required": "Choose the section the correction is about."})
    passage = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                              label="The passage as written", help_text="Copy the words that are wrong.",
                              error_messages={"required": "Copy the passage that is wrong."})
    correction = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                                 label="What it should say",
                                 error_messages={"required": "Say what the passage should say."})


class CorrectionAnswerForm(PatientDataCheck):
    checked_fields = ["reason"]

    answer = forms.ChoiceField(choices=CorrectionAnswer.choices, widget=forms.RadioSelect, label="Your answer",
                               error_messages={"required": "Choose whether you accept or decline the correction."})
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             label="Why you decline it (the practice will read this)")

    def clean(self):
        data = super().clean()
        if data.get("answer") == CorrectionAnswer.DECLINED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the correction is declined: the practice will read it.")
        return data


# The staff questionnaire: the practice's invitations and a member of staff's code --------------------------

class InviteStaffForm(forms.Form):
    addresses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000, label="Staff e-mail addresses",
        help_text="One per line, or separated by commas. Each person is sent their own link, which works once.",
        error_messages={"required": "Enter at least one e-mail address"})


class InvitationCodesForm(forms.Form):
    count = forms.IntegerField(
        label="How many codes do you need?", min_value=1, max_value=MAX_CODES_AT_ONCE,
        help_text="One for each member of staff without an e-mail address. You can print more later.",
        error_messages={"required": "Enter how many codes you need",
                        "invalid": "Enter how many codes you need as a number, like 5",
                        "min_value": "Ask for at least 1 code",
                        "max_value": f"Ask for at most {MAX_CODES_AT_ONCE} codes at a time"})


class EnterCodeForm(forms.Form):
    code = forms.CharField(label="Your code", max_length=40, strip=True,
                           help_text="It is 16 letters and numbers, like ABCD-EFGH-JKMN-PQRS.",
                           error_messages={"required": "Enter the code printed on your invitation"})

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("Enter the code as it is printed: 16 letters and numbers, like "
                                        "ABCD-EFGH-JKMN-PQRS")
        return code
