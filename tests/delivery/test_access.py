"""Who reads and writes the delivery record, on the access module's two faces (one record, a queryset), and that
the two agree for every rule, role and record."""

from itertools import product

import pytest
from django.utils import timezone

from contracts.models import Contract
from core.roles import Role
from delivery import access
from delivery.models import DeliveryRecord
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Role
TEAM = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}
PARTIES = {R.PRACTICE_USER, R.PRACTICE_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD}


def expected(role, name):
    """RCGP-only unless marked shared: the team reads OWN's records; the practice and commissioner only the shared
    review meeting; OTHER's shared visit is RCGP admin's alone; NHSE none."""
    if name == "far":
        return role == R.RCGP_ADMIN
    if role in TEAM:
        return True
    return role in PARTIES and name == "shared"


def test_each_role_reads_what_the_policy_gives(world, delivery):
    for (role, user), name in product(world["users"].items(), ("private", "interview", "shared", "far")):
        record = DeliveryRecord.objects.get(pk=delivery[name].pk)
        assert access.records_for(user).filter(pk=record.pk).exists() == expected(role, name), (role, name)
        assert access.can(user, "view", record) == expected(role, name), (role, name)


def test_an_interview_is_never_read_outside_the_team_even_if_marked_shared_in_the_table(world, delivery):
    # The service refuses to share one, and the database refuses too; the rule holds all the same.
    interview = DeliveryRecord.objects.get(pk=delivery["interview"].pk)
    interview.shared = True  # in memory only: the check constraint forbids saving it
    for role in PARTIES:
        assert not access.can(world["users"][role], "view", interview), role


def test_only_the_contracts_team_writes_and_an_ended_contract_only_rcgp_admin(world, delivery):
    own = delivery["own"]
    record = DeliveryRecord.objects.select_related("contract").get(pk=delivery["shared"].pk)
    for role, user in world["users"].items():
        assert access.can_record(user, own) == (role in TEAM), role
        assert access.can(user, "write", record) == (role in TEAM), role
    Contract.objects.filter(pk=own.pk).update(state="withdrawn")
    own.refresh_from_db()
    record = DeliveryRecord.objects.select_related("contract").get(pk=record.pk)
    for role, user in world["users"].items():
        assert access.can_record(user, own) == (role == R.RCGP_ADMIN), role
        assert access.can(user, "write", record) == (role == R.RCGP_ADMIN), role
    assert access.record_refusal(world["users"][R.RCGP_ADVISER], own).startswith("The contract has ended")
    assert access.record_refusal(world["users"][R.PRACTICE_LEAD], own).startswith("Only the contract's RCGP team")


def test_a_deputy_lead_asked_to_staff_a_contract_sees_no_delivery_and_a_removed_adviser_loses_it(world, delivery):
    deputy, adviser = world["users"][R.RCGP_DEPUTY_LEAD], world["users"][R.RCGP_ADVISER]
    waiting = ContractFactory(practice=world["practices"]["own"], state="commissioned", deputy_lead=None)
    assert not access.CONTRACT_VERBS["read_any"].test(deputy, waiting)
    assert access.records_for(adviser).filter(contract=delivery["own"]).count() == 3
    delivery["own"].team_members.update(removed_at=timezone.now())
    assert not access.records_for(adviser).exists()
    assert not access.can(adviser, "view", DeliveryRecord.objects.get(pk=delivery["private"].pk))


def test_each_rule_gives_the_same_answer_for_one_record_as_its_queryset(world, delivery):
    users = [*world["users"].values(), UserFactory(role=R.RCGP_ADMIN, is_active=False), delivery["other_deputy"]]
    ended = ContractFactory(practice=world["practices"]["own"], state="closed", deputy_lead=users[0])
    wrong = []
    for user, (verb, rule), name in product(users, access.RECORD_VERBS.items(),
                                            ("private", "interview", "shared", "far")):
        record = DeliveryRecord.objects.get(pk=delivery[name].pk)
        one = rule.test(user, record)
        many = rule.filter(user, DeliveryRecord.objects.filter(pk=record.pk)).exists()
        if one != many:
            wrong.append(("record", verb, name, user.role, user.is_active, one, many))
    for user, (verb, rule), contract in product(users, access.CONTRACT_VERBS.items(),
                                                (delivery["own"], delivery["other"], ended)):
        contract = Contract.objects.get(pk=contract.pk)
        one = rule.test(user, contract)
        many = rule.filter(user, Contract.objects.filter(pk=contract.pk)).exists()
        if one != many:
            wrong.append(("contract", verb, contract.reference, user.role, user.is_active, one, many))
    assert wrong == []
