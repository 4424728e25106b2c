"""Memberships: a person's role at an organisation. Every account made through the user service, the command line
or the admin holds the membership it acts in, and changing the role moves it. A person may hold several: what they
may see and do is the union of them, and switching changes only which one they act in."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from contracts import access as contract_access
from contracts.models import Contract
from core.models import Membership, User
from core.roles import Role
from core.services import membership_add, membership_remove, membership_set_role, membership_switch, user_upsert

from ..contracts.factories import ContractFactory
from ..factories import CommissionerFactory, PracticeFactory, user_for

pytestmark = pytest.mark.django_db


def _held(user):
    return list(Membership.objects.filter(user=user).values_list("role", "commissioner_id", "practice_id"))


def test_the_user_service_keeps_the_membership_in_step_with_the_role():
    commissioner, practice = CommissionerFactory(ods_code="00Y"), PracticeFactory(ods_code="P11111")
    user, created = user_upsert(username="sam", role=Role.COMMISSIONER_LEAD, org_code="00Y")
    assert created and _held(user) == [(Role.COMMISSIONER_LEAD, commissioner.pk, None)]
    user, created = user_upsert(username="sam", role=Role.PRACTICE_LEAD, org_code="P11111")
    assert not created and _held(user) == [(Role.PRACTICE_LEAD, None, practice.pk)]
    user, _ = user_upsert(username="sam", role=Role.NHSE_REPORTING)
    assert _held(user) == [(Role.NHSE_REPORTING, None, None)]


def test_a_role_at_an_organisation_is_held_once():
    user = user_for(Role.RCGP_ADVISER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.RCGP_ADVISER)
    assert _held(user) == [(Role.RCGP_ADVISER, None, None)]


def _fresh(user):
    return User.objects.get(pk=user.pk)


def _seen(user):
    return set(contract_access.contracts_for(_fresh(user)).values_list("reference", flat=True))


def _hands_over(user, contract):
    return contract_access.can(_fresh(user), "hand_over", contract)


def test_two_memberships_give_the_union_and_switching_changes_only_which_one_is_acted_in():
    """Peer support at one commissioner and lead at another: the person sees both commissioners' contracts, and
    may record a handover (a lead's move) on the second's only, whichever membership they act in: the union is of
    whole memberships, never of one membership's role with the other's organisation."""
    peer_at, lead_at = CommissionerFactory(), CommissionerFactory()
    peer_contract = ContractFactory(practice=PracticeFactory(commissioner=peer_at), commissioner=peer_at)
    lead_contract = ContractFactory(practice=PracticeFactory(commissioner=lead_at), commissioner=lead_at)
    ContractFactory()  # someone else's
    person = user_for(Role.COMMISSIONER_PEER_SUPPORT, commissioner=peer_at)
    assert _seen(person) == {peer_contract.reference}
    second = membership_add(user=person, role=Role.COMMISSIONER_LEAD, commissioner=lead_at)
    assert _fresh(person).other_memberships == 1
    assert _fresh(person).role == Role.COMMISSIONER_PEER_SUPPORT  # still acting in the first
    union = {peer_contract.reference, lead_contract.reference}
    assert _seen(person) == union
    assert _hands_over(person, lead_contract) and not _hands_over(person, peer_contract)
    # The per-record face agrees with the queryset face for the union.
    every = Contract.objects.all()
    assert {c.reference for c in every if contract_access.can(_fresh(person), "view", c)} == union

    membership_switch(user=_fresh(person), membership=second)
    acting = _fresh(person)
    assert (acting.role, acting.commissioner_id) == (Role.COMMISSIONER_LEAD, lead_at.pk)
    assert _seen(person) == union
    assert _hands_over(person, lead_contract) and not _hands_over(person, peer_contract)

    membership_remove(membership=second)
    left = _fresh(person)
    assert (left.role, left.commissioner_id, left.other_memberships) == (Role.COMMISSIONER_PEER_SUPPORT,
                                                                         peer_at.pk, 0)
    assert _seen(person) == {peer_contract.reference}


def test_one_membership_costs_the_access_rules_no_query(django_assert_num_queries):
    person = _fresh(user_for(Role.COMMISSIONER_LEAD))
    with django_assert_num_queries(0):
        assert person.personas() == [person]
    membership_add(user=person, role=Role.RCGP_ADVISER)
    person = _fresh(person)
    with django_assert_num_queries(1):
        personas = person.personas()
        person.personas()
    assert [p.role for p in personas] == [Role.COMMISSIONER_LEAD, Role.RCGP_ADVISER]


def test_changing_a_role_keeps_the_organisation_and_a_second_copy_is_refused():
    from core.errors import DomainError

    practice = PracticeFactory()
    person = user_for(Role.PRACTICE_USER, practice=practice)
    membership = Membership.objects.get(user=person)
    membership_set_role(membership=membership, role=Role.PRACTICE_LEAD)
    assert (_fresh(person).role, _held(person)) == (Role.PRACTICE_LEAD, [(Role.PRACTICE_LEAD, None, practice.pk)])
    with pytest.raises(DomainError):
        membership_set_role(membership=membership, role=Role.RCGP_ADVISER)
    with pytest.raises(DomainError):
        membership_add(user=person, role=Role.PRACTICE_LEAD, practice=practice)


def test_changing_the_role_in_the_admin_moves_the_membership(client):
    admin = user_for(Role.RCGP_ADMIN, is_staff=True, is_superuser=True)
    practice = PracticeFactory()
    user = user_for(Role.RCGP_ADVISER)
    client.force_login(admin)
    page = client.get(reverse("admin:resilience_user_change", args=[user.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, tuple))}
    data.update(username=user.username, role=Role.PRACTICE_USER, practice=practice.pk, commissioner="",
                date_joined_0=user.date_joined.strftime("%Y-%m-%d"), date_joined_1="00:00:00",
                last_login_0="", last_login_1="")
    response = client.post(reverse("admin:resilience_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _held(user) == [(Role.PRACTICE_USER, None, practice.pk)]
