"""Levels of support: derivation from special measures, hand-set changes with reasons and their refusals, the pages,
the home pages' counts and the API (issue 23)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.errors import DomainError, NotAllowed, StaleEdit
from core.roles import Role
from levels.models import Level, LevelChange, PracticeLevel, Source
from levels.selectors import current_level, level_counts, levels_of
from levels.services import levels_derive, practice_level_set
from practices.models import Practice, SpecialMeasuresEpisode
from practices.services import episode_correct
from tests.factories import InspectionFactory, PracticeFactory, UserFactory, user_for
from tests.practices.factories import EpisodeFactory

from .factories import set_level

pytestmark = pytest.mark.django_db
R = Level


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def people(world):
    return {"admin": world["users"][Role.RCGP_ADMIN], "lead": world["users"][Role.COMMISSIONER_LEAD],
            "peer": world["users"][Role.COMMISSIONER_PEER_SUPPORT], "deputy": world["users"][Role.RCGP_DEPUTY_LEAD],
            "practice": world["practices"]["own"], "sibling": world["practices"]["own_sibling"],
            "other": world["practices"]["other"]}


def history(practice):
    return list(LevelChange.objects.filter(practice=practice).order_by("changed_at", "pk")
                .values_list("from_level", "level", "source"))


def in_special_measures(practice, started=None):
    started = started or days_ago(100)
    return EpisodeFactory(practice=practice, started_on=started, reinspection_due=started + datetime.timedelta(180))


# Derivation ------------------------------------------------------------------------------------------------------

def test_special_measures_is_rescue_and_an_ended_episode_does_not_keep_it(people):
    practice = people["practice"]
    episode = in_special_measures(practice)
    assert levels_derive() == 1
    assert current_level(practice) == Level.RESCUE
    row = PracticeLevel.objects.get(practice=practice)
    assert (row.level, row.source) == (Level.RESCUE, Source.DERIVED)
    change = LevelChange.objects.get(practice=practice)
    assert change.changed_by is None and "special measures since" in change.reason
    assert levels_derive() == 0  # derived again, nothing new

    episode.ended_on, episode.outcome = days_ago(1), SpecialMeasuresEpisode.Outcome.EXITED
    episode.save()
    assert levels_derive() == 1
    assert current_level(practice) is None
    assert history(practice) == [("", "rescue", "derived"), ("rescue", "", "derived")]


def test_the_level_set_by_hand_comes_back_when_the_episode_ends(people):
    practice = people["practice"]
    set_level(practice, Level.IMPROVEMENT, people["lead"])
    episode = in_special_measures(practice)
    levels_derive(practice_ids=[practice.pk])
    assert current_level(practice) == Level.RESCUE
    episode.ended_on, episode.outcome = days_ago(1), SpecialMeasuresEpisode.Outcome.EXITED
    episode.save()
    levels_derive(practice_ids=[practice.pk])
    row = PracticeLevel.objects.get(practice=practice)
    assert (row.level, row.source) == (Level.IMPROVEMENT, Source.SET)
    assert history(practice) == [("", "improvement", "set"), ("improvement", "rescue", "derived"),
                                 ("rescue", "improvement", "derived")]
    assert "Improvement" in LevelChange.objects.filter(practice=practice).latest("pk").reason


def test_episode_changes_derive_the_level_on_commit(people, django_capture_on_commit_callbacks):
    """The listener: an inspection that puts the practice in special measures makes it Rescue; a corrected
    episode that ends (the practice re-rated) takes Rescue away again."""
    practice = people["practice"]
    InspectionFactory(practice=practice, publication_date=days_ago(400), overall_rating="good")
    with django_capture_on_commit_callbacks(execute=True):
        InspectionFactory(practice=practice, publication_date=days_ago(10),
                          inspection_date=days_ago(40), overall_rating="inadequate", report_link_id="r2")
    assert current_level(practice) == Level.RESCUE
    episode = practice.episodes.get(stage=SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES)
    with django_capture_on_commit_callbacks(execute=True):
        episode_correct(practice=practice, episode=episode, actor=people["admin"], reason="re-rated Good",
                        ended_on=days_ago(1), outcome=SpecialMeasuresEpisode.Outcome.EXITED)
    assert current_level(practice) is None


def test_a_closed_practice_leaves_rescue(people):
    practice = people["practice"]
    in_special_measures(practice, started=days_ago(300))
    levels_derive()
    SpecialMeasuresEpisode.objects.filter(practice=practice).update(
        ended_on=days_ago(2), outcome=SpecialMeasuresEpisode.Outcome.PRACTICE_CLOSED)
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.CLOSED, closed_on=days_ago(2))
    levels_derive()
    assert current_level(practice) is None


def test_selectors_for_other_apps(people):
    set_level(people["practice"], Level.EXCELLENCE, people["admin"])
    set_level(people["other"], Level.RESILIENCE, people["admin"])
    ids = [people["practice"].pk, people["other"].pk, people["sibling"].pk]
    assert levels_of(ids) == {people["practice"].pk: Level.EXCELLENCE, people["other"].pk: Level.RESILIENCE}
    counts = level_counts(Practice.objects.filter(pk__in=ids))
    assert (counts[Level.EXCELLENCE], counts[Level.RESILIENCE], counts[Level.RESCUE], counts[None]) == (1, 1, 0, 1)


# Set by hand -----------------------------------------------------------------------------------------------------

def test_a_level_set_by_hand_keeps_who_when_and_why(people):
    practice = people["practice"]
    row = set_level(practice, Level.RESILIENCE, people["lead"], reason="Self-referred after the review")
    assert (row.level, row.source, row.version) == (Level.RESILIENCE, Source.SET, 1)
    row = set_level(practice, Level.EXCELLENCE, people["admin"], reason="Recognised good practice")
    assert row.version == 2
    changes = list(LevelChange.objects.filter(practice=practice).order_by("pk"))
    assert [(c.from_level, c.level, c.changed_by, c.reason) for c in changes] == [
        ("", "resilience", people["lead"], "Self-referred after the review"),
        ("resilience", "excellence", people["admin"], "Recognised good practice")]


def test_rescue_by_hand_is_allowed_without_special_measures(people):
    assert set_level(people["practice"], Level.RESCUE, people["lead"], reason="At risk of closure").level == "rescue"


def _nothing_saved(practice, before):
    assert history(practice) == before


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"reason": "  "}, DomainError, "Enter the reason for the change of level"),
    ({"level": "outstanding"}, DomainError, "Choose the level of support"),
    ({"level": Level.RESILIENCE}, DomainError, "is already at Resilience"),
    ({"base_version": 0}, StaleEdit, "Someone changed this practice's level"),
    ({"base_version": None}, StaleEdit, "Someone changed this practice's level"),
])
def test_refusals_save_nothing(people, kwargs, error, message):
    practice = people["practice"]
    set_level(practice, Level.RESILIENCE, people["admin"])
    before = history(practice)
    call = {"practice": practice, "level": Level.IMPROVEMENT, "reason": "Because", "base_version": 1,
            "actor": people["lead"], **kwargs}
    with pytest.raises(error, match=message):
        practice_level_set(**call)
    _nothing_saved(practice, before)
    assert PracticeLevel.objects.get(practice=practice).version == 1


@pytest.mark.parametrize("who", ["peer", "deputy", "other_lead"])
def test_only_rcgp_admin_and_the_practices_commissioner_lead_set_it(people, world, who):
    actor = (user_for(Role.COMMISSIONER_LEAD, commissioner=world["other"]) if who == "other_lead" else people[who])
    with pytest.raises(NotAllowed):
        practice_level_set(practice=people["practice"], level=Level.EXCELLENCE, reason="x", base_version=0,
                           actor=actor)
    assert not LevelChange.objects.exists()


def test_in_special_measures_nothing_below_rescue(people):
    practice = people["practice"]
    in_special_measures(practice)
    levels_derive()
    with pytest.raises(DomainError, match="in special measures: Rescue until the episode ends"):
        practice_level_set(practice=practice, level=Level.EXCELLENCE, reason="x", base_version=1,
                           actor=people["admin"])
    with pytest.raises(DomainError, match="already at Rescue"):
        practice_level_set(practice=practice, level=Level.RESCUE, reason="x", base_version=1, actor=people["admin"])
    assert history(practice) == [("", "rescue", "derived")]


# Pages -----------------------------------------------------------------------------------------------------------

def test_the_practice_page_shows_the_level_and_its_history(client, people):
    set_level(people["practice"], Level.RESILIENCE, people["lead"], reason="After the handover")
    client.force_login(people["peer"])
    page = client.get(reverse("practices:detail", args=[people["practice"].ods_code])).content.decode()
    assert 'id="level-of-support"' in page and "Resilience" in page and "After the handover" in page
    assert "Change the level" not in page  # a peer-support user sees it, does not change it
    client.force_login(people["lead"])
    page = client.get(reverse("practices:detail", args=[people["practice"].ods_code])).content.decode()
    assert "Change the level" in page


def test_change_the_level_on_its_page(client, people):
    practice = people["practice"]
    url = reverse("levels:practice", args=[practice.ods_code])
    client.force_login(people["lead"])
    response = client.post(url, {"level": "excellence", "reason": "Recognised good practice", "version": "0"})
    assert response.status_code == 302
    assert current_level(practice) == Level.EXCELLENCE
    page = client.get(url).content.decode()
    assert "Recognised good practice" in page and "Excellence" in page


def test_a_change_without_a_reason_keeps_what_was_typed(client, people):
    practice = people["practice"]
    client.force_login(people["admin"])
    response = client.post(reverse("levels:practice", args=[practice.ods_code]),
                           {"level": "improvement", "reason": "", "version": "0"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter the reason for the change of level" in page
    assert 'value="improvement" checked' in page
    assert not LevelChange.objects.exists()


def test_a_refused_change_keeps_the_reason_typed(client, people):
    practice = people["practice"]
    set_level(practice, Level.RESILIENCE, people["admin"])
    client.force_login(people["admin"])
    response = client.post(reverse("levels:practice", args=[practice.ods_code]),
                           {"level": "resilience", "reason": "Still needs tailored support", "version": "1"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "is already at Resilience: choose a different level" in page and "Still needs tailored support" in page
    assert len(history(practice)) == 1


def test_a_stale_change_is_refused_with_what_changed(client, people):
    practice = people["practice"]
    set_level(practice, Level.RESILIENCE, people["admin"])
    client.force_login(people["lead"])
    response = client.post(reverse("levels:practice", args=[practice.ods_code]),
                           {"level": "excellence", "reason": "Because", "version": "0"})
    assert response.status_code == 409
    assert "Someone changed this practice&#39;s level" in response.content.decode()
    assert current_level(practice) == Level.RESILIENCE


def test_the_list_filters_by_level_and_counts(client, people):
    set_level(people["practice"], Level.EXCELLENCE, people["admin"])
    set_level(people["other"], Level.RESCUE, people["admin"])
    client.force_login(people["lead"])  # sees its own commissioner's practices only
    page = client.get(reverse("levels:list")).content.decode()
    assert "Own Practice" in page and "Sibling Practice" in page and "Other Practice" not in page
    page = client.get(reverse("levels:list") + "?level=excellence").content.decode()
    assert "Own Practice" in page and "Sibling Practice" not in page
    page = client.get(reverse("levels:list") + "?level=none").content.decode()
    assert "Own Practice" not in page and "Sibling Practice" in page
    client.force_login(people["admin"])
    page = client.get(reverse("levels:list") + "?level=rescue").content.decode()
    assert "Other Practice" in page and "Own Practice" not in page
    assert client.get(reverse("levels:list") + "?level=bogus").status_code == 422


def test_the_list_and_home_pages_in_a_fixed_number_of_queries(client, people, world,
                                                              django_assert_max_num_queries):
    for n in range(30):
        set_level(PracticeFactory(commissioner=world["own"], name=f"Extra {n}"),
                  [Level.RESILIENCE, Level.IMPROVEMENT, Level.EXCELLENCE][n % 3], people["admin"])
    client.force_login(people["admin"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("levels:list")).status_code == 200
    client.force_login(people["lead"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("levels:list") + "?page=1").status_code == 200


def test_home_pages_count_practices_per_level(client, people):
    set_level(people["practice"], Level.EXCELLENCE, people["admin"])
    set_level(people["other"], Level.RESCUE, people["admin"])
    for who, rescue in (("lead", "0"), ("admin", "1"), ("deputy", "1")):
        client.force_login(people[who])
        page = client.get(reverse("home")).content.decode()
        assert 'id="level-counts"' in page, who
        assert "?level=excellence" in page
        counts = page.split('id="level-counts"')[1]
        assert f'Practices </span>{rescue}</td>' in counts.split("Resilience")[0], who


# API -------------------------------------------------------------------------------------------------------------

def test_api_levels_with_filters_and_exports(client, people):
    set_level(people["practice"], Level.EXCELLENCE, people["admin"])
    set_level(people["other"], Level.RESCUE, people["admin"])
    client.force_login(people["admin"])
    data = client.get("/api/v1/levels/").json()
    assert {(r["ods_code"], r["level"], r["source"]) for r in data["results"]} == {
        (people["practice"].ods_code, "excellence", "set"), (people["other"].ods_code, "rescue", "set")}
    row = next(r for r in data["results"] if r["level"] == "excellence")
    assert (row["commissioner"], row["region"]) == ("01A", "Y62")
    assert [r["level"] for r in client.get("/api/v1/levels/?level=rescue").json()["results"]] == ["rescue"]
    assert [r["commissioner"] for r in client.get("/api/v1/levels/?commissioner=02b").json()["results"]] == ["02B"]
    assert [r["region"] for r in client.get("/api/v1/levels/?region=Y62").json()["results"]] == ["Y62"]
    csv = client.get("/api/v1/levels/?format=csv")
    assert csv.status_code == 200 and "Excellence" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/api/v1/levels/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 3
    client.force_login(people["lead"])  # its own practices only
    assert [r["ods_code"] for r in client.get("/api/v1/levels/").json()["results"]] == [people["practice"].ods_code]


def test_api_level_changes_with_filters(client, people):
    set_level(people["practice"], Level.RESILIENCE, people["lead"], reason="Self-referred")
    set_level(people["practice"], Level.IMPROVEMENT, people["lead"], reason="Workshops")
    set_level(people["other"], Level.RESCUE, people["admin"])
    client.force_login(people["lead"])
    rows = client.get("/api/v1/level-changes/").json()["results"]
    assert [(r["from_level"], r["level"], r["reason"]) for r in rows] == [
        ("resilience", "improvement", "Workshops"), ("", "resilience", "Self-referred")]
    assert rows[0]["changed_by"]
    client.force_login(people["admin"])
    assert len(client.get("/api/v1/level-changes/?practice=" + people["other"].ods_code).json()["results"]) == 1
    assert len(client.get("/api/v1/level-changes/?level=improvement").json()["results"]) == 1
    today = timezone.localdate().isoformat()
    assert len(client.get(f"/api/v1/level-changes/?from={today}&to={today}").json()["results"]) == 3
    assert client.get("/api/v1/level-changes/?to=2000-01-01").json()["results"] == []
    assert client.get("/api/v1/level-changes/?format=csv").status_code == 200
    assert client.get("/api/v1/level-changes/?format=xlsx").status_code == 200


def test_api_lists_in_a_fixed_number_of_queries(client, people, world, django_assert_max_num_queries):
    for n in range(20):
        practice = PracticeFactory(commissioner=world["own"], name=f"Extra {n}")
        set_level(practice, Level.RESILIENCE, people["admin"])
        set_level(practice, Level.IMPROVEMENT, people["lead"])
    client.force_login(people["lead"])
    for url in ("/api/v1/levels/", "/api/v1/level-changes/", "/api/v1/levels/?format=csv",
                "/api/v1/level-changes/?format=xlsx"):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_a_hidden_practice_answers_404(client, people):
    client.force_login(UserFactory(role=Role.PRACTICE_USER, practice=people["other"]))
    assert client.get(reverse("levels:practice", args=[people["practice"].ods_code])).status_code == 404
