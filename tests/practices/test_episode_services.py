"""Special-measures episodes in the database: derived by the CQC import (real Oldham data), corrected by hand."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.roles import Role
from practices.imports.cqc import import_cqc_ratings
from practices.imports.ods import import_ods_practices
from practices.models import Practice, SpecialMeasuresEpisode
from practices.services import episode_correct, episodes_rederive

from ..conftest import CQC_SAMPLE, ODS_SAMPLE
from ..factories import CommissionerFactory, PracticeFactory, user_for
from .factories import InspectionFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SM = SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES


def facts(ods_code):
    return [(e.stage, e.route, e.started_on, e.due, e.ended_on, e.outcome, e.exit_rating)
            for e in SpecialMeasuresEpisode.objects.filter(practice__ods_code=ods_code)]


@pytest.fixture
def oldham():
    import_ods_practices(ODS_SAMPLE)
    import_cqc_ratings(CQC_SAMPLE)


def test_real_oldham_reregistered_location_keeps_its_special_measures_history(oldham):
    # P85022 is now registered as 1-12783302204; its 2017 Inadequate report, under 1-2018702708, is still its own.
    practice = Practice.objects.get(ods_code="P85022")
    assert practice.cqc_location_id == "1-12783302204"
    assert set(practice.inspections.values_list("cqc_location_id", flat=True)) == {"1-12783302204", "1-2018702708"}
    assert facts("P85022") == [(SM, "overall_inadequate", D(2017, 7, 6), D(2018, 1, 6), D(2018, 2, 22), "exited",
                                "good")]
    [episode] = practice.episodes.all()
    assert sorted(episode.inspections.values_list("publication_date", flat=True)) == [D(2017, 7, 6), D(2018, 2, 22)]


def test_real_oldham_window_extension_and_closure(oldham):
    # P85008: Inadequate 2016 (left Good), then well-led Inadequate in June 2021: a window not improved, since
    # January 2022's report is Inadequate overall; the practice closed on 31 December 2023 (ODS close date).
    assert facts("P85008") == [
        (SM, "overall_inadequate", D(2016, 2, 11), D(2016, 8, 11), D(2016, 10, 20), "exited", "good"),
        ("window", "", D(2021, 6, 3), D(2021, 12, 3), D(2022, 1, 14), "not_improved", ""),
        (SM, "overall_inadequate", D(2022, 1, 14), D(2022, 7, 14), D(2023, 12, 31), "practice_closed", ""),
    ]
    # P85007: Requires improvement with well-led still Inadequate extends the episode to 2 May 2019.
    assert facts("P85007") == [(SM, "overall_inadequate", D(2018, 2, 2), D(2019, 5, 2), D(2019, 5, 21), "exited",
                                "good")]


def test_real_oldham_in_special_measures_comes_from_the_current_episode(oldham):
    # Of the Oldham practices, only Y01124 (Inadequate in June 2023, dormant, not closed) is in special measures
    # now; P85607 and P85025 were rated Inadequate last but have closed.
    assert list(Practice.objects.in_special_measures().values_list("ods_code", flat=True)) == ["Y01124"]
    practice = Practice.objects.with_current_rating().get(ods_code="Y01124")
    assert practice.special_measures.active and practice.special_measures.reinspection_due == D(2023, 12, 23)
    closed = Practice.objects.with_current_rating().get(ods_code="P85607")
    assert closed.current_rating == "inadequate" and not closed.special_measures.active
    assert Practice.objects.in_special_measures(False).filter(ods_code="P85607").exists()


def test_a_rerun_import_leaves_the_episodes_alone(oldham):
    before = list(SpecialMeasuresEpisode.objects.values_list("pk", flat=True))
    import_cqc_ratings(CQC_SAMPLE)
    assert list(SpecialMeasuresEpisode.objects.values_list("pk", flat=True)) == before


@pytest.fixture
def failing():
    """A practice rated Inadequate on 1 March 2024 (the factory derives its episode, as an import does)."""
    practice = PracticeFactory(commissioner=CommissionerFactory(ods_code="01A"))
    InspectionFactory(practice=practice, overall_rating="inadequate", publication_date=D(2024, 3, 1))
    return practice


def test_correction_by_commissioner_lead_keeps_history_and_stands_until_a_newer_inspection(failing):
    lead = user_for(Role.COMMISSIONER_LEAD, commissioner=failing.commissioner)
    [episode] = failing.episodes.all()
    episode_correct(practice=failing, episode=episode, actor=lead, reason="CQC extended it by letter",
                    extended_to=D(2024, 12, 1))
    episode.refresh_from_db()
    assert (episode.source, episode.extended_to, episode.differs_from_derived) == ("corrected", D(2024, 12, 1), True)
    latest = episode.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("CQC extended it by letter", lead)
    # An import with nothing newer keeps the correction.
    episodes_rederive(practice_ids=[failing.pk])
    episode.refresh_from_db()
    assert (episode.source, episode.extended_to) == ("corrected", D(2024, 12, 1))
    # A newer inspection replaces it with what the inspections say.
    InspectionFactory(practice=failing, overall_rating="good", publication_date=D(2024, 11, 20))
    assert facts(failing.ods_code) == [(SM, "overall_inadequate", D(2024, 3, 1), D(2024, 9, 1), D(2024, 11, 20),
                                        "exited", "good")]
    assert failing.episodes.get().source == "derived"


def test_correction_to_what_derivation_says_is_not_flagged(failing):
    admin = user_for(Role.RCGP_ADMIN)
    episode = failing.episodes.get()
    episode_correct(practice=failing, episode=episode, actor=admin, reason="checked the report",
                    reinspection_due=D(2024, 9, 1))
    episode.refresh_from_db()
    assert episode.source == "corrected" and not episode.differs_from_derived


def test_registration_cancelled_is_recorded_by_correction(failing):
    admin = user_for(Role.RCGP_ADMIN)
    episode_correct(practice=failing, episode=failing.episodes.get(), actor=admin, reason="CQC cancelled",
                    ended_on=D(2024, 10, 1), outcome="registration_cancelled")
    practice = Practice.objects.with_current_rating().get(pk=failing.pk)
    assert not practice.special_measures.active
    assert not Practice.objects.in_special_measures().filter(pk=failing.pk).exists()


def test_cqc_placement_recorded_by_hand_survives_newer_inspections():
    practice = PracticeFactory()
    InspectionFactory(practice=practice, overall_rating="requires_improvement", well_led="inadequate",
                      safe="inadequate", publication_date=D(2023, 3, 15))
    assert [e.stage for e in practice.episodes.all()] == ["window"]
    episode_correct(practice=practice, actor=user_for(Role.RCGP_ADMIN), reason="CQC letter of 15 March",
                    route="placed_by_cqc", started_on=D(2023, 3, 15), reinspection_due=D(2023, 9, 15))
    InspectionFactory(practice=practice, overall_rating="good", publication_date=D(2023, 10, 1))
    assert facts(practice.ods_code) == [(SM, "placed_by_cqc", D(2023, 3, 15), D(2023, 9, 15), D(2023, 10, 1),
                                         "exited", "good")]


@pytest.mark.parametrize("role", [Role.COMMISSIONER_PEER_SUPPORT, Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADVISER,
                                  Role.PRACTICE_LEAD, Role.NHSE_REPORTING])
def test_only_rcgp_admin_and_the_commissioner_lead_correct(failing, role):
    user = user_for(role, commissioner=failing.commissioner, practice=failing)
    with pytest.raises(PermissionDenied):
        episode_correct(practice=failing, episode=failing.episodes.get(), actor=user, reason="no",
                        ended_on=D(2024, 5, 1))


def test_another_commissioners_lead_may_not_correct(failing):
    with pytest.raises(PermissionDenied):
        episode_correct(practice=failing, episode=failing.episodes.get(), actor=user_for(Role.COMMISSIONER_LEAD),
                        reason="no", ended_on=D(2024, 5, 1))


def test_a_correction_needs_a_reason(failing):
    with pytest.raises(ValueError, match="reason"):
        episode_correct(practice=failing, episode=failing.episodes.get(), actor=user_for(Role.RCGP_ADMIN),
                        reason="  ", ended_on=D(2024, 5, 1))


def test_deriving_many_practices_takes_the_same_queries_as_few(django_assert_num_queries):
    def practices(n):
        made = [PracticeFactory() for _ in range(n)]
        for practice in made:
            InspectionFactory(practice=practice, overall_rating="inadequate", publication_date=D(2024, 3, 1))
            InspectionFactory(practice=practice, overall_rating="good", publication_date=D(2024, 10, 1))
        SpecialMeasuresEpisode.objects.filter(practice__in=made).delete()
        return [p.pk for p in made]

    few, many = practices(2), practices(8)
    # Practices, inspections, episodes (none: no prefetch of their inspections), the savepoint pair, the new
    # episodes, their history rows and their links to inspections.
    with django_assert_num_queries(8):
        assert episodes_rederive(practice_ids=few) == 2
    with django_assert_num_queries(8):
        assert episodes_rederive(practice_ids=many) == 8
    assert SpecialMeasuresEpisode.objects.filter(practice__in=many, outcome="exited").count() == 8
