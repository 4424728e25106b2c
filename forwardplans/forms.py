from django import forms
from django.db.models import Q
from django.utils import timezone

from core.forms import DayMonthYearField, Form, ModelForm
from core.models import User
from core.pii import identifier_warnings
from core.roles import PRACTICE_ROLES
from practices.regulations import REGULATION_LABELS, regulation_label

from .models import Action
from .questionnaire_services import MAX_CODES_AT_ONCE, normalise_code
from .services import ACTION_FIELDS
from .vocabulary import KEY_QUESTION_CHOICES, REPORT_SECTIONS, CorrectionAnswer, Rag, RootCause

OUT_OF_DATE = {"required": "This page is out of date: open it again, then try again.",
               "invalid": "This page is out of date: open it again, then try again."}


class PatientDataCheck(Form):
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


class RootCausesForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    root_causes = forms.MultipleChoiceField(choices=RootCause.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple, label="Root causes")


class ActionForm(PatientDataCheck, ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    other_key_questions = forms.MultipleChoiceField(
        choices=[(key, label) for key, label in KEY_QUESTION_CHOICES if key != "other"], required=False,
        widget=forms.CheckboxSelectMultiple, label="Other key questions it answers",
        help_text="The plan lists the action under its main key question; tick any others it answers too.")
    regulations = forms.MultipleChoiceField(
        choices=[(label, label) for label in REGULATION_LABELS], required=False, widget=forms.CheckboxSelectMultiple,
        label="CQC regulations it answers", help_text="Tick each regulation the action answers: the CQC action plan "
        "lists it under every one.")
    root_causes = forms.MultipleChoiceField(
        choices=RootCause.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label="Root causes it answers (optional)",
        error_messages={"invalid_choice": "Choose the root causes from the list"},
        help_text="As the diagnostic report tags them: the causes for concern, clinical leadership and practice "
                  "management.")
    regulation_other = forms.CharField(
        required=False, max_length=200, label="Other regulation or standard (optional)",
        help_text="Only for something that is none of the regulations above, such as a contract clause.")
    checked_fields = ["problem", "underlying_issue", "action_planned", "resources", "sources_of_support",
                      "evidence_needed", "eventual_goal", "next_steps", "lead_person", "responsible", "accountable"]
    error_subjects = {"lead_person": "the name of the lead", "lead_user": "the lead's account"}

    class Meta:
        model = Action
        fields = ACTION_FIELDS
        field_classes = {"planned_completion": DayMonthYearField}
        widgets = {**{f: forms.Textarea(attrs={"rows": 3}) for f in (
                       "problem", "underlying_issue", "action_planned", "resources", "sources_of_support",
                       "evidence_needed", "eventual_goal", "next_steps")}}

    def __init__(self, *args, contract, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The regulations the plan's inspection found breached come first, each saying so (action_form.jinja).
        self.inspection = inspection
        self.breached = [label for label in REGULATION_LABELS
                         if inspection is not None and label in {regulation_label(text) for text in
                                                                  inspection.breached_regulations or []}]
        self.fields["regulations"].choices = [(label, label) for label in self.breached] + [
            (label, label) for label in REGULATION_LABELS if label not in self.breached]
        practice_ids = [contract.practice_id, *contract.practices.values_list("pk", flat=True)]
        team = contract.team_members.filter(removed_at__isnull=True).values("adviser__user")
        self.fields["lead_user"].queryset = User.objects.filter(
            Q(practice_id__in=practice_ids, role__in=PRACTICE_ROLES) | Q(pk__in=team)
            | Q(pk=contract.deputy_lead_id)).order_by("first_name", "username")
        self.fields["lead_user"].label = "Lead's account (for reminders)"
        self.fields["lead_user"].empty_label = "No account"

    def clean_regulation_other(self):
        other = " ".join((self.cleaned_data.get("regulation_other") or "").split())
        named = regulation_label(other)
        if named:
            raise forms.ValidationError(f"“{other}” is {named}: tick it in the list of regulations instead")
        return other

    def clean(self):
        data = super().clean()
        primary, others = data.get("key_question"), data.get("other_key_questions") or []
        if primary and primary in others:
            label = dict(KEY_QUESTION_CHOICES)[primary]
            self.add_error("other_key_questions", f"{label} is already the main key question: untick it here, or "
                                                  "choose another main key question")
        return data


class NewActionForm(ActionForm):
    """An action with up to three milestones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in (1, 2, 3):
            self.fields[f"milestone_{n}"] = forms.CharField(required=False, max_length=300, label=f"Milestone {n}")
            self.fields[f"milestone_{n}_due"] = DayMonthYearField(required=False, label=f"Milestone {n} due date")

    def clean(self):
        data = super().clean()
        # The service checks these again; here each is said on the box it is about.
        for n in (1, 2, 3):
            description, due = (data.get(f"milestone_{n}") or "").strip(), data.get(f"milestone_{n}_due")
            if description and not due and f"milestone_{n}_due" not in self.errors:
                self.add_error(f"milestone_{n}_due", f"Enter the milestone {n} due date")
            if due and not description:
                self.add_error(f"milestone_{n}", f"Enter milestone {n}, or remove its due date")
        return data

    def milestones(self):
        return [(self.cleaned_data.get(f"milestone_{n}"), self.cleaned_data.get(f"milestone_{n}_due"))
                for n in (1, 2, 3)]


class ActionPanelForm(Form):
    """A form of one of the action page's in-place panels. Its controls' ids carry the panel and the action
    (``rag-12-reason``), so that two actions' panels open on one page (the practice's home) never share one."""

    panel = ""

    def __init__(self, *args, action=None, **kwargs):
        if action is not None:
            kwargs.setdefault("auto_id", f"{self.panel}-{action.pk}-%s")
        super().__init__(*args, **kwargs)
        self.action = action


class RagForm(PatientDataCheck, ActionPanelForm):
    panel = "rag"
    checked_fields = ["reason", "evidence_justification"]
    error_subjects = {"reason": "why it is changing", "evidence_justification": "where the evidence is, or why "
                      "none is needed"}

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    to_status = forms.ChoiceField(choices=Rag.choices, widget=forms.RadioSelect, label="New RAG status")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why is it changing?")
    evidence_justification = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        label="For Green without uploaded evidence: where is the evidence, or why is none needed?")

    def clean(self):
        # The service checks these again (under the row lock); here each is said on the field it is about. A
        # write from an older version is the service's to refuse as stale, with what changed since.
        data = super().clean()
        status, action = data.get("to_status"), self.action
        if action is None or not status or data.get("version") != action.version:
            return data
        if status == action.rag_status:
            self.add_error("to_status", f"The action is already {Rag(status).label}: select a different RAG status")
        elif (status == Rag.GREEN and not (data.get("evidence_justification") or "").strip()
              and not action.evidence.exists()):
            self.add_error("evidence_justification", "Green means completed with evidence: enter where the evidence "
                                                     "is or why none is needed, or upload the evidence first")
        return data


class ProgressForm(PatientDataCheck, ActionPanelForm):
    panel = "progress"
    checked_fields = ["text"]

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Add progress",
                           error_messages={"required": "Enter the progress made"})
    entry_date = DayMonthYearField(required=False, label="Date of the progress", subject="the date of the progress",
                                   help_text="Leave it empty for today. For example, 17 4 2026.")

    def clean_entry_date(self):
        day = self.cleaned_data.get("entry_date")
        if day and day > timezone.localdate():
            raise forms.ValidationError("Date of the progress must be today or in the past")
        return day


class MilestoneForm(ActionPanelForm):
    panel = "milestone"
    error_subjects = {"description": "the milestone"}

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    description = forms.CharField(max_length=300, label="Milestone")
    due_on = DayMonthYearField(label="Due date", subject="the due date of the milestone",
                               help_text="For example, 17 4 2026.")


class MilestoneToggleForm(ActionPanelForm):
    panel = "milestone-toggle"
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    done = forms.TypedChoiceField(choices=[("1", "Done"), ("0", "Not done")], coerce=lambda v: v == "1")


class EvidenceForm(ActionPanelForm):
    panel = "evidence"
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

class InviteStaffForm(Form):
    addresses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000, label="Staff e-mail addresses",
        help_text="One per line, or separated by commas. Each person is sent their own link, which works once.",
        error_messages={"required": "Enter at least one e-mail address"})


class InvitationCodesForm(Form):
    count = forms.IntegerField(
        label="How many codes do you need?", min_value=1, max_value=MAX_CODES_AT_ONCE,
        help_text="One for each member of staff without an e-mail address. You can print more later.",
        error_messages={"required": "Enter how many codes you need",
                        "invalid": "Enter how many codes you need as a number, like 5",
                        "min_value": "Ask for at least 1 code",
                        "max_value": f"Ask for at most {MAX_CODES_AT_ONCE} codes at a time"})


class EnterCodeForm(Form):
    code = forms.CharField(label="Your code", max_length=40, strip=True,
                           help_text="It is 16 letters and numbers, like ABCD-EFGH-JKMN-PQRS.",
                           error_messages={"required": "Enter the code printed on your invitation"})

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("Enter the code as it is printed: 16 letters and numbers, like "
                                        "ABCD-EFGH-JKMN-PQRS")
        return code


# The plan itself: the inspection it answers, and its kept versions -------------------------------------------

class PlanInspectionForm(Form):
    """The RCGP team ties the plan to one of its practice's inspections (or to none)."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    inspection = forms.TypedChoiceField(label="Inspection the plan answers", coerce=int, empty_value=None,
                                        required=False)

    def __init__(self, *args, inspections, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspections = {inspection.pk: inspection for inspection in inspections}
        self.fields["inspection"].choices = [("", "None")] + [
            (pk, _inspection_choice(inspection)) for pk, inspection in self.inspections.items()]

    def chosen(self):
        return self.inspections.get(self.cleaned_data.get("inspection"))


def _inspection_choice(inspection):
    when = inspection.publication_date or inspection.inspection_date
    rating = inspection.get_overall_rating_display() or "not rated"
    return f"{'Published' if inspection.publication_date else 'Inspected'} {when:%-d %B %Y}: {rating}" if when else (
        f"Undated: {rating}")


class PlanVersionForm(Form):
    """Keep a version of the plan: why (shared, sent to CQC, agreed and by whom), among what the person may record."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    kind = forms.ChoiceField(widget=forms.RadioSelect, label="Why keep this version?",
                             error_messages={"required": "Choose why you are keeping this version of the plan",
                                             "invalid_choice": "Choose why you are keeping this version of the plan"})

    LABELS = {
        "shared": "Shared with the commissioner",
        "sent_to_cqc": "Sent to CQC",
        "agreed:practice": "Agreed by the practice",
        "agreed:commissioner": "Agreed by the commissioner",
        "agreed:rcgp": "Agreed by RCGP",
    }

    def __init__(self, *args, recordable, **kwargs):
        super().__init__(*args, **kwargs)
        keys = [f"{reason}:{party}" if party else reason for reason, party in recordable]
        self.fields["kind"].choices = [(key, self.LABELS[key]) for key in keys]

    def reason_and_party(self):
        reason, _colon, party = self.cleaned_data["kind"].partition(":")
        return reason, party or None
