"""The rules of the evaluation at closure, through its services: who gives, writes and changes what, when, and what
is refused (a clear message, nothing saved)."""

import pytest

from casework.services import case_move
from core.errors import DomainError, NotAllowed, NothingChanged, StaleEdit
from core.roles import Role
from evaluation import services
from evaluation.models import CaseStudy, PracticeFeedback, Reflection
from evaluation.vocabulary import Naming
from tests.factories import ContractFactory

from .factories import CASE_STUDY, answers, case_study, feedback, reflection

pytestmark = pytest.mark.django_db
R = Role


# The practice's feedback -------------------------------------------------------------------------------------------

def test_the_practice_lead_gives_feedback_at_closure_and_changes_it_from_its_version(world, closing):
    lead = world["users"][R.PRACTICE_LEAD]
    given = feedback(closing["own"], lead)
    assert given.version == 1 and given.answers == answers(4) and given.given_by == lead
    changed = services.practice_feedback_give(contract=closing["own"], actor=lead, answers=answers(5),
                                              could_be_better="More notice of visits.", base_version=1)
    assert changed.version == 2 and changed.answers == answers(5) and changed.went_well == ""
    assert PracticeFeedback.objects.count() == 1


def test_a_stale_feedback_is_refused_with_what_changed(world, closing):
    lead = world["users"][R.PRACTICE_LEAD]
    feedback(closing["own"], lead)
    services.practice_feedback_give(contract=closing["own"], actor=lead, answers=answers(2), base_version=1)
    with pytest.raises(StaleEdit) as caught:
        services.practice_feedback_give(contract=closing["own"], actor=lead, answers=answers(5), base_version=1)
    assert ("What went well", "") in caught.value.changes
    assert PracticeFeedback.objects.get().answers == answers(2)


@pytest.mark.parametrize("role", [R.PRACTICE_USER, R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER,
                                  R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.NHSE_REPORTING])
def test_only_the_practice_lead_gives_the_feedback(world, closing, role):
    with pytest.raises(NotAllowed, match="Only the practice lead"):
        feedback(closing["own"], world["users"][role])
    assert not PracticeFeedback.objects.exists()


def test_feedback_is_not_given_before_closure_nor_after_a_side_exit(world):
    lead = world["users"][R.PRACTICE_LEAD]
    for state in ("review_meeting", "withdrawn"):
        contract = ContractFactory(practice=world["practices"]["own"], state=state)
        with pytest.raises(NotAllowed, match="handed over or closed"):
            feedback(contract, lead)
    closed = ContractFactory(practice=world["practices"]["own"], state="closed")
    assert feedback(closed, lead).pk


def test_feedback_without_every_answer_is_refused_and_nothing_is_saved(world, closing):
    lead = world["users"][R.PRACTICE_LEAD]
    partial = answers(4)
    partial.pop("useful")
    with pytest.raises(DomainError, match="Answer every statement: The support was useful"):
        services.practice_feedback_give(contract=closing["own"], actor=lead, answers=partial)
    with pytest.raises(DomainError, match="Answer every statement"):
        services.practice_feedback_give(contract=closing["own"], actor=lead, answers=answers(6))
    assert not PracticeFeedback.objects.exists()


# Reflections -------------------------------------------------------------------------------------------------------

def test_each_adviser_and_the_deputy_lead_write_their_own_reflection(world, closing):
    users = world["users"]
    mine = reflection(closing["own"], users[R.RCGP_ADVISER])
    lead = reflection(closing["own"], users[R.RCGP_DEPUTY_LEAD])
    assert {mine.author, lead.author} == {users[R.RCGP_ADVISER], users[R.RCGP_DEPUTY_LEAD]}
    again = services.reflection_save(contract=closing["own"], actor=users[R.RCGP_ADVISER], what_worked="Visits.",
                                     what_did_not="Meetings.", lessons="Dates.", base_version=1)
    assert again.pk == mine.pk and again.version == 2 and Reflection.objects.count() == 2
    with pytest.raises(NothingChanged):
        services.reflection_save(contract=closing["own"], actor=users[R.RCGP_ADVISER], what_worked="Visits.",
                                 what_did_not="Meetings.", lessons="Dates.", base_version=2)


@pytest.mark.parametrize("role", [R.RCGP_ADMIN, R.COMMISSIONER_LEAD, R.PRACTICE_LEAD, R.NHSE_REPORTING])
def test_only_the_team_reflects(world, closing, role):
    with pytest.raises(NotAllowed, match="deputy lead and advisers"):
        reflection(closing["own"], world["users"][role])


def test_an_adviser_not_on_the_team_cannot_reflect(world, closing):
    with pytest.raises(NotAllowed):
        reflection(closing["other"], world["users"][R.RCGP_ADVISER])


