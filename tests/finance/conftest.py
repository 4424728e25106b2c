import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import TeamMembership
from core.roles import Role
from tests.factories import AdviserFactory, ContractFactory, UserFactory


@pytest.fixture
def delivery(world):
    """A contract of the world's own practice in delivery, worth £10,000, led by the world's deputy lead, with two
    advisers on its team: the world's adviser (``adviser``) and another (``other``)."""
    users = world["users"]
    today = timezone.localdate()
    contract = ContractFactory(reference="T1", practice=world["practices"]["own"], state="delivery",
                               deputy_lead=users[Role.RCGP_DEPUTY_LEAD], value=Decimal("10000.00"),
                               commissioned_on=today - datetime.timedelta(days=60))
    adviser = AdviserFactory(user=users[Role.RCGP_ADVISER])
    other = AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, first_name="Olu", last_name="Other"))
    for member in (adviser, other):
        TeamMembership.objects.create(contract=contract, adviser=member, added_by=users[Role.RCGP_DEPUTY_LEAD])
    return {**world, "contract": contract, "adviser": adviser, "other": other, "today": today,
            "lead": users[Role.RCGP_DEPUTY_LEAD], "admin": users[Role.RCGP_ADMIN]}
