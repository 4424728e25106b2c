import datetime
import functools

import factory
from django.contrib.auth.hashers import make_password

from core.models import User
from core.roles import COMMISSIONER_ROLES, PRACTICE_ROLES
from core.services import membership_sync
from practices.models import Commissioner, Inspection, Practice

PASSWORD = "correct-horse-battery-staple"


class CommissionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commissioner
        django_get_or_create = ["ods_code"]

    ods_code = factory.Sequence(lambda n: f"{n:02d}X")
    name = factory.LazyAttribute(lambda o: f"Commissioner {o.ods_code}")
    kind = Commissioner.Kind.SUB_ICB


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    ods_code = factory.Sequence(lambda n: f"Z{n:05d}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    postcode = "OL1 1AA"
    commissioner = factory.SubFactory(CommissionerFactory)
    status = Practice.Status.ACTIVE


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    practice = factory.SubFactory(PracticeFactory)
    inspection_date = datetime.date(2024, 1, 10)
    publication_date = datetime.date(2024, 3, 1)
    overall_rating = "good"
    safe = "good"
    effective = "good"
    caring = "good"
    responsive = "good"
    well_led = "good"


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
    return UserFactory(role=role, **kwargs)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contracts.Contract"

    reference = factory.Sequence(lambda n: str(100 + n))
    practice = factory.SubFactory(PracticeFactory)
    commissioner = factory.LazyAttribute(lambda o: o.practice.commissioner)
    programme = "special_measures"
    state = "commissioned"
    commissioned_on = datetime.date(2026, 1, 5)


class AdviserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contracts.Adviser"

    user = factory.SubFactory(UserFactory, role="rcgp_adviser")
    profession = "gp"
    region = "North West"
    capacity = 3


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contracts.Referral"

    practice = factory.SubFactory(PracticeFactory)
    commissioner = factory.LazyAttribute(lambda o: o.practice.commissioner)
    submitted_by = factory.SubFactory(UserFactory, role="practice_lead",
                                      practice=factory.SelfAttribute("..practice"))
    received_on = datetime.date(2026, 3, 2)
    acknowledgement_due = datetime.date(2026, 3, 16)
    contact_name = "Dr A Lead"
    contact_email = "lead@example.nhs.uk"
    commissioner_supports = "yes"
    categories = ["diagnostic"]
    issues = "Staff shortages."
    support_needed = "A diagnostic review."
