"""The staff's anonymous feedback at closure: a questionnaire of the purpose "closure_feedback", opened by the RCGP
team at closure, its invitations sent by the practice, answered anonymously against its own statements; the
diagnostic questionnaire's pages and counts never mix the two."""

import pytest
from django.urls import reverse

from casework.services import case_move
from core.errors import DomainError
from core.roles import Role
from forwardplans.models import Questionnaire, QuestionnaireResponse
from forwardplans.questionnaire_services import (
    questionnaire_aggregates,
    questionnaire_invite_by_email,
    questionnaire_issue_codes,
    questionnaire_open,
    questionnaire_submit,
    questionnaire_summary_text,
)
from forwardplans.vocabulary import CLOSURE_FEEDBACK_STATEMENTS, QUESTIONNAIRE_STATEMENTS
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db
R = Role
CLOSURE = "closure_feedback"
CLOSURE_ANSWERS = {key: 4 for key, _statement in CLOSURE_FEEDBACK_STATEMENTS}
DIAGNOSTIC_ANSWERS = {key: 3 for key, _statement in QUESTIONNAIRE_STATEMENTS}


def _answered(questionnaire, practice_lead, n, answers):
    for code in questionnaire_issue_codes(questionnaire=questionnaire, count=n, actor=practice_lead):
        questionnaire_submit(token=code, answers=answers, comments="")


def test_the_team_asks_staff_for_feedback_at_closure_and_the_practice_invites_them(world, closing):
    users = world["users"]
    questionnaire = questionnaire_open(contract=closing["own"], actor=users[R.RCGP_ADVISER], purpose=CLOSURE)
    assert questionnaire.purpose == CLOSURE
    invited = questionnaire_invite_by_email(questionnaire=questionnaire, addresses=["a@example.nhs.uk"],
                                            actor=users[R.PRACTICE_LEAD])
    assert invited.invited == ("a@example.nhs.uk",)
    _answered(questionnaire, users[R.PRACTICE_LEAD], 3, CLOSURE_ANSWERS)
    aggregates = questionnaire_aggregates(questionnaire)
    assert aggregates.total == 3
    assert [item.key for item in aggregates.statements] == [key for key, _s in CLOSURE_FEEDBACK_STATEMENTS]
    assert {item.mean for item in aggregates.statements} == {4}
    assert "anonymous feedback questionnaire" in questionnaire_summary_text(questionnaire)


def test_staff_feedback_answers_its_own_statements_not_the_diagnostic_ones(world, closing):
    users = world["users"]
    questionnaire = questionnaire_open(contract=closing["own"], actor=users[R.RCGP_DEPUTY_LEAD], purpose=CLOSURE)
    code = questionnaire_issue_codes(questionnaire=questionnaire, count=1, actor=users[R.PRACTICE_LEAD])[0]
    with pytest.raises(DomainError, match="Answer every statement"):
        questionnaire_submit(token=code, answers=DIAGNOSTIC_ANSWERS)
    assert not QuestionnaireResponse.objects.exists()


def test_staff_feedback_is_asked_at_closure_only(world):
    users = world["users"]
    live = ContractFactory(practice=world["practices"]["own"], deputy_lead=users[R.RCGP_DEPUTY_LEAD],
                           state="review_meeting")
    with pytest.raises(DomainError, match="asked at closure"):
        questionnaire_open(contract=live, actor=users[R.RCGP_DEPUTY_LEAD], purpose=CLOSURE)
    withdrawn = ContractFactory(practice=world["practices"]["own"], deputy_lead=users[R.RCGP_DEPUTY_LEAD],
                                state="withdrawn")
    with pytest.raises(DomainError, match="asked at closure"):
        questionnaire_open(contract=withdrawn, actor=users[R.RCGP_DEPUTY_LEAD], purpose=CLOSURE)
    assert not Questionnaire.objects.exists()


def test_the_practice_still_invites_staff_after_the_contract_is_closed(world, closing):
    users = world["users"]
    questionnaire = questionnaire_open(contract=closing["own"], actor=users[R.RCGP_ADVISER], purpose=CLOSURE)
    case_move(contract=closing["own"], move="close", actor=users[R.RCGP_ADMIN], end_reason="other")
    assert len(questionnaire_issue_codes(questionnaire=questionnaire, count=2, actor=users[R.PRACTICE_LEAD])) == 2


def test_one_staff_feedback_questionnaire_is_open_at_a_time(world, closing):
    users = world["users"]
    questionnaire_open(contract=closing["own"], actor=users[R.RCGP_ADVISER], purpose=CLOSURE)
    with pytest.raises(DomainError, match="staff feedback questionnaire is already open"):
        questionnaire_open(contract=closing["own"], actor=users[R.RCGP_ADVISER], purpose=CLOSURE)


def test_the_practice_cannot_open_staff_feedback(world, closing):
    with pytest.raises(DomainError, match="RCGP team"):
        questionnaire_open(contract=closing["own"], actor=world["users"][R.PRACTICE_LEAD], purpose=CLOSURE)


def test_the_diagnostic_section_of_the_contract_page_lists_no_closure_feedback(client, world, closing):
    users = world["users"]
    questionnaire = questionnaire_open(contract=closing["own"], actor=users[R.RCGP_ADVISER], purpose=CLOSURE)
    client.force_login(users[R.RCGP_ADVISER])
    page = client.get(reverse("contracts:detail", args=["EV-OWN"]))
    assert page.context["questionnaires"] == []
    results = reverse("questionnaires:results", args=["EV-OWN", questionnaire.pk])
    html = page.content.decode()
    assert "Staff feedback (anonymous)" in html and results in html


def test_the_answer_page_asks_the_closure_statements(client, world, closing):
    users = world["users"]
    questionnaire = questionnaire_open(contract=closing["own"], actor=users[R.RCGP_ADVISER], purpose=CLOSURE)
    code = questionnaire_issue_codes(questionnaire=questionnaire, count=1, actor=users[R.PRACTICE_LEAD])[0]
    page = client.get(reverse("questionnaires:answer", args=[code]))
    html = page.content.decode()
    assert "Staff feedback on the support" in html
    assert CLOSURE_FEEDBACK_STATEMENTS[0][1] in html and QUESTIONNAIRE_STATEMENTS[0][1] not in html
    sent = client.post(reverse("questionnaires:answer", args=[code]),
                       {**dict.fromkeys(CLOSURE_ANSWERS, "5"), "comments": "Thank you."})
    assert sent.status_code == 302
    assert QuestionnaireResponse.objects.get().answers == dict.fromkeys(CLOSURE_ANSWERS, 5)


def test_the_open_button_opens_staff_feedback_from_the_panel(client, world, closing):
    client.force_login(world["users"][R.RCGP_DEPUTY_LEAD])
    response = client.post(reverse("questionnaires:open", args=["EV-OWN"]), {"purpose": CLOSURE})
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.purpose == CLOSURE
    assert response.url == reverse("questionnaires:results", args=["EV-OWN", questionnaire.pk])
    results = client.get(response.url).content.decode()
    assert "<h1>Staff feedback on the support</h1>" in results
