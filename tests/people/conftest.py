"""Fixtures of the people tests: the world's organisations as ``Organisation``s, and helpers to invite, read the
change log and reach an invitation's link without e-mail (a secret given to the invitation here, as the sending
job does)."""

import secrets

import pytest
from django.urls import reverse

from core.roles import Role
from people.access import Organisation
from people.models import Invitation, PeopleChange
from people.services import token_hash
from tests.factories import user_for

R = Role


@pytest.fixture
def orgs(world):
    practices = world["practices"]
    return {"rcgp": Organisation("rcgp"), "nhse": Organisation("nhse"),
            "commissioner": Organisation("commissioner", commissioner_id=world["own"].pk),
            "other_commissioner": Organisation("commissioner", commissioner_id=world["other"].pk),
            "practice": Organisation("practice", practice_id=practices["own"].pk),
            "other_practice": Organisation("practice", practice_id=practices["other"].pk)}


@pytest.fixture
def nhse_admin(world):
    """A national NHS England member who manages NHS England's people."""
    from core.models import Membership
    from core.services import membership_set_manages_people

    user = user_for(R.NHSE_REPORTING, first_name="Nia", last_name="Admin", email="nia@example.nhs.uk")
    membership_set_manages_people(membership=Membership.objects.get(user=user), manages_people=True)
    user.refresh_from_db()
    return user


def give_link(invitation):
    """Give ``invitation`` a working link as the sending job does (the secret made now, its hash kept): the path."""
    secret = secrets.token_urlsafe(32)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash(secret), email_status="sent")
    invitation.refresh_from_db()
    return reverse("people:invitation_accept", kwargs={"token": secret})


def log_of(org=None, **filters):
    """The change log (oldest first) as (action, outcome) pairs."""
    rows = PeopleChange.objects.order_by("at", "pk")
    if org is not None:
        rows = rows.filter(**org.fields())
    return list(rows.filter(**filters).values_list("action", "outcome"))
