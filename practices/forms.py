"""The form that corrects (or records by hand) a special-measures episode."""

from django import forms

from core.forms import DayMonthYearField, Form

from .models import SpecialMeasuresEpisode
from .ratings import Rating

ENDINGS = [("", "Not ended")] + [c for c in SpecialMeasuresEpisode.Outcome.choices
                                 if c[0] in ("exited", "registration_cancelled", "practice_closed")]


class EpisodeCorrectionForm(Form):
    route = forms.ChoiceField(label="How it began", choices=SpecialMeasuresEpisode.Route.choices)
    started_on = DayMonthYearField(label="Start date")
    reinspection_due = DayMonthYearField(label="Re-inspection due by", required=False)
    extended_to = DayMonthYearField(label="Extended to", required=False)
    ended_on = DayMonthYearField(label="End date", required=False)
    outcome = forms.ChoiceField(label="How it ended", choices=ENDINGS, required=False)
    exit_rating = forms.ChoiceField(label="Rating on leaving", choices=[("", "None")] + Rating.choices,
                                    required=False)
    reason = forms.CharField(label="Why are you correcting it?", widget=forms.Textarea, max_length=2000)
    error_subjects = {"reason": "why you are correcting it"}

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "End date must be the same as or after the start date")
        if ended and not data.get("outcome"):
            self.add_error("outcome", "Select how it ended")
        if data.get("outcome") and not ended:
            self.add_error("ended_on", "Enter the end date")
        return data

    def values(self):
        """The episode's fields, as episode_correct takes them."""
        return {name: self.cleaned_data[name] for name in
                ("route", "started_on", "reinspection_due", "extended_to", "ended_on", "outcome", "exit_rating")}
