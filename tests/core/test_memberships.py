"""Memberships: a person's role at an organisation. Every account made through the user service, the command line
or the admin holds the membership it acts in, and changing the role moves it (one per person, for now)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.models import Membership
from core.roles import Role
from core.services import user_upsert

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


def test_one_membership_per_person_for_now():
    user = user_for(Role.RCGP_ADVISER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.RCGP_DEPUTY_LEAD)
    assert _held(user) == [(Role.RCGP_ADVISER, None, None)]


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
