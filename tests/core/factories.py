"""Factories of users, each holding the membership they act in."""

import functools

import factory
from django.contrib.auth.hashers import make_password

from core.models import User
from core.roles import COMMISSIONER_ROLES, PRACTICE_ROLES, Role
from core.services import membership_sync

from ..practices.factories import CommissionerFactory, PracticeFactory

PASSWORD = "correct-horse-battery-staple"


@functools.cache
def _hashed_password():
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = ""
    # Hashed once per run: hashing is deliberately slow, and every test makes users.
    password = factory.LazyFunction(lambda: _hashed_password())

    @factory.post_generation
    def membership(user, create, extracted, **kwargs):
        """Hold the membership the user acts in, as every account made through the user service does."""
        if create:
            membership_sync(user=user)


def user_for(role, *, commissioner=None, practice=None, **kwargs):
    """A user of ``role`` in the right kind of organisation."""
    if role in COMMISSIONER_ROLES:
        kwargs["commissioner"] = commissioner or CommissionerFactory()
    if role in PRACTICE_ROLES:
        kwargs["practice"] = practice or PracticeFactory()
    if role == Role.NHSE_REGIONAL:
        kwargs.setdefault("region", (practice.region if practice is not None else "") or "Y62")
    return UserFactory(role=role, **kwargs)