def test_a_reflection_needs_every_part(world, closing):
    with pytest.raises(DomainError, match="Enter the lessons"):
        services.reflection_save(contract=closing["own"], actor=world["users"][R.RCGP_ADVISER], what_worked="x",
                                 what_did_not="y", lessons="  ")
    assert not Reflection.objects.exists()


# Case studies ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.COMMISSIONER_LEAD,
                                  R.COMMISSIONER_PEER_SUPPORT])
def test_the_team_and_the_commissioner_draft_case_studies(world, closing, role):
    drafted = case_study(closing["own"], world["users"][role])
    assert drafted.status == "draft" and drafted.naming == Naming.ANONYMISED and drafted.created_by.role == role


@pytest.mark.parametrize("role", [R.PRACTICE_LEAD, R.PRACTICE_USER, R.NHSE_REPORTING])
def test_nobody_else_drafts_a_case_study(world, closing, role):
    with pytest.raises(NotAllowed, match="RCGP team or its commissioner"):
        case_study(closing["own"], world["users"][role])
    assert not CaseStudy.objects.exists()


@pytest.mark.parametrize("naming", ["", None, "maybe"])
def test_a_case_study_without_the_practices_naming_choice_is_refused_and_nothing_is_saved(world, closing, naming):
    with pytest.raises(DomainError, match="named or anonymised") as caught:
        case_study(closing["own"], world["users"][R.RCGP_DEPUTY_LEAD], naming=naming)
    assert "cannot be saved without it" in str(caught.value)
    assert not CaseStudy.objects.exists()


def test_a_case_study_needs_its_text_and_a_category(world, closing):
    deputy = world["users"][R.RCGP_DEPUTY_LEAD]
    with pytest.raises(DomainError, match="Enter what did not work"):
        case_study(closing["own"], deputy, what_did_not="")
    with pytest.raises(DomainError, match="support category"):
        case_study(closing["own"], deputy, support_category="knitting")
    assert not CaseStudy.objects.exists()


def test_case_studies_are_drafted_at_closure_only(world):
    contract = ContractFactory(practice=world["practices"]["own"], state="delivery")
    with pytest.raises(NotAllowed, match="handed over or closed"):
        case_study(contract, world["users"][R.RCGP_ADMIN])


def test_the_practice_lead_changes_the_naming_choice_and_nobody_else_does(world, closing):
    drafted = case_study(closing["own"], world["users"][R.COMMISSIONER_LEAD])
    for role in (R.COMMISSIONER_LEAD, R.RCGP_DEPUTY_LEAD, R.PRACTICE_USER):
        with pytest.raises(NotAllowed, match="Only the practice lead"):
            services.case_study_choose_naming(case_study=drafted, actor=world["users"][role], naming="named",
                                              base_version=1)
    named = services.case_study_choose_naming(case_study=drafted, actor=world["users"][R.PRACTICE_LEAD],
                                              naming="named", base_version=1)
    assert named.naming == "named" and named.version == 2
    with pytest.raises(DomainError, match="named or anonymised"):
        services.case_study_choose_naming(case_study=drafted, actor=world["users"][R.PRACTICE_LEAD], naming="",
                                          base_version=2)


def test_a_stale_case_study_edit_is_refused_with_what_changed(world, closing):
    drafted = case_study(closing["own"], world["users"][R.RCGP_DEPUTY_LEAD])
    services.case_study_update(case_study=drafted, actor=world["users"][R.COMMISSIONER_LEAD], base_version=1,
                               status="final")
    with pytest.raises(StaleEdit) as caught:
        services.case_study_update(case_study=drafted, actor=world["users"][R.RCGP_ADVISER], base_version=1,
                                  title="Another title")
    assert ("Status", "Final") in caught.value.changes
    assert CaseStudy.objects.get().title == CASE_STUDY["title"]


def test_the_practice_may_not_edit_a_case_study(world, closing):
    drafted = case_study(closing["own"], world["users"][R.RCGP_DEPUTY_LEAD])
    with pytest.raises(NotAllowed, match="changes a case study"):
        services.case_study_update(case_study=drafted, actor=world["users"][R.PRACTICE_LEAD], base_version=1,
                                   title="Ours")


def test_a_case_study_can_be_drafted_on_a_closed_contract(world, closing):
    contract = closing["own"]
    case_move(contract=contract, move="close", actor=world["users"][R.RCGP_ADMIN], end_reason="other")
    contract.refresh_from_db()
    assert contract.state == "closed"
    assert case_study(contract, world["users"][R.RCGP_DEPUTY_LEAD]).contract.state == "closed"
