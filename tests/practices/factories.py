"""Factories of practices, commissioners and CQC inspections."""

import datetime

import factory

from practices.models import Commissioner, Inspection, Practice, SpecialMeasuresEpisode
from practices.services import episodes_rederive


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
    """A published inspection; like an import, it derives its practice's special-measures episodes again."""

    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    practice = factory.SubFactory(PracticeFactory)
    inspection_date = datetime.date(2024, 1, 10)
    publication_date = datetime.date(2024, 3, 1)
    overall_rating = "good"
    safe = "good"
    effective = "good"
    caring = "good"
    responsive = "good"
    well_led = "good"

    @factory.post_generation
    def episodes(obj, create, extracted, **kwargs):
        if create:
            episodes_rederive(practice_ids=[obj.practice_id])


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialMeasuresEpisode

    practice = factory.SubFactory(PracticeFactory)
    stage = SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES
    route = SpecialMeasuresEpisode.Route.OVERALL_INADEQUATE
    started_on = datetime.date(2024, 3, 1)
    reinspection_due = datetime.date(2024, 9, 1)
