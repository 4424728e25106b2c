import datetime

import factory
from django.utils import timezone

from ..contracts.factories import ContractFactory
from ..core.factories import UserFactory


class ConcernFactory(factory.django.DjangoModelFactory):
    """A concern as it is stored (no notifications: concerns.services.concern_raise sends those)."""

    class Meta:
        model = "concerns.Concern"

    contract = factory.SubFactory(ContractFactory)
    category = "safeguarding"
    description = "A locum was seen leaving a child alone in the waiting room."
    observed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    people_involved = "A locum GP."
    raised_by = factory.SubFactory(UserFactory, role="rcgp_adviser")
    acknowledgement_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
