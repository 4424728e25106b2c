"""The API's regulatory facts come from the special-measures episodes, never from the rating: each inspection's
``places_in_special_measures`` and ``reinspection_due``, the practice's ``in_special_measures`` (list, detail and
filter) and ``special_measures_episodes``; enforcement is listed beside the breached regulations. Worked out by hand
on histories where the rating and the episodes disagree."""

import datetime

import pytest

from core.roles import Role
from practices.models import Enforcement, SpecialMeasuresEpisode
from practices.services import episode_correct, episodes_rederive

from ..api_support import api_for
from ..factories import CommissionerFactory, InspectionFactory, PracticeFactory, user_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/practices/"
INSPECTIONS = "/api/v1/inspections/"
D = datetime.date
GOOD = "good"


def detail(ods_code):
    return f"{LIST}{ods_code}/"


def _placed_after_a_single_inadequate(practice, admin):
    """Requires improvement overall with well-led Inadequate (a six-month window), which CQC turned into special
    measures the same day (002 §23: recorded by hand); re-inspected still Inadequate in well-led (extended); then
    Good (left)."""
    first = InspectionFactory(practice=practice, publication_date=D(2024, 3, 1), overall_rating="requires_improvement",
                              well_led="inadequate", report_link_id=f"{practice.ods_code}-1",
                              breached_regulations=["Regulation 17: Good governance"])
    episode_correct(practice=practice, actor=admin, reason="CQC's letter placing the practice in special measures",
                    route=SpecialMeasuresEpisode.Route.PLACED_BY_CQC, started_on=D(2024, 3, 1),
                    reinspection_due=D(2024, 9, 1))
    return first


def _by_publication(body):
    return {row["publication_date"]: row for row in body["inspections"]}


def test_a_cqc_placement_after_a_single_inadequate_key_question_flags_the_report_the_rating_does_not(client, world):
    practice, admin = world["practices"]["own"], world["users"][Role.RCGP_ADMIN]
    _placed_after_a_single_inadequate(practice, admin)
    api = api_for(client, world, Role.COMMISSIONER_LEAD)

    body = api.get(detail(practice.ods_code)).json()
    report = _by_publication(body)["2024-03-01"]
    assert report["overall_rating"] == "requires_improvement"  # the rating alone says: not special measures
    assert (report["places_in_special_measures"], report["reinspection_due"]) == (True, "2024-09-01")
    assert (body["in_special_measures"], body["reinspection_due"]) == (True, "2024-09-01")
    placed = [e for e in body["special_measures_episodes"] if e["stage"] == "special_measures"]
    assert placed == [{"stage": "special_measures", "route": "placed_by_cqc", "started_on": "2024-03-01",
                       "reinspection_due": "2024-09-01", "extended_to": None, "ended_on": None, "outcome": None}]
    # The window the Inadequate well-led opened is listed as its own stage, without a route.
    window = [e for e in body["special_measures_episodes"] if e["stage"] == "window"]
    assert [(e["route"], e["started_on"], e["reinspection_due"]) for e in window] == [
        (None, "2024-03-01", "2024-09-01")]
    # The inspections list says the same, and so does the filter.
    listed = api.get(INSPECTIONS, {"practice": practice.ods_code}).json()["results"]
    assert [(i["places_in_special_measures"], i["reinspection_due"]) for i in listed] == [(True, "2024-09-01")]
    assert practice.ods_code in {p["ods_code"] for p in api.get(LIST, {"in_special_measures": "true"}).json()[
        "results"]}


