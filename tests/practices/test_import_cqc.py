import copy
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from practices.imports.common import ImportRejected
from practices.imports.cqc import import_cqc_ratings
from practices.imports.ods import import_ods_practices
from practices.models import Inspection, Practice

from ..conftest import CQC_SAMPLE, ODS_SAMPLE
from ..factories import PracticeFactory

pytestmark = pytest.mark.django_db

LOCATION = {
    "locationId": "1-100",
    "odsCode": "Z00001",
    "registrationStatus": "Registered",
    "registrationDate": "2015-01-01",
    "currentRatings": {
        "overall": {
            "rating": "Inadequate",
            "reportDate": "2024-05-01",
            "reportLinkId": "link-current",
            "keyQuestionRatings": [
                {"name": "Well-led", "rating": "Inadequate"},
                {"name": "Safe", "rating": "Requires improvement"},
                {"name": "Caring", "rating": "Good"},
                {"name": "Effective", "rating": "No published rating"},
                {"name": "Responsive", "rating": "Outstanding"},
            ],
        },
        "serviceRatings": [{"name": "old", "rating": "Good"}, {"name": "problems", "rating": "Inadequate"}],
        "reportDate": "2024-05-01",
    },
    "historicRatings": [
        {"overall": {"rating": "Good", "keyQuestionRatings": [{"name": "Safe", "rating": "Good"}]},
         "reportDate": "2019-02-01", "reportLinkId": "link-old"},
        {"overall": {"rating": "Inspected but not rated"}, "reportDate": "2020-02-01", "reportLinkId": "link-unrated"},
    ],
    "reports": [{"linkId": "link-current", "firstVisitDate": "2024-03-05", "reportDate": "2024-05-01"}],
}


def write(tmp_path, data, name="location_1-100.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1))
    return path


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="Z00001")


def test_real_sample_imports_rated_reports_once_and_reruns_unchanged():
    import_ods_practices(ODS_SAMPLE)
    out = io.StringIO()
    call_command("import_cqc_ratings", str(CQC_SAMPLE), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "created=124 updated=0 unchanged=0 rejected=0 skipped=29"
    assert Inspection.objects.count() == 124
    # Reports carried over from a predecessor registration are stored once.
    assert Inspection.objects.filter(report_link_id="7dce90c1-fa9a-4be3-a877-2238c8281082").count() == 1
    out = io.StringIO()
    call_command("import_cqc_ratings", str(CQC_SAMPLE), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "created=0 updated=0 unchanged=124 rejected=0 skipped=29"


def test_real_practice_with_several_registrations_takes_rating_from_latest_report():
    import_ods_practices(ODS_SAMPLE)
    import_cqc_ratings(CQC_SAMPLE)
    royton = Practice.objects.with_current_rating().get(ods_code="P85019")
    history = list(royton.inspections.all())
    assert len({i.cqc_location_id for i in history}) >= 2
    assert history[0].publication_date == datetime.date(2023, 6, 2)
    assert royton.current_rating == "good"
    assert royton.current_published_on == datetime.date(2023, 6, 2)
    assert royton.cqc_location_id == "1-11809806754"  # the registered location


def test_fields_of_one_location(tmp_path, practice):
    summary = import_cqc_ratings(write(tmp_path, LOCATION))
    assert (summary.created, summary.skipped) == (2, 1)  # the "Inspected but not rated" record is skipped
    current = Inspection.objects.get(report_link_id="link-current")
    assert current.overall_rating == "inadequate"
    assert (current.safe, current.effective, current.caring, current.responsive, current.well_led) == (
        "requires_improvement", "", "good", "outstanding", "inadequate")
    assert (current.pg_older_people, current.pg_mental_health, current.pg_families_children) == (
        "good", "inadequate", "")
    assert current.inspection_date == datetime.date(2024, 3, 5)
    assert current.publication_date == datetime.date(2024, 5, 1)
    assert current.cqc_location_id == "1-100"
    practice = Practice.objects.with_current_rating().get(pk=practice.pk)
    assert practice.current_rating == "inadequate"
    assert practice.special_measures.active
    assert practice.special_measures.reinspection_due == datetime.date(2024, 11, 1)


def test_no_published_rating_is_not_a_rating(tmp_path, practice):
    data = copy.deepcopy(LOCATION)
    data["currentRatings"]["overall"]["rating"] = "No published rating"
    summary = import_cqc_ratings(write(tmp_path, data))
    assert (summary.created, summary.skipped) == (1, 2)
    assert Practice.objects.with_current_rating().get(pk=practice.pk).current_rating == "good"


def test_location_without_matching_practice_is_skipped(tmp_path):
    summary = import_cqc_ratings(write(tmp_path, LOCATION))
    assert (summary.created, summary.skipped, summary.rejected) == (0, 3, 0)


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda d: d["currentRatings"]["overall"].update(rating="Excellent"), "currentRatings.overall.rating",
         "unknown rating 'Excellent'"),
        (lambda d: d["currentRatings"]["overall"]["keyQuestionRatings"][0].update(rating="Meh"),
         "currentRatings.overall.keyQuestionRatings[0].rating", "unknown rating 'Meh'"),
        (lambda d: d["currentRatings"]["overall"]["keyQuestionRatings"][0].update(name="Kind"),
         "currentRatings.overall.keyQuestionRatings[0].name", "unknown key question"),
        (lambda d: d["currentRatings"]["overall"].update(reportDate="2024-02-30"), "currentRatings.overall.reportDate",
         "not a valid date"),
        (lambda d: d.update(locationId="X-1"), "locationId", "is not a CQC location id"),
    ],
)
def test_malformed_record_rejects_everything(tmp_path, practice, mutate, field, message):
    good = copy.deepcopy(LOCATION)
    good.update(locationId="1-99")
    good["currentRatings"]["overall"]["reportLinkId"] = "other"
    good["historicRatings"] = []
    write(tmp_path, good, "location_1-99.json")
    bad = copy.deepcopy(LOCATION)
    mutate(bad)
    write(tmp_path, bad)
    with pytest.raises(ImportRejected) as rejected:
        import_cqc_ratings(tmp_path)
    [error] = rejected.value.summary.errors
    assert error.source == "location_1-100.json" and error.field == field and message in error.message
    assert Inspection.objects.count() == 0


def test_invalid_json_names_the_line(tmp_path, practice):
    path = write(tmp_path, '{\n  "locationId": "1-100",\n  "odsCode": oops\n}')
    with pytest.raises(CommandError):
        call_command("import_cqc_ratings", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(ImportRejected) as rejected:
        import_cqc_ratings(path)
    [error] = rejected.value.summary.errors
    assert (error.field, error.line) == ("JSON", 3)


def test_changed_rating_updates_the_inspection(tmp_path, practice):
    import_cqc_ratings(write(tmp_path, LOCATION))
    data = copy.deepcopy(LOCATION)
    data["currentRatings"]["overall"]["rating"] = "Requires improvement"
    summary = import_cqc_ratings(write(tmp_path, data))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert Inspection.objects.get(report_link_id="link-current").overall_rating == "requires_improvement"
