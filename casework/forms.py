from django import forms

from contracts.vocabulary import EndReason
from core.forms import DayMonthYearField, Form
from core.models import User
from core.roles import Role
from core.validators import MaxWordsValidator


class MoveForm(Form):
    """What a move may carry: a date, a note (a side exit's reason), why a contract ended, the deputy lead."""

    effective_on = DayMonthYearField(required=False, label="Date", subject="the date of the move")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note", max_length=2000)
    end_reason = forms.ChoiceField(choices=[("", "Choose a reason"), *EndReason.choices], required=False,
                                   label="Why the contract ended")
    deputy_lead = forms.ModelChoiceField(queryset=User.objects.filter(role=Role.RCGP_DEPUTY_LEAD, is_active=True),
                                         required=False, empty_label="Choose a deputy lead", label="Deputy lead")


class ConsentForm(Form):
    """The practice lead's decision; the choices offered are the consent moves the lifecycle allows now."""

    move = forms.ChoiceField(widget=forms.RadioSelect, label="Your decision",
                             error_messages={"required": "Choose whether to give, refuse or withdraw consent."})
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note (optional)",
                           validators=[MaxWordsValidator(200)],
                           help_text="Kept with your decision. While you consent to share, the commissioner's team "
                                     "can read it.")

    def __init__(self, *args, moves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move"].choices = [(move.name, move.label) for move in moves]
