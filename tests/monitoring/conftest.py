import pytest

from core.roles import Role
from tests.factories import CommissionerFactory, user_for


@pytest.fixture
def icb(world):
    """An ICB above the world's own sub-ICB location, with a user of each commissioner role."""
    icb = CommissionerFactory(ods_code="QOP", kind="icb")
    world["own"].parent = icb
    world["own"].save(update_fields=["parent"])
    return {"icb": icb, **{role: user_for(role, commissioner=icb)
                           for role in (Role.COMMISSIONER_PEER_SUPPORT, Role.COMMISSIONER_LEAD)}}
