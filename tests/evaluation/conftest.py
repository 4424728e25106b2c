import pytest

from contracts.models import TeamMembership
from core.roles import Role
from tests.factories import AdviserFactory, ContractFactory, UserFactory

R = Role


@pytest.fixture
def closing(world):
    """OWN: the world's own practice's contract, handed over (the world's deputy lead leads it, its adviser is on its
    team); OTHER: another commissioner's practice's contract, handed over, with another RCGP team."""
    users = world["users"]
    own = ContractFactory(reference="EV-OWN", practice=world["practices"]["own"], deputy_lead=users[R.RCGP_DEPUTY_LEAD],
                          state="handed_over")
    TeamMembership.objects.create(contract=own, adviser=AdviserFactory(user=users[R.RCGP_ADVISER]),
                                  added_by=users[R.RCGP_DEPUTY_LEAD])
    other_deputy = UserFactory(role=R.RCGP_DEPUTY_LEAD)
    other = ContractFactory(reference="EV-OTHER", practice=world["practices"]["other"], deputy_lead=other_deputy,
                            state="handed_over")
    TeamMembership.objects.create(contract=other, adviser=AdviserFactory(user=UserFactory(role=R.RCGP_ADVISER)),
                                  added_by=other_deputy)
    return {"own": own, "other": other, "other_deputy": other_deputy,
            "other_lead": UserFactory(role=R.COMMISSIONER_LEAD, commissioner=world["other"]),
            "other_practice_lead": UserFactory(role=R.PRACTICE_LEAD, practice=world["practices"]["other"])}
