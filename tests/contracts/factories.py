"""Factories of contracts, advisers and self-referrals."""

import datetime

import factory

from ..core.factories import UserFactory
from ..practices.factories import PracticeFactory


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
