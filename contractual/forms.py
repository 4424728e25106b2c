"""The forms of contractual action: one per step, each carrying the version of the case (or notice) it started
from. The rules are the services' (contractual/services.py); the forms only read what was typed."""

from django import forms

from core.forms import DayMonthYearField, Form

from .models import (
    AppealOutcome,
    ContinuityKind,
    DecisionKind,
    Level,
    NoticeOutcome,
    RegistrationEvent,
    RiskOutcome,
    ShorterGround,
    Source,
)

CONSIDER = [("yes", "Yes, the commissioner will consider it"), ("no", "No, it will not be considered")]


def _text(label, required=True, rows=4, **kwargs):
    return forms.CharField(label=label, required=required, max_length=10000,
                           widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _date(label, subject, required=True):
    return DayMonthYearField(label=label, subject=subject, required=required, help_text="For example, 27 3 2026.")


class StepForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    fields_for_service = ()

    def service_kwargs(self):
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields_for_service}


class CaseOpenForm(StepForm):
    received_on = _date("Date the concern notification was received", "the date the concern was received")
    source = forms.ChoiceField(choices=Source.choices, widget=forms.RadioSelect, label="Where did it come from?")
    cqc_visit_on = _date("Date of CQC's visit (CQC only)", "the date of CQC's visit", required=False)
    summary = _text("Summary of the concern")
    fields_for_service = ("received_on", "source", "cqc_visit_on", "summary")
    error_subjects = {"source": "where the concern came from"}


class RiskForm(StepForm):
    outcome = forms.ChoiceField(choices=RiskOutcome.choices, widget=forms.RadioSelect, label="Outcome of the risk "
                                "assessment")
    assessed_on = _date("Date of the risk assessment", "the date of the risk assessment")
    notes = _text("Notes", required=False, rows=3)
    fields_for_service = ("outcome", "assessed_on", "notes")


class InvestigationOpenForm(StepForm):
    level = forms.ChoiceField(choices=Level.choices, widget=forms.RadioSelect, label="Level of investigation")
    started_on = _date("Date the investigation started", "the date the investigation started")
    fields_for_service = ("level", "started_on")


class InvestigationForm(StepForm):
    assurance_letter_sent_on = _date("Assurance letter sent on (minor)", "the date the assurance letter was sent",
                                     required=False)
    reply_received_on = _date("Reply received on (minor)", "the date the reply was received", required=False)
    visit_notice_on = _date("Notice of the visit given on (moderate)", "the date notice of the visit was given",
                            required=False)
    visit_on = _date("Visit date (moderate)", "the date of the visit", required=False)
    audit_report_on = _date("Audit report dated (major)", "the date of the audit report", required=False)
    findings = _text("Findings", required=False)
    fields_for_service = ("assurance_letter_sent_on", "reply_received_on", "visit_notice_on", "visit_on",
                          "audit_report_on", "findings")


class InvestigationCompleteForm(StepForm):
    """Ends the investigation: the service refuses it until what its level needs (the letter and the reply, the
    visit and its notice, the audit report) and the findings are recorded, and says which is missing."""

    findings = _text("Findings (if not already recorded, or to replace them)", required=False)
    completed_on = _date("Date the investigation was completed", "the date the investigation was completed")
    fields_for_service = ("findings", "completed_on")

    def service_kwargs(self):
        return {**super().service_kwargs(), "complete": True}


class DecisionForm(StepForm):
    kind = forms.ChoiceField(choices=DecisionKind.choices, widget=forms.RadioSelect, label="Decision")
    decided_on = _date("Date of the decision", "the date of the decision")
    reasons = _text("Reasons", required=False, rows=3)
    legal_advice_on = _date("Legal advice taken on (termination)", "the date of the legal advice", required=False)
    legal_advice_by = forms.CharField(label="Legal advice given by (termination)", required=False, max_length=200)
    fields_for_service = ("kind", "decided_on", "reasons", "legal_advice_on", "legal_advice_by")


class NoticeForm(StepForm):
    terms_breached = _text("Terms of the contract breached")
    actions_required = _text("Actions required to remedy the breach (remedial notice)", required=False)
    dated_on = _date("Date of the notice", "the date of the notice")
    remedy_by = _date("Remedy by (remedial notice)", "the remedy date", required=False)
    shorter_ground = forms.ChoiceField(choices=[("", "Not shorter than 28 days"), *ShorterGround.choices],
                                       required=False, widget=forms.RadioSelect,
                                       label="Ground for a remedy period shorter than 28 days")
    shorter_reason = _text("Why a shorter period is necessary", required=False, rows=3)
    fields_for_service = ("terms_breached", "actions_required", "dated_on", "remedy_by", "shorter_ground",
                          "shorter_reason")


class ServeForm(StepForm):
    served_on = _date("Date the notice was served", "the date the notice was served")
    fields_for_service = ("served_on",)


class AppealForm(StepForm):
    received_on = _date("Date the appeal in writing was received", "the date the appeal was received")
    consider = forms.ChoiceField(choices=CONSIDER, required=False, widget=forms.RadioSelect,
                                 label="If received out of time: will the commissioner consider it?")
    decision_reason = _text("Reason for that decision (out of time only)", required=False, rows=3)

    def service_kwargs(self):
        data = self.cleaned_data
        consider = {"yes": True, "no": False}.get(data.get("consider"))
        return {"received_on": data["received_on"], "consider": consider,
                "decision_reason": data.get("decision_reason", "")}


class AppealDecideForm(StepForm):
    outcome = forms.ChoiceField(choices=AppealOutcome.choices, widget=forms.RadioSelect, label="Outcome of the "
                                "appeal")
    outcome_on = _date("Date of the outcome", "the date of the appeal's outcome")
    fields_for_service = ("outcome", "outcome_on")


class OutcomeForm(StepForm):
    outcome = forms.ChoiceField(choices=NoticeOutcome.choices, widget=forms.RadioSelect, label="Outcome of the notice")
    outcome_on = _date("Date of the outcome", "the date of the outcome")
    fields_for_service = ("outcome", "outcome_on")


class PerformerReferralForm(StepForm):
    referred_on = _date("Date the performer concern was referred", "the date of the referral")
    fields_for_service = ("referred_on",)


class ContinuityForm(StepForm):
    registration = forms.ChoiceField(choices=RegistrationEvent.choices, widget=forms.RadioSelect,
                                     label="What happened to the practice's registration?")
    kind = forms.ChoiceField(choices=ContinuityKind.choices, widget=forms.RadioSelect,
                             label="How do patients keep a service?")
    starts_on = _date("Date the arrangement starts", "the date the arrangement starts")
    ends_on = _date("Date the arrangement ends (if known)", "the date the arrangement ends", required=False)
    notes = _text("Notes", required=False, rows=3)
    fields_for_service = ("registration", "kind", "starts_on", "ends_on", "notes")
    error_subjects = {"registration": "whether the registration was suspended or cancelled",
                      "kind": "the arrangement for patients"}


class CloseForm(StepForm):
    pass