def test_a_report_that_kept_the_practice_in_carries_the_extended_date_and_the_one_that_ended_it_none(client, world):
    practice, admin = world["practices"]["own"], world["users"][Role.RCGP_ADMIN]
    _placed_after_a_single_inadequate(practice, admin)
    # Re-inspected, still Inadequate in well-led: a newer report, so derivation takes over, keeping the placement.
    InspectionFactory(practice=practice, publication_date=D(2024, 10, 1), overall_rating="requires_improvement",
                      well_led="inadequate", report_link_id="second")
    api = api_for(client, world, Role.RCGP_ADMIN)
    body = api.get(detail(practice.ods_code)).json()
    reports = _by_publication(body)
    assert (reports["2024-03-01"]["places_in_special_measures"], reports["2024-03-01"]["reinspection_due"]) == (
        True, "2024-09-01")  # the date the placement set
    assert (reports["2024-10-01"]["places_in_special_measures"], reports["2024-10-01"]["reinspection_due"]) == (
        True, "2025-04-01")  # six months from the report that kept it in
    assert [e for e in body["special_measures_episodes"] if e["stage"] == "special_measures"] == [
        {"stage": "special_measures", "route": "placed_by_cqc", "started_on": "2024-03-01",
         "reinspection_due": "2025-04-01", "extended_to": "2025-04-01", "ended_on": None, "outcome": None}]
    assert body["reinspection_due"] == "2025-04-01"

    InspectionFactory(practice=practice, publication_date=D(2025, 3, 3), overall_rating=GOOD, report_link_id="third")
    body = api.get(detail(practice.ods_code)).json()
    reports = _by_publication(body)
    assert (reports["2025-03-03"]["places_in_special_measures"], reports["2025-03-03"]["reinspection_due"]) == (
        False, None)
    assert reports["2024-10-01"]["places_in_special_measures"] is True  # history stays as it was
    ended = [e for e in body["special_measures_episodes"] if e["stage"] == "special_measures"]
    assert [(e["ended_on"], e["outcome"]) for e in ended] == [("2025-03-03", "exited")]
    assert (body["in_special_measures"], body["reinspection_due"]) == (False, None)
    assert practice.ods_code not in {p["ods_code"] for p in api.get(LIST, {"in_special_measures": "true"}).json()[
        "results"]}


def test_an_inadequate_practice_that_closed_is_not_in_special_measures_whatever_its_rating(client, world):
    practice = world["practices"]["own_sibling"]
    inadequate = InspectionFactory(practice=practice, publication_date=D(2025, 1, 6), overall_rating="inadequate",
                                   report_link_id="closing")
    practice.closed_on, practice.status = D(2025, 2, 28), "closed"
    practice.save()
    episodes_rederive(practice_ids=[practice.pk])
    api = api_for(client, world, Role.COMMISSIONER_LEAD)
    body = api.get(detail(practice.ods_code)).json()
    assert body["current_rating"] == "inadequate"
    assert (body["in_special_measures"], body["reinspection_due"]) == (False, None)
    assert [(e["ended_on"], e["outcome"]) for e in body["special_measures_episodes"]] == [
        ("2025-02-28", "practice_closed")]
    # The report placed it while the practice was open.
    assert api.get(f"{INSPECTIONS}{inadequate.pk}/").json()["places_in_special_measures"] is True
    assert practice.ods_code in {p["ods_code"] for p in api.get(LIST, {"in_special_measures": "false"}).json()[
        "results"]}
    row = {p["ods_code"]: p for p in api.get(LIST).json()["results"]}[practice.ods_code]
    assert (row["current_rating"], row["in_special_measures"], row["reinspection_due"]) == ("inadequate", False, None)


