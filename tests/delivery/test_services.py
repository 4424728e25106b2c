"""The delivery record's services: what they save, what they refuse (saving nothing) and who may write."""

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError, NotAllowed, NothingChanged, StaleEdit
from core.roles import Role
from delivery.models import DeliveryRecord
from delivery.services import delivery_record_create, delivery_record_update
from tests.factories import UserFactory

from .factories import COMMISSIONED, contract_with_team, days_ago, meeting, team_of

pytestmark = pytest.mark.django_db
R = Role


@pytest.fixture
def own(world):
    deputy, adviser = team_of(world)
    return contract_with_team(world["practices"]["own"], deputy, adviser)


def test_a_visit_is_recorded_with_its_support_in_the_vocabularys_order_and_its_history(world, own):
    adviser = world["users"][R.RCGP_ADVISER]
    record = delivery_record_create(contract=own, actor=adviser, kind="scoping_visit", happened_on=days_ago(1),
                                    attendees=" Dr A Patel \n\n Practice manager ", purpose=" Scoping. ",
                                    notes="For us.", support_kinds=["staffing", "critical_friend", "staffing"],
                                    shared=True)
    assert record.support_kinds == ["critical_friend", "staffing"]
    assert record.attendee_list == ["Dr A Patel", "Practice manager"]
    assert (record.purpose, record.version, record.recorded_by) == ("Scoping.", 1, adviser)
    assert record.history.get().history_change_reason == "recorded"


@pytest.mark.parametrize(("fields", "message"), [
    ({"happened_on": None}, "Enter the date"),
    ({"happened_on": COMMISSIONED - datetime.timedelta(days=1)},
     "The date must be on or after the day the contract was commissioned, 5 January 2026"),
    ({"happened_on": timezone.localdate() + datetime.timedelta(days=1)}, "The date must be today or in the past"),
    ({"support_kinds": ["critical_friend", "tea_making"]}, "Unknown kind of support: tea_making"),
    ({"kind": "interview", "interviewee_role": "Partner", "answers": {"insight": "  "}},
     "Answer at least one of the interview's headings"),
    ({"kind": "interview", "interviewee_role": "", "answers": {"insight": "Some."}}, "Enter the person's role"),
    ({"kind": "interview", "interviewee_role": "Partner", "answers": {"insight": "Some."}, "shared": True},
     "An interview is confidential to the RCGP team: it cannot be shared"),
    ({"kind": "review_meeting", "decisions": ""}, "Enter the decisions made at the review meeting"),
    ({"purpose": ""}, "Enter the purpose of the visit or meeting"),
    ({"kind": "coffee"}, "Choose what kind of record this is"),
])
def test_bad_input_is_refused_with_a_clear_message_and_saves_nothing(world, own, fields, message):
    values = {"kind": "visit", "happened_on": days_ago(1), "purpose": "Visit.", **fields}
    with pytest.raises(DomainError) as refused:
        delivery_record_create(contract=own, actor=world["users"][R.RCGP_DEPUTY_LEAD], **values)
    assert str(refused.value).startswith(message)
    assert not DeliveryRecord.objects.exists()


def test_an_interview_keeps_only_the_headings_answered(world, own):
    record = delivery_record_create(contract=own, actor=world["users"][R.RCGP_ADVISER], kind="interview",
                                    happened_on=own.commissioned_on, interviewee_role="Practice manager",
                                    answers={"insight": " Accepts them. ", "quick_wins": "", "magnitude": "Yes."})
    assert record.answers == {"insight": "Accepts them.", "magnitude": "Yes."}
    assert [heading for heading, _answer in record.answered_headings()] == [
        "Insight into CQC's findings", "Understanding of their magnitude"]
    assert record.shared is False


def test_only_the_contracts_rcgp_team_writes(world, own):
    stranger = UserFactory(role=R.RCGP_ADVISER)
    for user in [stranger, UserFactory(role=R.RCGP_DEPUTY_LEAD), *(world["users"][role] for role in (
            R.PRACTICE_LEAD, R.PRACTICE_USER, R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.NHSE_REPORTING))]:
        with pytest.raises(NotAllowed, match="Only the contract's RCGP team"):
            meeting(own, user)
    for role in (R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER):
        meeting(own, world["users"][role])
    assert DeliveryRecord.objects.count() == 3


def test_a_removed_adviser_writes_no_more(world, own):
    adviser = world["users"][R.RCGP_ADVISER]
    own.team_members.update(removed_at=timezone.now())
    with pytest.raises(NotAllowed):
        meeting(own, adviser)


def test_on_an_ended_contract_only_rcgp_admin_adds_or_changes(world, own):
    record = meeting(own, world["users"][R.RCGP_ADVISER])
    own.state = "closed"
    own.save(update_fields=["state"])
    for role in (R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER):
        with pytest.raises(NotAllowed, match="The contract has ended: only RCGP admin"):
            meeting(own, world["users"][role])
        with pytest.raises(NotAllowed, match="The contract has ended"):
            delivery_record_update(record=record, actor=world["users"][role], base_version=1, purpose="Late.")
    admin = world["users"][R.RCGP_ADMIN]
    meeting(own, admin, kind="visit")
    assert delivery_record_update(record=record, actor=admin, base_version=1, purpose="Late.").version == 2


def test_an_edit_keeps_history_and_a_stale_one_is_refused_with_what_changed(world, own):
    deputy, adviser = team_of(world)
    record = meeting(own, adviser)
    changed = delivery_record_update(record=record, actor=deputy, base_version=1, purpose="Scoping, again.",
                                     support_kinds=["cqc_preparation"], shared=True)
    assert (changed.version, changed.purpose, changed.support_kinds, changed.shared) == (
        2, "Scoping, again.", ["cqc_preparation"], True)
    assert changed.history.first().history_change_reason == "changed: purpose, support_kinds, shared"
    with pytest.raises(StaleEdit) as stale:
        delivery_record_update(record=record, actor=adviser, base_version=1, purpose="Mine.")
    assert ("Purpose", "Scoping, again.") in stale.value.changes
    assert ("Support given", "CQC preparation") in stale.value.changes
    assert DeliveryRecord.objects.get().purpose == "Scoping, again."
    with pytest.raises(NothingChanged):
        delivery_record_update(record=record, actor=adviser, base_version=2, purpose="Scoping, again.")
    with pytest.raises(DomainError, match="kind cannot be changed"):
        delivery_record_update(record=record, actor=adviser, base_version=2, kind="review_meeting")
    with pytest.raises(DomainError, match="The date must be today or in the past"):
        delivery_record_update(record=record, actor=adviser, base_version=2,
                               happened_on=timezone.localdate() + datetime.timedelta(days=2))
    assert DeliveryRecord.objects.get().version == 2
