"""The practice page's regulatory timeline and the correction form (Django's test client)."""

import datetime
import re

import pytest
from django.urls import reverse

from core.roles import Role
from practices import access, timeline
from practices.models import Practice, SpecialMeasuresEpisode

from .factories import InspectionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def journey(world):
    """Own Practice: a well-led window (June 2021), not improved (January 2022), so in special measures."""
    own = world["practices"]["own"]
    InspectionFactory(practice=own, publication_date=D(2021, 6, 3), overall_rating="requires_improvement",
                      well_led="inadequate", report_link_id="w")
    InspectionFactory(practice=own, publication_date=D(2022, 1, 14), overall_rating="requires_improvement",
                      well_led="inadequate", report_link_id="s")
    return world


def page(client, world, role):
    client.force_login(world["users"][role])
    return client.get(reverse("practices:detail", args=[world["practices"]["own"].ods_code]))


def test_page_draws_the_timeline_and_tables_the_same_facts(client, journey):
    html = page(client, journey, Role.COMMISSIONER_PEER_SUPPORT).content.decode()
    assert "In special measures since 14 January 2022" in html and "Re-inspection is due by 14 July 2022" in html
    svg = html[html.index('<figure class="app-chart app-timeline"'):html.index("</figure>")]
    assert svg.count("<circle") == 2  # one dot a report
    assert svg.count("<rect") == 2 + 6  # the window and the episode, then the legend's six swatches
    assert "Report published 14 January 2022: Requires improvement" in svg
    table = html[html.index('id="episode-table"'):]
    table = table[:table.index("</table>")]
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in table.split('<tr class="nhsuk-table__row">')[2:]]
    assert " ".join(rows[0]).startswith(
        "Stage Six months to improve How it began Inadequate: Well-led From 3 June 2021")
    assert "Still Inadequate in a key question or population group after six months" in " ".join(rows[1])
    assert "Continuing" in " ".join(rows[1])
    assert "Correct" not in table  # a peer-support commissioner reads; the lead corrects


def test_lead_corrects_an_episode_with_a_reason_and_the_page_flags_the_difference(client, journey):
    own = journey["practices"]["own"]
    episode = own.episodes.get(stage="special_measures")
    client.force_login(journey["users"][Role.COMMISSIONER_LEAD])
    url = reverse("practices:episode_correct", args=[own.ods_code, episode.pk])
    form_html = client.get(url).content.decode()
    # The form starts from the episode: its start date in the three boxes.
    boxes = re.findall(r'name="started_on-(\w+)" type="text" value="(\d+)"', form_html)
    assert boxes == [("day", "14"), ("month", "1"), ("year", "2022")]
    response = client.post(url, {"route": "domain_inadequate_not_improved", "started_on-day": "14",
                                 "started_on-month": "1", "started_on-year": "2022",
                                 "reinspection_due-day": "14", "reinspection_due-month": "7",
                                 "reinspection_due-year": "2022", "ended_on-day": "1", "ended_on-month": "6",
                                 "ended_on-year": "2022", "outcome": "registration_cancelled",
                                 "reason": "CQC cancelled the registration"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.outcome, episode.ended_on, episode.source) == ("registration_cancelled", D(2022, 6, 1),
                                                                    "corrected")
    html = page(client, journey, Role.COMMISSIONER_LEAD).content.decode()
    assert "Differs from the reports" in html and "Registration cancelled" in html
    assert "In special measures since" not in html


def test_the_form_names_what_is_missing(client, journey):
    own = journey["practices"]["own"]
    client.force_login(journey["users"][Role.RCGP_ADMIN])
    response = client.post(reverse("practices:episode_new", args=[own.ods_code]),
                           {"route": "placed_by_cqc", "started_on-day": "3", "ended_on-day": "1",
                            "ended_on-month": "2", "ended_on-year": "2020"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["started_on"] == ["Start date must include a month and year"]
    assert errors["reason"] == ["Enter why you are correcting it"]
    assert errors["outcome"] == ["Select how it ended"]
    assert not SpecialMeasuresEpisode.objects.filter(route="placed_by_cqc").exists()


def test_admin_records_a_cqc_placement(client, journey):
    other = journey["practices"]["other"]
    InspectionFactory(practice=other, publication_date=D(2023, 3, 15), overall_rating="requires_improvement",
                      safe="inadequate", well_led="inadequate", report_link_id="p")
    client.force_login(journey["users"][Role.RCGP_ADMIN])
    response = client.post(reverse("practices:episode_new", args=[other.ods_code]),
                           {"route": "placed_by_cqc", "started_on": "2023-03-15", "reinspection_due": "2023-09-15",
                            "reason": "CQC placed it straight in"})
    assert response.status_code == 302
    placed = other.episodes.get(route="placed_by_cqc")
    assert (placed.source, placed.differs_from_derived) == ("corrected", False)
    assert Practice.objects.in_special_measures().filter(pk=other.pk).exists()
    assert placed.history.first().history_change_reason == "CQC placed it straight in"


def test_correct_rule_agrees_for_one_practice_and_its_queryset(journey):
    from tests.factories import UserFactory

    users = [*journey["users"].values(), UserFactory(role=Role.RCGP_ADMIN, is_active=False)]
    for user in users:
        for practice in journey["practices"].values():
            one = access.CORRECT_EPISODES.test(user, practice)
            many = access.CORRECT_EPISODES.filter(user, Practice.objects.filter(pk=practice.pk)).exists()
            assert one == many, (user.role, practice.name)


def test_timeline_scales_to_its_years():
    class Report:
        def __init__(self, day, rating):
            self.publication_date, self.overall_rating = day, rating

        def get_overall_rating_display(self):
            return self.overall_rating

    chart = timeline.build([Report(D(2020, 1, 1), "good"), Report(D(2021, 7, 2), "inadequate")], [],
                           today=D(2021, 12, 31))
    # 2020 to 2022 across 720 - 110 - 20 = 590 units: 1 January 2020 at the left edge, 2 July 2021 at 548 days.
    assert [x for x, _colour, _title in chart.marks] == [110, round(110 + 548 * 590 / 731, 1)]
    assert [year for _x, year in chart.years] == [2020, 2021, 2022]
    assert timeline.build([], []) is None
