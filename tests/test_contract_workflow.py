"""The contract workflow: every transition for every role, against a table written by hand."""

import datetime

import pytest
from django.db import transaction

from contracts.models import ContractTransition, TeamMembership
from contracts.services import contract_appoint_lead, contract_transition
from contracts.workflow import State
from resilience.errors import DomainError
from resilience.roles import Role

from .factories import AdviserFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

DEPUTY, ADMIN, ADVISER = Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADMIN, Role.RCGP_ADVISER
C_LEAD, P_LEAD = Role.COMMISSIONER_LEAD, Role.PRACTICE_LEAD
LIVE = ["commissioned", "lead_appointed", "team_recruited", "scoping", "report_drafting", "factual_accuracy_review",
        "consent_decision", "review_meeting", "handed_over"]

# Who may make each move (the deputy lead leads the contract, the adviser is on its team, the practice
# and commissioner users belong to the contract's practice and commissioner). Written out by hand from
# DESIGN.md §2; anything not listed is forbidden for everyone.
ALLOWED = {
    ("lead_appointed", "team_recruited"): {DEPUTY, ADMIN},
    ("team_recruited", "scoping"): {DEPUTY, ADMIN, ADVISER},
    ("scoping", "report_drafting"): {DEPUTY, ADMIN, ADVISER},
    ("report_drafting", "factual_accuracy_review"): {DEPUTY, ADMIN},
    ("factual_accuracy_review", "consent_decision"): {DEPUTY, ADMIN, P_LEAD},
    ("consent_decision", "review_meeting"): {DEPUTY, ADMIN, P_LEAD},
    ("review_meeting", "handed_over"): {DEPUTY, ADMIN, C_LEAD},
    ("handed_over", "closed"): {ADMIN, C_LEAD},
}
for _source in LIVE:
    ALLOWED[(_source, "declined_by_practice")] = {DEPUTY, ADMIN, C_LEAD, P_LEAD}
    ALLOWED[(_source, "withdrawn")] = {DEPUTY, ADMIN, C_LEAD}
    ALLOWED[(_source, "failed_to_engage")] = {DEPUTY, ADMIN, C_LEAD}


@pytest.fixture
def cast(world):
    users = world["users"]
    contract = ContractFactory(practice=world["practices"]["own"], deputy_lead=users[DEPUTY],
                               commissioned_on=datetime.date(2026, 1, 5))
    adviser = AdviserFactory(user=users[ADVISER])
    TeamMembership.objects.create(contract=contract, adviser=adviser, added_by=users[ADMIN])
    return contract, users


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("source", State.values)
def test_every_transition_for_every_role(cast, role, source):
    contract, users = cast
    actor = users[role]
    contract.state = source
    contract.save()
    for target in State.values:
        expected = role in ALLOWED.get((source, target), set())
        try:
            with transaction.atomic():
                moved = contract_transition(contract=contract, to_state=target, actor=actor,
                                            note="a reason", end_reason="other" if target == "closed" else "")
                assert moved.state == target
                assert ContractTransition.objects.filter(contract=contract, from_state=source, to_state=target,
                                                         by=actor).count() == 1
                raise _Rollback
        except _Rollback:
            assert expected, f"{role} moved {source} → {target}"
        except DomainError:
            assert not expected, f"{role} was refused {source} → {target}"
        contract.refresh_from_db()
        assert contract.state == source


class _Rollback(Exception):
    pass


def test_a_move_records_who_when_and_the_note(cast):
    contract, users = cast
    contract.state = State.TEAM_RECRUITED
    contract.save()
    contract_transition(contract=contract, to_state=State.SCOPING, actor=users[ADVISER], note="Visit booked",
                        effective_on=datetime.date(2026, 2, 1))
    move = ContractTransition.objects.get(contract=contract, to_state=State.SCOPING)
    assert (move.from_state, move.by, move.note, move.effective_on) == (
        "team_recruited", users[ADVISER], "Visit booked", datetime.date(2026, 2, 1))
    assert move.at is not None


