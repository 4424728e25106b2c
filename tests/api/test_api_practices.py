import datetime

import pytest

from core.roles import Role

from ..api_support import api_for, error_of, fresh_throttle_cache  # noqa: F401
from ..factories import CommissionerFactory, InspectionFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/practices/"
INSPECTIONS = "/api/v1/inspections/"


def detail(ods_code):
    return f"{LIST}{ods_code}/"


def codes(response):
    assert response.status_code == 200, response.content[:300]
    return {row["ods_code"] for row in response.json()["results"]}


@pytest.fixture
def rated(world):
    """Own practice in special measures (its older inspection was Good); other practice rated Good."""
    own, other = world["practices"]["own"], world["practices"]["other"]
    InspectionFactory(practice=own, inspection_date=datetime.date(2022, 1, 5),
                      publication_date=datetime.date(2022, 3, 1), overall_rating="good")
    InspectionFactory(practice=own, inspection_date=datetime.date(2025, 9, 1),
                      publication_date=datetime.date(2025, 10, 1), overall_rating="inadequate",
                      safe="inadequate", well_led="inadequate", effective="",
                      breached_regulations=["Regulation 12 Safe care and treatment"])
    # An unpublished inspection does not count as current.
    InspectionFactory(practice=own, inspection_date=datetime.date(2026, 1, 5), publication_date=None,
                      overall_rating="")
    InspectionFactory(practice=other, overall_rating="good")
    return world


