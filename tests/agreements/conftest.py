import datetime

import pytest
from django.utils import timezone

from agreements.services import agreement_draft, objective_update
from contracts.models import TeamMembership
from core.roles import Role
from tests.factories import AdviserFactory, ContractFactory

R = Role


@pytest.fixture
def contract(world):
    """The world's own practice's contract: led by the world's deputy lead, the world's adviser on its team, with
    the objective texts and agreement dates it was commissioned with."""
    users = world["users"]
    contract = ContractFactory(
        reference="AG-1", practice=world["practices"]["own"], deputy_lead=users[R.RCGP_DEPUTY_LEAD],
        state="scoping", value="10000.00", mou_starts_on=datetime.date(2026, 2, 1),
        mou_ends_on=datetime.date(2026, 8, 31),
        objectives_operational_stability="Recruit a salaried GP\nStabilise the rota",
        objectives_ways_of_working="Weekly clinical meeting", objectives_future_sustainability="")
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[R.RCGP_ADVISER]),
                                  added_by=users[R.RCGP_DEPUTY_LEAD])
    return contract


@pytest.fixture
def agreement(world, contract):
    """A drafted agreement whose prefilled objectives have a measure and a date: ready to sign."""
    deputy = world["users"][R.RCGP_DEPUTY_LEAD]
    agreement = agreement_draft(contract=contract, actor=deputy)
    by = timezone.localdate() + datetime.timedelta(days=90)
    for objective in agreement.objectives.all():
        agreement.refresh_from_db()
        objective_update(record=objective, actor=deputy, base_version=agreement.version,
                         measure="Seen in the rota", achieve_by=by)
    agreement.refresh_from_db()
    return agreement