def test_side_exit_needs_a_reason_and_records_the_end(cast):
    contract, users = cast
    contract.state = State.SCOPING
    contract.save()
    with pytest.raises(DomainError, match="Give the reason"):
        contract_transition(contract=contract, to_state=State.FAILED_TO_ENGAGE, actor=users[C_LEAD], note=" ")
    contract_transition(contract=contract, to_state=State.FAILED_TO_ENGAGE, actor=users[C_LEAD],
                        note="Cancelled three visits", effective_on=datetime.date(2026, 3, 1))
    contract.refresh_from_db()
    assert contract.state == State.FAILED_TO_ENGAGE and contract.status == "ended"
    assert (contract.ended_on, contract.exit_reason, contract.end_reason) == (
        datetime.date(2026, 3, 1), "Cancelled three visits", "early_withdrawal")


def test_closing_needs_an_end_reason(cast):
    contract, users = cast
    contract.state = State.HANDED_OVER
    contract.save()
    with pytest.raises(DomainError, match="why the contract ended"):
        contract_transition(contract=contract, to_state=State.CLOSED, actor=users[ADMIN])
    contract_transition(contract=contract, to_state=State.CLOSED, actor=users[ADMIN],
                        end_reason="carried_forward_for_reinspection")
    contract.refresh_from_db()
    assert contract.end_reason == "carried_forward_for_reinspection" and contract.awaiting_reinspection


def test_team_recruited_needs_an_adviser(world):
    users = world["users"]
    contract = ContractFactory(practice=world["practices"]["own"], deputy_lead=users[DEPUTY], state="lead_appointed")
    with pytest.raises(DomainError, match="at least one adviser"):
        contract_transition(contract=contract, to_state=State.TEAM_RECRUITED, actor=users[DEPUTY])


def test_future_dates_are_refused(cast):
    contract, users = cast
    contract.state = State.TEAM_RECRUITED
    contract.save()
    with pytest.raises(DomainError, match="future"):
        contract_transition(contract=contract, to_state=State.SCOPING, actor=users[ADMIN],
                            effective_on=datetime.date.today() + datetime.timedelta(days=1))


def test_deputy_lead_who_does_not_lead_the_contract_cannot_move_it(cast):
    contract, users = cast
    contract.state = State.SCOPING
    contract.save()
    other_deputy = UserFactory(role=DEPUTY)
    with pytest.raises(DomainError):
        contract_transition(contract=contract, to_state=State.REPORT_DRAFTING, actor=other_deputy)


def test_adviser_removed_from_the_team_cannot_move_it(cast):
    contract, users = cast
    contract.state = State.TEAM_RECRUITED
    contract.save()
    removed = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    TeamMembership.objects.filter(contract=contract).update(removed_at=removed)
    with pytest.raises(DomainError):
        contract_transition(contract=contract, to_state=State.SCOPING, actor=users[ADVISER])


def test_deputy_lead_takes_the_lead_and_admin_can_give_it(world):
    users = world["users"]
    contract = ContractFactory(practice=world["practices"]["own"])
    contract_appoint_lead(contract=contract, deputy_lead=users[DEPUTY], actor=users[DEPUTY])
    contract.refresh_from_db()
    assert (contract.state, contract.deputy_lead) == (State.LEAD_APPOINTED, users[DEPUTY])
    second = UserFactory(role=DEPUTY)
    with pytest.raises(DomainError, match="already has a deputy lead"):
        contract_appoint_lead(contract=contract, deputy_lead=second, actor=second)
    contract_appoint_lead(contract=contract, deputy_lead=second, actor=users[ADMIN])
    contract.refresh_from_db()
    assert contract.deputy_lead == second
    assert ContractTransition.objects.filter(contract=contract).count() == 2


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (DEPUTY, ADMIN)])
def test_other_roles_cannot_appoint_a_lead(world, role):
    contract = ContractFactory(practice=world["practices"]["own"])
    with pytest.raises(DomainError):
        contract_appoint_lead(contract=contract, deputy_lead=world["users"][DEPUTY], actor=world["users"][role])
    contract.refresh_from_db()
    assert contract.deputy_lead is None and contract.state == State.COMMISSIONED


def test_admin_cannot_appoint_someone_who_is_not_a_deputy_lead(world):
    contract = ContractFactory(practice=world["practices"]["own"])
    with pytest.raises(DomainError, match="not an RCGP deputy lead"):
        contract_appoint_lead(contract=contract, deputy_lead=world["users"][ADVISER], actor=world["users"][ADMIN])
