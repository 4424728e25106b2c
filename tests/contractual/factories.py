"""Contractual cases and notices as stored (the services are tested in test_services.py)."""

import datetime

import factory

from ..core.factories import UserFactory
from ..practices.factories import PracticeFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contractual.ContractualCase"

    practice = factory.SubFactory(PracticeFactory)
    commissioner = factory.LazyAttribute(lambda case: case.practice.commissioner)
    state = "decided"
    received_on = datetime.date(2026, 5, 26)
    source = "cqc"
    cqc_visit_on = datetime.date(2026, 5, 22)
    summary = "SECRET-SUMMARY unsafe prescribing."
    opened_by = factory.SubFactory(UserFactory, role="commissioner_lead")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contractual.Decision"

    case = factory.SubFactory(CaseFactory)
    kind = "remedial"
    decided_on = datetime.date(2026, 6, 1)
    decided_by = factory.LazyAttribute(lambda d: d.case.opened_by)


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contractual.Notice"

    decision = factory.SubFactory(DecisionFactory)
    case = factory.LazyAttribute(lambda n: n.decision.case)
    kind = "remedial"
    terms_breached = "SECRET-TERMS clause 7.1"
    actions_required = "Audit repeat prescribing."
    dated_on = datetime.date(2026, 6, 1)
    served_on = datetime.date(2026, 6, 2)
    remedy_by = datetime.date(2026, 6, 29)
