"""Forms of the monitoring pages: fields and their messages only (the rules are in monitoring/services.py)."""

from django import forms

from core.forms import DayMonthYearField, Form

from .models import READINESS_AREAS, AreaStatus, Kind, Readiness

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}
YES_NO = [("no", "No: only the commissioner's team sees it"), ("yes", "Yes: the practice's users see it too")]


class RecordForm(Form):
    kind = forms.ChoiceField(label="What kind of record is it?", choices=Kind.choices, widget=forms.RadioSelect)
    happened_on = DayMonthYearField(label="Date")
    people = forms.CharField(label="Who was there", required=False, widget=forms.Textarea, max_length=2000,
                             help_text="People and organisations, one a line. For example, Dr A Patel, GP partner.")
    summary = forms.CharField(label="Summary and notes", widget=forms.Textarea, max_length=10000)
    shared = forms.ChoiceField(label="Share this record with the practice?", choices=YES_NO,
                               widget=forms.RadioSelect)
    follow_up_what = forms.CharField(label="Follow-up (optional)", required=False, max_length=500,
                                     help_text="Something to do after this, by a date.")
    follow_up_due = DayMonthYearField(label="Follow-up due date", required=False)
    follow_up_owner = forms.ChoiceField(label="Who does the follow-up", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    confirm_no_patient_data = forms.BooleanField(required=False, label="This is not patient data")
    error_subjects = {"kind": "what kind of record it is", "summary": "the summary and notes",
                      "shared": "whether the practice sees this record"}

    def __init__(self, *args, new=True, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["version"]
            self.fields["follow_up_owner"].choices = [("", "No one named: the commissioner's team"),
                                                      *((str(u.pk), u.get_full_name() or u.username) for u in team)]
            self._team = {str(u.pk): u for u in team}
        else:
            for name in ("follow_up_what", "follow_up_due", "follow_up_owner"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if "follow_up_what" in self.fields:
            what, due = data.get("follow_up_what"), data.get("follow_up_due")
            if what and not due and "follow_up_due" not in self.errors:
                self.add_error("follow_up_due", "Enter the follow-up due date")
            if due and not what:
                self.add_error("follow_up_what", "Enter what the follow-up is")
        return data

    def values(self):
        data = self.cleaned_data
        return {"kind": data["kind"], "happened_on": data["happened_on"], "people": data["people"],
                "summary": data["summary"], "shared_with_practice": data["shared"] == "yes"}

    def follow_ups(self):
        data = self.cleaned_data
        if not data.get("follow_up_what"):
            return []
        return [{"what": data["follow_up_what"], "due_on": data["follow_up_due"],
                 "owner": self._team.get(data.get("follow_up_owner") or "")}]


class FollowUpForm(Form):
    what = forms.CharField(label="What is to be done", max_length=500)
    due_on = DayMonthYearField(label="Due date")
    owner = forms.ChoiceField(label="Who does it", required=False)
    error_subjects = {"what": "what is to be done"}

    def __init__(self, *args, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "No one named: the commissioner's team"),
                                        *((str(u.pk), u.get_full_name() or u.username) for u in team)]
        self._team = {str(u.pk): u for u in team}

    def values(self):
        data = self.cleaned_data
        return {"what": data["what"], "due_on": data["due_on"], "owner": self._team.get(data.get("owner") or "")}


class FollowUpDoneForm(Form):
    done_on = DayMonthYearField(label="Date it was done", required=False,
                                help_text="Leave empty for today.")


class ReadinessForm(Form):
    reviewed_on = DayMonthYearField(label="Date of the review")
    readiness = forms.ChoiceField(label="Overall readiness for re-inspection", choices=Readiness.choices,
                                  widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea, max_length=10000)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"readiness": "the overall readiness"}

    def __init__(self, *args, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["version"]
        for key, question in READINESS_AREAS:
            self.fields[f"area_{key}"] = forms.ChoiceField(label=question, choices=AreaStatus.choices,
                                                           widget=forms.RadioSelect,
                                                           error_messages={"required": f"Answer ‘{question}’"})
            self.fields[f"note_{key}"] = forms.CharField(label="Note (optional)", required=False, max_length=2000)

    def areas(self):
        """(status field, note field) for every area, in order, for the template."""
        return [(self[f"area_{key}"], self[f"note_{key}"]) for key, _question in READINESS_AREAS]

    def values(self):
        data = self.cleaned_data
        return {"reviewed_on": data["reviewed_on"], "readiness": data["readiness"], "notes": data["notes"],
                "checklist": {key: {"status": data[f"area_{key}"], "note": data[f"note_{key}"]}
                              for key, _question in READINESS_AREAS}}

    @staticmethod
    def initial_from(review):
        initial = {"reviewed_on": review.reviewed_on, "readiness": review.readiness, "notes": review.notes,
                   "version": review.version}
        for key, _question in READINESS_AREAS:
            answer = review.checklist.get(key) or {}
            initial[f"area_{key}"] = answer.get("status")
            initial[f"note_{key}"] = answer.get("note", "")
        return initial


class ReviewNoteForm(Form):
    note = forms.CharField(label="Review note", widget=forms.Textarea, max_length=5000,
                           help_text="The support given against this action since handover. It does not change the "
                                     "action's RAG status.")
    confirm_no_patient_data = forms.BooleanField(required=False, label="This is not patient data")
    error_subjects = {"note": "the review note"}
