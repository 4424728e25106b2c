"""An NHSE regional team member belongs to one region: the account service asks for it and keeps it on the
membership; no other role has one."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core.errors import DomainError
from core.models import Membership, User
from core.roles import Role
from core.services import user_upsert

pytestmark = pytest.mark.django_db


def test_a_regional_user_is_made_with_its_region_and_its_membership_holds_it():
    user, created = user_upsert(username="nw", role=Role.NHSE_REGIONAL, org_code="y62")
    assert created and user.region == "Y62"
    assert Membership.objects.get(user=user).region == "Y62"
    assert user.organisation == "NHS England – North West"


@pytest.mark.parametrize("code", [None, "", "Y54", "W00", "00K"])
def test_a_regional_user_without_a_current_region_is_refused_and_nothing_is_saved(code):
    with pytest.raises(DomainError, match="region code"):
        user_upsert(username="nw", role=Role.NHSE_REGIONAL, org_code=code)
    assert not User.objects.filter(username="nw").exists()


def test_national_nhse_has_no_region_and_a_role_change_clears_it():
    user, _ = user_upsert(username="nw", role=Role.NHSE_REGIONAL, org_code="Y56")
    user, _ = user_upsert(username="nw", role=Role.NHSE_REPORTING)
    assert user.region == "" and Membership.objects.get(user=user).region == ""
    user.region = "Y56"
    with pytest.raises(ValidationError, match="Only an NHSE regional team role"):
        user.full_clean(exclude=["password"])


def test_the_command_takes_the_region_as_its_organisation(capsys):
    call_command("create_role_user", "london", "--role", Role.NHSE_REGIONAL, "--org", "Y56")
    assert User.objects.get(username="london").region == "Y56"