ALL = {"own", "own_sibling", "other", "other_sibling"}
VISIBLE = {
    Role.NHSE_REPORTING: ALL,
    Role.RCGP_ADMIN: ALL,
    Role.RCGP_DEPUTY_LEAD: ALL,
    Role.COMMISSIONER_LEAD: {"own", "own_sibling"},
    Role.COMMISSIONER_PEER_SUPPORT: {"own", "own_sibling"},
    Role.PRACTICE_USER: {"own"},
    Role.PRACTICE_LEAD: {"own"},
    Role.RCGP_ADVISER: set(),  # on no contract
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_the_practices_the_pages_show(client, rated, role):
    practices = rated["practices"]
    api = api_for(client, rated, role)
    assert codes(api.get(LIST)) == {practices[name].ods_code for name in VISIBLE[role]}
    for name, practice in practices.items():
        response = api.get(detail(practice.ods_code))
        if name in VISIBLE[role]:
            assert response.status_code == 200
            assert response.json()["ods_code"] == practice.ods_code
        else:
            assert error_of(response, 404) == {"status": 404, "code": "not_found", "detail": "Not found.",
                                               "fields": {}}
    inspections = api.get(INSPECTIONS).json()["results"]
    assert {row["practice"] for row in inspections} == {
        practices[name].ods_code for name in VISIBLE[role] if name in ("own", "other")}


def test_adviser_sees_the_practices_of_their_contracts(client, docs):
    api = api_for(client, docs, Role.RCGP_ADVISER)
    assert codes(api.get(LIST)) == {docs["contract"].practice.ods_code}


def test_list_fields_current_rating_key_questions_and_special_measures(client, rated):
    response = api_for(client, rated, Role.NHSE_REPORTING).get(LIST)
    rows = {row["ods_code"]: row for row in response.json()["results"]}
    own = rows[rated["practices"]["own"].ods_code]
    assert own == {
        "ods_code": rated["practices"]["own"].ods_code, "name": "Own Practice", "status": "active",
        "commissioner": "01A", "postcode": "OL1 1AA", "list_size": None,
        "current_rating": "inadequate", "current_rating_published_on": "2025-10-01",
        "key_questions": {"safe": "inadequate", "effective": None, "caring": "good", "responsive": "good",
                          "well_led": "inadequate"},
        "in_special_measures": True, "reinspection_due": "2026-04-01",
    }
    other = rows[rated["practices"]["other"].ods_code]
    assert (other["current_rating"], other["in_special_measures"], other["reinspection_due"]) == ("good", False, None)
    sibling = rows[rated["practices"]["own_sibling"].ods_code]
    assert (sibling["current_rating"], sibling["key_questions"], sibling["in_special_measures"]) == (None, None, False)


def test_detail_has_inspections_newest_first(client, rated):
    practice = rated["practices"]["own"]
    body = api_for(client, rated, Role.PRACTICE_USER).get(detail(practice.ods_code)).json()
    assert body["current_rating"] == "inadequate" and body["in_special_measures"] is True
    assert body["key_questions"]["well_led"] == "inadequate"
    dates = [(i["publication_date"], i["inspection_date"]) for i in body["inspections"]]
    # Inspection.LATEST_FIRST, as on the practice page: an inspection not yet published is the newest.
    assert dates == [(None, "2026-01-05"), ("2025-10-01", "2025-09-01"), ("2022-03-01", "2022-01-05")]
    first = body["inspections"][1]
    assert first["overall_rating"] == "inadequate" and first["places_in_special_measures"] is True
    assert first["reinspection_due"] == "2026-04-01"
    assert first["breached_regulations"] == ["Regulation 12 Safe care and treatment"]
    assert first["key_questions"]["safe"] == "inadequate"
    assert set(first["population_groups"]) == {"older_people", "long_term_conditions", "families_children",
                                               "working_age", "vulnerable", "mental_health"}
    assert "practice" not in first


def test_detail_lists_special_measures_episodes(client, rated):
    practice = rated["practices"]["own"]
    api = api_for(client, rated, Role.COMMISSIONER_PEER_SUPPORT)
    body = api.get(detail(practice.ods_code)).json()
    assert body["special_measures_episodes"] == [{"stage": "special_measures", "route": "overall_inadequate",
                                                  "started_on": "2025-10-01", "reinspection_due": "2026-04-01",
                                                  "extended_to": None, "ended_on": None, "outcome": None}]
    # Left with a Good report in May 2026: the episode ends and the practice is out of special measures.
    InspectionFactory(practice=practice, inspection_date=datetime.date(2026, 3, 2),
                      publication_date=datetime.date(2026, 5, 4), overall_rating="good", report_link_id="x")
    body = api.get(detail(practice.ods_code)).json()
    assert body["special_measures_episodes"][0]["ended_on"] == "2026-05-04"
    assert body["special_measures_episodes"][0]["outcome"] == "exited"
    assert body["in_special_measures"] is False and body["reinspection_due"] is None
    # A six-month window is listed as its own stage, not as special measures.
    other = rated["practices"]["own_sibling"]
    InspectionFactory(practice=other, overall_rating="requires_improvement", caring="inadequate")
    body = api.get(detail(other.ods_code)).json()
    assert [(e["stage"], e["route"]) for e in body["special_measures_episodes"]] == [("window", None)]
    assert body["in_special_measures"] is False


@pytest.mark.parametrize(("params", "expected"), [
    ({"commissioner": "01A"}, {"own", "own_sibling"}),
    ({"commissioner": "02b"}, {"other", "other_sibling"}),
    ({"commissioner": "99Z"}, set()),
    ({"current_rating": "inadequate"}, {"own"}),
    ({"current_rating": "good"}, {"other"}),
    ({"current_rating": "none"}, {"own_sibling", "other_sibling"}),
    ({"in_special_measures": "true"}, {"own"}),
    ({"in_special_measures": "false"}, {"own_sibling", "other", "other_sibling"}),
    ({"commissioner": "02B", "current_rating": "good"}, {"other"}),
])
def test_filters(client, rated, params, expected):
    api = api_for(client, rated, Role.NHSE_REPORTING)
    assert codes(api.get(LIST, params)) == {rated["practices"][name].ods_code for name in expected}


def test_ods_code_filter_and_icb_includes_sub_icb_locations(client, rated):
    icb = CommissionerFactory(ods_code="QOP", kind="icb")
    child = CommissionerFactory(ods_code="00T", parent=icb)
    practice = PracticeFactory(commissioner=child)
    api = api_for(client, rated, Role.NHSE_REPORTING)
    assert codes(api.get(LIST, {"commissioner": "QOP"})) == {practice.ods_code}
    assert codes(api.get(LIST, {"ods_code": practice.ods_code.lower()})) == {practice.ods_code}


def test_filters_never_widen_what_the_policy_allows(client, rated):
    api = api_for(client, rated, Role.COMMISSIONER_LEAD)
    assert codes(api.get(LIST, {"commissioner": "02B"})) == set()
    assert codes(api.get(LIST, {"ods_code": rated["practices"]["other"].ods_code})) == set()


@pytest.mark.parametrize(("params", "field"), [
    ({"current_rating": "brilliant"}, "current_rating"),
    ({"in_special_measures": "perhaps"}, "in_special_measures"),
    ({"status": "gone"}, "status"),
])
def test_bad_filters_answer_400_with_fields(client, rated, params, field):
    error = error_of(api_for(client, rated, Role.NHSE_REPORTING).get(LIST, params), 400)
    assert error["code"] == "invalid" and field in error["fields"]


def test_cursor_pagination_100_a_page(client, world):
    commissioner = CommissionerFactory(ods_code="03C")
    for n in range(150):
        PracticeFactory(commissioner=commissioner, ods_code=f"C{n:05d}")
    api = api_for(client, world, Role.NHSE_REPORTING)
    first = api.get(LIST, {"commissioner": "03C"}).json()
    assert len(first["results"]) == 100 and first["previous"] is None and "cursor=" in first["next"]
    assert first["results"][0]["ods_code"] == "C00000"
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 50 and second["next"] is None
    assert {r["ods_code"] for r in first["results"]} | {r["ods_code"] for r in second["results"]} == {
        f"C{n:05d}" for n in range(150)}
    assert error_of(api.get(LIST, {"cursor": "garbage"}), 404)["code"] == "not_found"


def _practices_with_inspections(count):
    commissioner = CommissionerFactory(ods_code="04D")
    for _ in range(count):
        practice = PracticeFactory(commissioner=commissioner)
        InspectionFactory(practice=practice, publication_date=datetime.date(2023, 1, 1), overall_rating="good")
        InspectionFactory(practice=practice, publication_date=datetime.date(2024, 1, 1), overall_rating="inadequate")


@pytest.mark.parametrize("count", [3, 60])
def test_list_queries_do_not_grow_with_the_page(client, world, django_assert_max_num_queries, count):
    _practices_with_inspections(count)
    api = api_for(client, world, Role.NHSE_REPORTING)
    api.get(LIST)  # the token's first use records last_used_at
    # token, practices (current rating annotated), current inspections in bulk
    with django_assert_max_num_queries(3):
        response = api.get(LIST, {"commissioner": "04D"})
    rows = response.json()["results"]
    assert len(rows) == count and all(row["key_questions"]["safe"] == "good" for row in rows)
    # token, inspections, their enforcement, their practices' special-measures episodes
    with django_assert_max_num_queries(4):
        assert len(api.get(INSPECTIONS, {"commissioner": "04D"}).json()["results"]) == min(2 * count, 100)
    with django_assert_max_num_queries(3):
        assert len(api.get(LIST, {"commissioner": "04D", "format": "csv"}).content.splitlines()) == count + 1


@pytest.mark.parametrize(("params", "expected"), [
    ({"overall_rating": "good"}, 2),
    ({"practice": "OWN"}, 3),
    ({"published_from": "2025-01-01"}, 1),
    ({"published_to": "2022-12-31"}, 1),
    ({"commissioner": "02B"}, 1),
])
def test_inspection_filters(client, rated, params, expected):
    if params.get("practice") == "OWN":
        params = {"practice": rated["practices"]["own"].ods_code}
    response = api_for(client, rated, Role.NHSE_REPORTING).get(INSPECTIONS, params)
    assert len(response.json()["results"]) == expected


def test_inspection_detail_is_hidden_from_other_organisations(client, rated):
    other_inspection = rated["practices"]["other"].inspections.get()
    url = f"{INSPECTIONS}{other_inspection.pk}/"
    assert api_for(client, rated, Role.NHSE_REPORTING).get(url).json()["overall_rating"] == "good"
    assert error_of(api_for(client, rated, Role.PRACTICE_USER).get(url), 404)["code"] == "not_found"
    assert error_of(api_for(client, rated, Role.COMMISSIONER_LEAD).get(url), 404)["code"] == "not_found"


def test_writes_are_not_allowed(client, rated):
    api = api_for(client, rated, Role.RCGP_ADMIN)
    response = client.post(LIST, {}, headers=api.headers())
    assert error_of(response, 405)["code"] == "method_not_allowed"
    response = client.delete(detail(rated["practices"]["own"].ods_code), headers=api.headers())
    assert error_of(response, 405)["code"] == "method_not_allowed"


def test_unknown_format_is_404(client, rated):
    assert error_of(api_for(client, rated, Role.NHSE_REPORTING).get(LIST, {"format": "pdf"}), 404)


def test_detail_has_no_export_format(client, rated):
    api = api_for(client, rated, Role.NHSE_REPORTING)
    assert error_of(api.get(detail(rated["practices"]["own"].ods_code), {"format": "csv"}), 404)



def test_the_written_out_practice_representation_is_the_declared_fields_own(client, rated):
    """PracticeSerializer writes its fields out by hand for speed: it must give exactly what DRF makes of
    the declared fields, which the OpenAPI schema describes, for every kind of practice in the list."""
    from rest_framework import serializers as drf

    from api import serializers
    from api.views import PracticeViewSet

    in_sm = rated["practices"]["own"]
    in_sm.list_size = 8123
    in_sm.save()
    view = PracticeViewSet(action="list", request=type("Request", (), {"user": rated["users"][Role.NHSE_REPORTING]}))
    practices = view.prepare(list(view.get_queryset()))
    assert {p.current_rating for p in practices} == {"inadequate", "good", None}  # in SM, rated, never rated
    for practice in practices:
        serializer = serializers.PracticeSerializer(practice)
        assert serializer.to_representation(practice) == drf.Serializer.to_representation(serializer, practice)
    listed = {row["ods_code"]: row for row in api_for(client, rated, Role.NHSE_REPORTING).get(LIST).json()["results"]}
    row = listed[in_sm.ods_code]
    assert (row["in_special_measures"], row["reinspection_due"], row["list_size"]) == (True, "2026-04-01", 8123)
    assert row["key_questions"] == {"safe": "inadequate", "effective": None, "caring": row["key_questions"]["caring"],
                                    "responsive": row["key_questions"]["responsive"], "well_led": "inadequate"}
