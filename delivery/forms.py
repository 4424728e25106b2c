"""Forms of the delivery pages: fields and their messages only (the rules are in delivery/services.py)."""

from django import forms

from core.forms import DayMonthYearField, Form

from .vocabulary import INTERVIEW_HEADINGS, MEETING_KINDS, RecordKind, SupportKind

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}
YES_NO = [("no", "No: only the RCGP team sees it"), ("yes", "Yes: the practice and its commissioner see it too")]

# Which form records which kinds (the URL names the form).
FORMS = {"meeting": MEETING_KINDS, "interview": (RecordKind.INTERVIEW,), "review": (RecordKind.REVIEW_MEETING,)}
HEADINGS = {"meeting": "Record a visit or meeting", "interview": "Record an interview",
            "review": "Record a review meeting"}


def form_for_kind(kind):
    return next(name for name, kinds in FORMS.items() if kind in kinds)


class RecordForm(Form):
    kind = forms.ChoiceField(label="What kind of visit or meeting was it?", widget=forms.RadioSelect)
    happened_on = DayMonthYearField(label="Date")
    interviewee_role = forms.CharField(label="The person's role", max_length=200,
                                       help_text="For example, senior partner or practice manager. Do not give "
                                                 "their name.")
    attendees = forms.CharField(label="Who attended", required=False, widget=forms.Textarea, max_length=2000,
                                help_text="People and organisations, one a line. For example, Dr A Patel, GP "
                                          "partner.")
    purpose = forms.CharField(label="Purpose", widget=forms.Textarea, max_length=5000)
    decisions = forms.CharField(label="Decisions", widget=forms.Textarea, max_length=10000)
    support_plan = forms.CharField(label="Agreed support plan", required=False, widget=forms.Textarea,
                                   max_length=10000, help_text="The support agreed from here on: who does what, by "
                                                               "when.")
    notes = forms.CharField(label="Notes for the RCGP team", required=False, widget=forms.Textarea,
                            max_length=10000)
    support_kinds = forms.MultipleChoiceField(label="Support given", required=False, choices=SupportKind.choices,
                                              widget=forms.CheckboxSelectMultiple,
                                              help_text="Select all that apply.")
    shared = forms.ChoiceField(label="Share this record with the practice and its commissioner?", choices=YES_NO,
                               widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"kind": "what kind of visit or meeting it was", "shared": "whether to share this record",
                      "support_kinds": "the support given"}

    def __init__(self, *args, form="meeting", new=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_name = form
        kinds = FORMS[form]
        labels = dict(RecordKind.choices)
        self.fields["kind"].choices = [(kind.value, labels[kind]) for kind in kinds]
        if len(kinds) == 1:
            del self.fields["kind"]
            self.single_kind = kinds[0].value
        if new:
            del self.fields["version"]
        if form != "interview":
            del self.fields["interviewee_role"]
        else:
            for name in ("purpose", "decisions", "support_plan", "shared"):
                del self.fields[name]
            self.fields["attendees"].label = "Who interviewed them"
            self.fields["attendees"].help_text = "The advisers, one a line."
            for key, heading, hint in INTERVIEW_HEADINGS:
                self.fields[f"answer_{key}"] = forms.CharField(label=heading, help_text=hint, required=False,
                                                               widget=forms.Textarea, max_length=5000)
        if form == "meeting":
            del self.fields["decisions"]
            del self.fields["support_plan"]
        if form == "review":
            self.fields["purpose"].required = False

    def answer_fields(self):
        return [self[f"answer_{key}"] for key, _heading, _hint in INTERVIEW_HEADINGS] \
            if self.form_name == "interview" else []

    def clean(self):
        data = super().clean()
        if self.form_name == "interview" and not self.errors and not any(
                (data.get(f"answer_{key}") or "").strip() for key, _h, _hint in INTERVIEW_HEADINGS):
            self.add_error(f"answer_{INTERVIEW_HEADINGS[0][0]}", "Answer at least one of the interview's headings")
        return data

    def values(self):
        data = self.cleaned_data
        values = {"kind": data.get("kind") or self.single_kind, "happened_on": data["happened_on"],
                  "attendees": data["attendees"], "notes": data["notes"], "support_kinds": data["support_kinds"]}
        if self.form_name == "interview":
            values.update(interviewee_role=data["interviewee_role"],
                          answers={key: data[f"answer_{key}"] for key, _h, _hint in INTERVIEW_HEADINGS})
        else:
            values.update(purpose=data["purpose"], shared=data["shared"] == "yes")
        if self.form_name == "review":
            values.update(decisions=data["decisions"], support_plan=data["support_plan"])
        return values

    @staticmethod
    def initial_from(record):
        initial = {"kind": record.kind, "happened_on": record.happened_on, "attendees": record.attendees,
                   "purpose": record.purpose, "notes": record.notes, "interviewee_role": record.interviewee_role,
                   "decisions": record.decisions, "support_plan": record.support_plan,
                   "support_kinds": record.support_kinds, "shared": "yes" if record.shared else "no",
                   "version": record.version}
        for key, _heading, _hint in INTERVIEW_HEADINGS:
            initial[f"answer_{key}"] = record.answers.get(key, "")
        return initial
