"""Factories of practices, commissioners and CQC inspections."""

import datetime

import factory

from practices.models import Commissioner, Inspection, Practice


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