def test_enforcement_is_listed_beside_the_breached_regulations(client, world):
    practice, admin = world["practices"]["own"], world["users"][Role.RCGP_ADMIN]
    first = _placed_after_a_single_inadequate(practice, admin)
    Enforcement.objects.create(practice=practice, inspection=first, kind="warning_notice",
                               regulations=["Regulation 17: Good governance"], issued_on=D(2024, 3, 20),
                               comply_by=D(2024, 6, 1), summary="Governance of safety alerts", recorded_by=admin)
    Enforcement.objects.create(practice=practice, inspection=first, kind="requirement_notice",
                               regulations=["Regulation 12: Safe care and treatment",
                                            "Regulation 17: Good governance"],
                               issued_on=D(2024, 3, 5), ended_on=D(2024, 8, 1), recorded_by=admin)
    unrelated = InspectionFactory(practice=world["practices"]["other"], report_link_id="other")
    expected = [
        {"kind": "requirement_notice", "label": "Requirement notice",
         "regulations": ["Regulation 12: Safe care and treatment", "Regulation 17: Good governance"],
         "issued_on": "2024-03-05", "comply_by": None, "ended_on": "2024-08-01"},
        {"kind": "warning_notice", "label": "Warning notice", "regulations": ["Regulation 17: Good governance"],
         "issued_on": "2024-03-20", "comply_by": "2024-06-01", "ended_on": None},
    ]
    api = api_for(client, world, Role.NHSE_REPORTING)
    report = _by_publication(api.get(detail(practice.ods_code)).json())["2024-03-01"]
    assert report["breached_regulations"] == ["Regulation 17: Good governance"]
    assert report["enforcement"] == expected
    assert "summary" not in report["enforcement"][0]  # the API carries no free text
    assert api.get(f"{INSPECTIONS}{first.pk}/").json()["enforcement"] == expected
    listed = {i["id"]: i for i in api.get(INSPECTIONS).json()["results"]}
    assert listed[first.pk]["enforcement"] == expected and listed[unrelated.pk]["enforcement"] == []
    # Exports keep it: one column holding the list.
    csv_text = api.get(INSPECTIONS, {"format": "csv"}).content.decode("utf-8-sig")
    assert "enforcement" in csv_text.splitlines()[0] and "warning_notice" in csv_text


def _histories(count, commissioner):
    """``count`` practices, each placed in special measures by hand after a single Inadequate, extended, with two
    enforcement actions."""
    admin = user_for(Role.RCGP_ADMIN)
    for n in range(count):
        practice = PracticeFactory(commissioner=commissioner)
        first = _placed_after_a_single_inadequate(practice, admin)
        InspectionFactory(practice=practice, publication_date=D(2024, 10, 1), overall_rating="requires_improvement",
                          well_led="inadequate", report_link_id=f"q{n}")
        for kind in ("requirement_notice", "warning_notice"):
            Enforcement.objects.create(practice=practice, inspection=first, kind=kind, issued_on=D(2024, 4, 1))
    return practice


@pytest.mark.parametrize("count", [1, 12])
def test_detail_and_inspections_list_read_in_a_fixed_number_of_queries(client, world, count,
                                                                       django_assert_max_num_queries):
    commissioner = CommissionerFactory(ods_code="05E")
    last = _histories(count, commissioner)
    api = api_for(client, world, Role.NHSE_REPORTING)
    api.get(LIST)  # the token's first use records last_used_at
    # token; practice (current rating and episode annotated); its inspections; their enforcement; its episodes
    with django_assert_max_num_queries(5):
        body = api.get(detail(last.ods_code)).json()
    assert len(body["inspections"]) == 2 and len(body["special_measures_episodes"]) == 1  # derived: no window
    assert all(i["places_in_special_measures"] for i in body["inspections"])
    # token; inspections with their practices; their enforcement; their practices' special-measures episodes
    with django_assert_max_num_queries(4):
        rows = api.get(INSPECTIONS, {"commissioner": "05E"}).json()["results"]
    assert len(rows) == 2 * count and all(row["places_in_special_measures"] for row in rows)
    assert sum(len(row["enforcement"]) for row in rows) == 2 * count
    with django_assert_max_num_queries(4):
        csv_lines = api.get(INSPECTIONS, {"commissioner": "05E", "format": "csv"}).content.splitlines()
    assert len(csv_lines) == 2 * count + 1


def test_the_schema_describes_the_episodes_and_enforcement(client, world):
    api = api_for(client, world, Role.NHSE_REPORTING)
    schemas = api.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert set(schemas["SpecialMeasuresEpisode"]["properties"]) == {
        "stage", "route", "started_on", "reinspection_due", "extended_to", "ended_on", "outcome"}
    assert set(schemas["Enforcement"]["properties"]) == {"kind", "label", "regulations", "issued_on", "comply_by",
                                                         "ended_on"}
    inspection = schemas["PracticeInspection"]["properties"]
    assert inspection["enforcement"]["items"] == {"$ref": "#/components/schemas/Enforcement"}
    assert "episodes" in inspection["places_in_special_measures"]["description"]
    practice = schemas["PracticeDetail"]["properties"]
    assert practice["special_measures_episodes"]["items"] == {"$ref": "#/components/schemas/SpecialMeasuresEpisode"}
