import pytest

from core.roles import Role
from tests.factories import UserFactory

from .factories import contract_with_team, interview, meeting, review, team_of


@pytest.fixture
def delivery(world):
    """OWN: a live contract of the world's practice, led by its deputy lead with its adviser on the team, with a
    private scoping visit, an interview and a shared review meeting. OTHER: another commissioner's practice's
    contract (another team) with a shared visit."""
    deputy, adviser = team_of(world)
    own = contract_with_team(world["practices"]["own"], deputy, adviser, reference="OWN-D")
    other_deputy, other_adviser = UserFactory(role=Role.RCGP_DEPUTY_LEAD), UserFactory(role=Role.RCGP_ADVISER)
    other = contract_with_team(world["practices"]["other"], other_deputy, other_adviser, reference="OTHER-D")
    return {
        "own": own, "other": other, "other_deputy": other_deputy,
        "private": meeting(own, adviser, days=5, support=("critical_friend", "prioritising")),
        "interview": interview(own, adviser, days=5),
        "shared": review(own, deputy, days=2),
        "far": meeting(other, other_deputy, kind="visit", shared=True),
    }
