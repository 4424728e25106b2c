"""core.forms: the NHS date input field, and messages that name their field on every form of the service."""

import datetime

import pytest
from django import forms

from casework.forms import ConsentForm, MoveForm
from concerns.forms import ConcernActionForm, ConcernForm
from contracts.forms import AddAdviserForm, CommissionForm, FirstContactForm, OutcomeForm
from contracts.referral_forms import AcknowledgementForm, AssessmentForm, DeclineForm, ReferralForm
from core.forms import DayMonthYearField, Form, NhsErrorMessages
from core.roles import Role
from forwardplans.forms import (
    ActionForm,
    CorrectionAnswerForm,
    CorrectionForm,
    EnterCodeForm,
    EvidenceForm,
    InvitationCodesForm,
    InviteStaffForm,
    MilestoneForm,
    NewActionForm,
    ProgressForm,
    RagForm,
    RootCausesForm,
    SectionForm,
)


class DateForm(Form):
    planned = DayMonthYearField(label="Planned completion date")


REAL = "Planned completion date must be a real date"


def date_errors(data):
    form = DateForm(data)
    return form.cleaned_data.get("planned") if form.is_valid() else form.errors["planned"]


@pytest.mark.parametrize(("data", "expected"), [
    ({"planned-day": "31", "planned-month": "1", "planned-year": "2027"}, datetime.date(2027, 1, 31)),
    ({"planned-day": " 5 ", "planned-month": "03", "planned-year": "2026"}, datetime.date(2026, 3, 5)),
    ({"planned": "2027-01-31"}, datetime.date(2027, 1, 31)),  # one ISO value, as scripts and older tests post it
    ({}, ["Enter the planned completion date"]),
    ({"planned-day": "", "planned-month": "", "planned-year": ""}, ["Enter the planned completion date"]),
    ({"planned-day": "31", "planned-year": "2027"}, ["Planned completion date must include a month"]),
    ({"planned-year": "2027"}, ["Planned completion date must include a day and month"]),
    ({"planned-day": "1", "planned-month": "2"}, ["Planned completion date must include a year"]),
    ({"planned-day": "30", "planned-month": "2", "planned-year": "2027"}, [REAL]),
    ({"planned-day": "1", "planned-month": "13", "planned-year": "2027"}, [REAL]),
    ({"planned-day": "one", "planned-month": "1", "planned-year": "2027"},
     [REAL]),
    ({"planned": "2027-02-30"}, [REAL]),
    ({"planned-day": "1", "planned-month": "2", "planned-year": "27"}, ["Year must include 4 numbers"]),
])
def test_the_date_field_reads_three_boxes_or_one_iso_date_and_says_what_is_wrong(data, expected):
    assert date_errors(data) == expected


def test_the_date_field_shows_the_parts_as_typed_or_those_of_a_date():
    typed = DateForm({"planned-day": "31", "planned-month": "", "planned-year": "2027"})
    assert typed["planned"].value() == {"day": "31", "month": "", "year": "2027"}
    assert DateForm(initial={"planned": datetime.date(2026, 4, 7)})["planned"].value() == {
        "day": "7", "month": "4", "year": "2026"}
    assert DateForm({"planned": "2026-04-07"})["planned"].value() == {"day": "7", "month": "4", "year": "2026"}
    assert DateForm()["planned"].value() == {"day": "", "month": "", "year": ""}


def test_a_date_field_is_optional_when_asked_and_its_own_message_wins():
    class Optional(Form):
        on = DayMonthYearField(required=False, label="Date")
        seen = DayMonthYearField(label="When was it seen?", error_messages={"required": "Say when it was seen"})

    form = Optional({"on-day": "", "on-month": "", "on-year": ""})
    assert not form.is_valid() and form.errors == {"seen": ["Say when it was seen"]}
    assert form.cleaned_data["on"] is None


def test_messages_name_the_field_by_its_kind_and_a_field_may_say_its_own():
    class Kinds(Form):
        error_subjects = {"reason": "why it is changing"}
        key_question = forms.ChoiceField(label="CQC key question", choices=[("safe", "Safe")])
        reason = forms.CharField(label="Why is it changing?")
        count = forms.IntegerField(label="Number of codes", min_value=1, max_value=5)
        email = forms.EmailField(label="Email address")
        name = forms.CharField(label="Full name", max_length=3)
        own = forms.CharField(label="Code", error_messages={"required": "Enter the code printed on your invitation"})

    empty = Kinds({})
    assert not empty.is_valid()
    assert {name: errors[0] for name, errors in empty.errors.items()} == {
        "key_question": "Select the CQC key question", "reason": "Enter why it is changing",
        "count": "Enter the number of codes", "email": "Enter the email address", "name": "Enter the full name",
        "own": "Enter the code printed on your invitation"}
    wrong = Kinds({"key_question": "magic", "reason": "x", "count": "9", "email": "nope", "name": "Abcd", "own": "x"})
    assert not wrong.is_valid()
    assert {name: errors[0] for name, errors in wrong.errors.items()} == {
        "key_question": "Choose the CQC key question from the list",
        "count": "Number of codes must be 5 or less",
        "email": "Enter the email address in the correct format, like name@example.nhs.uk",
        "name": "Full name must be 3 characters or fewer"}


GENERIC = ("This field is required", "Enter a valid", "Select a valid choice", "Ensure this value",
           "Enter a whole number", "an answer to")


def every_form(world, docs):
    """One of each form of the service, bound to empty (or wrong) answers."""
    action, lead = docs["action"], world["users"][Role.COMMISSIONER_LEAD]
    return [
        ActionForm({}, contract=docs["contract"]), NewActionForm({}, contract=docs["contract"]),
        RagForm({}, action=action), ProgressForm({}, action=action), MilestoneForm({}, action=action),
        EvidenceForm({}, action=action), SectionForm({}, heading="Findings"), RootCausesForm({}),
        CorrectionForm({}), CorrectionAnswerForm({}), InviteStaffForm({}), InvitationCodesForm({}),
        EnterCodeForm({}), CommissionForm({}, user=lead), FirstContactForm({}), AddAdviserForm({}),
        OutcomeForm({"closure": "magic"}), ReferralForm({}, user=lead), AssessmentForm({}), AcknowledgementForm({}),
        DeclineForm({}), MoveForm({"effective_on-day": "1"}), ConsentForm({}, moves=[]), ConcernForm({}),
        ConcernActionForm({}),
    ]


def test_every_form_of_the_service_says_which_field_each_error_is_about(world, docs):
    """No "This field is required." anywhere: each message names its field (the issue found five of them, unnamed,
    on the action form)."""
    seen = 0
    for form in every_form(world, docs):
        assert isinstance(form, NhsErrorMessages), type(form).__name__
        form.is_valid()
        for name, errors in form.errors.items():
            for error in errors:
                seen += 1
                assert not any(text in error for text in GENERIC), (type(form).__name__, name, error)
    assert seen > 40


def test_the_action_form_names_each_missing_answer(docs):
    form = ActionForm({"key_question": "", "priority": "x"}, contract=docs["contract"])
    assert not form.is_valid()
    assert {name: errors[0] for name, errors in form.errors.items()} == {
        "key_question": "Select the CQC key question", "problem": "Enter the problem as found",
        "underlying_issue": "Enter the underlying issue", "action_planned": "Enter the action planned",
        "lead_person": "Enter the name of the lead", "evidence_needed": "Enter the evidence needed",
        "planned_completion": "Enter the planned completion date", "priority": "Priority must be a number"}
