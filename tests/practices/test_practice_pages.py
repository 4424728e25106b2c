import datetime

import pytest
from django.urls import reverse

from core.roles import Role

from ..factories import PASSWORD, InspectionFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(world):
    own = world["practices"]["own"]
    InspectionFactory(practice=own, publication_date=datetime.date(2019, 1, 5), overall_rating="good",
                      report_link_id="a")
    InspectionFactory(practice=own, publication_date=datetime.date(2024, 2, 1), overall_rating="inadequate",
                      well_led="inadequate", safe="requires_improvement", report_link_id="b",
                      breached_regulations=["Regulation 17 Good governance"])
    InspectionFactory(practice=world["practices"]["own_sibling"], publication_date=datetime.date(2023, 6, 1),
                      overall_rating="outstanding", report_link_id="c")
    return world


def login(client, world, role=Role.COMMISSIONER_PEER_SUPPORT):
    client.force_login(world["users"][role])


def names(response):
    return [p.name for p in response.context["page"].object_list]


def test_list_shows_current_rating_key_questions_and_special_measures(client, rated):
    login(client, rated)
    response = client.get(reverse("practices:list"))
    html = response.content.decode()
    assert names(response) == ["Own Practice", "Sibling Practice"]
    own = response.context["page"].object_list[0]
    assert own.current_rating == "inadequate"
    assert own.current_key_questions["safe"] == "requires_improvement"
    assert "Special measures" in html and "Re-inspection due 1 August 2024" in html
    assert "Outstanding" in html and "Requires improvement" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"current_rating": "inadequate"}, ["Own Practice"]),
        ({"current_rating": "outstanding"}, ["Sibling Practice"]),
        ({"current_rating": "none"}, []),
        ({"special_measures": "yes"}, ["Own Practice"]),
        ({"special_measures": "no"}, ["Sibling Practice"]),
        ({"q": "sibling"}, ["Sibling Practice"]),
        ({"commissioner": "01A"}, ["Own Practice", "Sibling Practice"]),
    ],
)
def test_list_filters(client, rated, params, expected):
    login(client, rated)
    assert names(client.get(reverse("practices:list"), params)) == expected


def test_not_in_special_measures_includes_practices_without_a_rating(client, world):
    InspectionFactory(practice=world["practices"]["own"], overall_rating="inadequate")
    login(client, world)
    assert names(client.get(reverse("practices:list"), {"special_measures": "no"})) == ["Sibling Practice"]


def test_search_by_ods_code_and_postcode(client, rated):
    login(client, rated)
    own = rated["practices"]["own"]
    own.postcode = "OL4 3BP"
    own.save()
    assert names(client.get(reverse("practices:list"), {"q": own.ods_code.lower()})) == ["Own Practice"]
    assert names(client.get(reverse("practices:list"), {"q": "OL4 3BP"})) == ["Own Practice"]


def test_filter_by_another_commissioner_is_not_offered(client, rated):
    login(client, rated)
    response = client.get(reverse("practices:list"), {"commissioner": "02B"})
    # The hidden commissioner is refused as an invalid choice; nothing of it is shown.
    assert "commissioner" in response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    assert names(response) == ["Own Practice", "Sibling Practice"]


def test_closed_practices_are_hidden_until_asked_for(client, rated):
    login(client, rated)
    sibling = rated["practices"]["own_sibling"]
    sibling.status = "closed"
    sibling.save()
    assert names(client.get(reverse("practices:list"))) == ["Own Practice"]
    assert names(client.get(reverse("practices:list"), {"status": ""})) == ["Own Practice", "Sibling Practice"]


def test_list_is_paginated(client, world):
    for n in range(30):
        PracticeFactory(commissioner=world["own"], name=f"Bulk {n:02d}")
    login(client, world)
    first = client.get(reverse("practices:list"))
    assert first.context["page"].paginator.count == 32
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("practices:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 7
    assert 'aria-label="Page 2"' in first.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    login(client, world)
    for n in range(40):
        InspectionFactory(practice=PracticeFactory(commissioner=world["own"]), report_link_id=f"x{n}")
    with django_assert_max_num_queries(14):
        client.get(reverse("practices:list"))


def test_detail_shows_history_newest_first_and_key_question_table(client, rated):
    login(client, rated)
    response = client.get(reverse("practices:detail", args=[rated["practices"]["own"].ods_code]))
    html = response.content.decode()
    assert [i.publication_date.year for i in response.context["inspections"]] == [2024, 2019]
    assert response.context["current"].overall_rating == "inadequate"
    assert "In special measures" in html and "1 August 2024" in html
    assert 'id="key-question-ratings"' in html and 'id="inspection-history"' in html
    assert "Regulation 17 Good governance" in html


def test_free_text_is_escaped(client, world):
    world["practices"]["own"].name = "<script>alert(1)</script>"
    world["practices"]["own"].save()
    login(client, world)
    html = client.get(reverse("practices:list")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_log_in_and_out_in_the_nhs_look(client, world):
    user = world["users"][Role.PRACTICE_LEAD]
    page = client.get(reverse("login")).content.decode()
    assert "nhsuk-header" in page and "Log in to Practice Resilience" in page
    bad = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert "There is a problem" in bad.content.decode()
    good = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert good.status_code == 302
    assert client.get(reverse("practices:list")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("practices:list")).status_code == 302


def test_password_change(client, world):
    user = world["users"][Role.PRACTICE_LEAD]
    client.force_login(user)
    short = client.post(reverse("password_change"),
                        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert "There is a problem" in short.content.decode()
    new = "a-much-longer-passphrase-2026"
    done = client.post(reverse("password_change"),
                       {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_unknown_page_is_a_friendly_404(client, world):
    login(client, world)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
