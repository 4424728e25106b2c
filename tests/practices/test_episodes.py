"""Special-measures episodes derived from hand-made inspection histories (practices/episodes.py, no database).

Every expected episode below is worked out by hand from 002 §19-24: dates are publication dates, six months is a
calendar six months (31 January + 6 months = 31 July)."""

import datetime
from types import SimpleNamespace

from practices.episodes import DOMAIN_FIELDS, Episode, derive

D = datetime.date
INADEQUATE, RI, G = "inadequate", "requires_improvement", "good"


def report(pk, published, overall, *inadequate, rated=True):
    """An inspection rated ``overall``, Good in every domain but ``inadequate`` ones."""
    values = dict.fromkeys(DOMAIN_FIELDS, G if rated else "")
    values.update(dict.fromkeys(inadequate, INADEQUATE))
    return SimpleNamespace(pk=pk, publication_date=published, overall_rating=overall, **values)


def test_no_inadequate_rating_gives_no_episode():
    assert derive([report(1, D(2020, 1, 1), G), report(2, D(2022, 1, 1), RI)]) == []


def test_overall_inadequate_enters_and_the_next_report_without_inadequate_exits_with_its_rating():
    history = [report(1, D(2019, 4, 23), INADEQUATE, "safe", "well_led"), report(2, D(2019, 12, 9), RI)]
    assert derive(history) == [Episode(
        "special_measures", D(2019, 4, 23), route="overall_inadequate", reinspection_due=D(2019, 10, 23),
        ended_on=D(2019, 12, 9), outcome="exited", exit_rating=RI, inspections=[1, 2])]


def test_still_inadequate_on_reinspection_extends_six_months_from_that_report_then_exits():
    # 31 Jan + 6 months = 31 Jul; the second report is Requires improvement overall but still Inadequate in
    # well-led, which extends the episode to 1 Mar + 6 months = 1 Sep 2021.
    history = [report(1, D(2020, 1, 31), INADEQUATE), report(2, D(2021, 3, 1), RI, "well_led"),
               report(3, D(2021, 8, 20), G)]
    assert derive(history) == [Episode(
        "special_measures", D(2020, 1, 31), route="overall_inadequate", reinspection_due=D(2020, 7, 31),
        extended_to=D(2021, 9, 1), ended_on=D(2021, 8, 20), outcome="exited", exit_rating=G,
        inspections=[1, 2, 3])]


def test_single_inadequate_domain_opens_a_six_month_window_that_closes_improved():
    history = [report(1, D(2022, 11, 2), RI, "well_led"), report(2, D(2023, 6, 2), G)]
    assert derive(history) == [Episode(
        "window", D(2022, 11, 2), reinspection_due=D(2023, 5, 2), ended_on=D(2023, 6, 2), outcome="improved",
        domains=["well_led"], inspections=[1, 2])]


def test_population_group_still_inadequate_after_the_window_enters_special_measures():
    history = [report(1, D(2021, 6, 3), RI, "pg_mental_health"), report(2, D(2021, 12, 10), RI, "pg_mental_health"),
               report(3, D(2022, 5, 1), G)]
    assert derive(history) == [
        Episode("window", D(2021, 6, 3), reinspection_due=D(2021, 12, 3), ended_on=D(2021, 12, 10),
                outcome="not_improved", domains=["pg_mental_health"], inspections=[1, 2]),
        Episode("special_measures", D(2021, 12, 10), route="domain_inadequate_not_improved",
                reinspection_due=D(2022, 6, 10), ended_on=D(2022, 5, 1), outcome="exited", exit_rating=G,
                inspections=[2, 3]),
    ]


def test_window_followed_by_overall_inadequate_enters_by_the_overall_route():
    history = [report(1, D(2018, 8, 29), RI, "safe"), report(2, D(2019, 6, 12), INADEQUATE, "safe", "well_led")]
    assert derive(history) == [
        Episode("window", D(2018, 8, 29), reinspection_due=D(2019, 2, 28), ended_on=D(2019, 6, 12),
                outcome="not_improved", domains=["safe"], inspections=[1, 2]),
        Episode("special_measures", D(2019, 6, 12), route="overall_inadequate", reinspection_due=D(2019, 12, 12),
                inspections=[2]),
    ]


def test_another_domain_inadequate_at_reinspection_closes_the_window_improved_and_opens_a_new_one():
    history = [report(1, D(2020, 1, 1), RI, "safe"), report(2, D(2020, 7, 1), RI, "caring")]
    assert derive(history) == [
        Episode("window", D(2020, 1, 1), reinspection_due=D(2020, 7, 1), ended_on=D(2020, 7, 1),
                outcome="improved", domains=["safe"], inspections=[1, 2]),
        Episode("window", D(2020, 7, 1), reinspection_due=D(2021, 1, 1), domains=["caring"], inspections=[2]),
    ]


def test_cqc_placing_straight_into_special_measures_is_taken_from_a_recorded_placement():
    # 002 §23: Inadequate well-led and safe, Requires improvement overall, placed straight in: no window.
    history = [report(1, D(2023, 3, 15), RI, "well_led", "safe"), report(2, D(2023, 10, 1), G)]
    assert derive(history, placements=[D(2023, 3, 15)]) == [Episode(
        "special_measures", D(2023, 3, 15), route="placed_by_cqc", reinspection_due=D(2023, 9, 15),
        ended_on=D(2023, 10, 1), outcome="exited", exit_rating=G, inspections=[1, 2])]
    # Without the placement, the same history is a window that improved.
    assert [e.stage for e in derive(history)] == ["window"]


def test_a_placement_between_reports_ends_the_window_and_is_left_by_the_next_report():
    history = [report(1, D(2023, 3, 15), RI, "well_led"), report(2, D(2024, 1, 10), G)]
    assert derive(history, placements=[D(2023, 5, 1)]) == [
        Episode("window", D(2023, 3, 15), reinspection_due=D(2023, 9, 15), ended_on=D(2023, 5, 1),
                outcome="not_improved", domains=["well_led"], inspections=[1]),
        Episode("special_measures", D(2023, 5, 1), route="placed_by_cqc", reinspection_due=D(2023, 11, 1),
                ended_on=D(2024, 1, 10), outcome="exited", exit_rating=G, inspections=[2]),
    ]


def test_closure_ends_special_measures_and_later_reports_are_ignored():
    history = [report(1, D(2016, 4, 21), INADEQUATE), report(2, D(2017, 2, 2), INADEQUATE), report(3, D(2020, 1, 1), G)]
    assert derive(history, closed_on=D(2019, 11, 30)) == [Episode(
        "special_measures", D(2016, 4, 21), route="overall_inadequate", reinspection_due=D(2016, 10, 21),
        extended_to=D(2017, 8, 2), ended_on=D(2019, 11, 30), outcome="practice_closed", inspections=[1, 2])]


def test_closure_ends_an_open_window():
    [window] = derive([report(1, D(2021, 6, 3), G, "responsive")], closed_on=D(2021, 9, 30))
    assert (window.stage, window.ended_on, window.outcome) == ("window", D(2021, 9, 30), "practice_closed")


def test_unpublished_and_unrated_reports_are_ignored_and_order_is_by_publication():
    history = [report(3, D(2020, 9, 1), G), report(1, None, INADEQUATE), report(2, D(2020, 1, 1), INADEQUATE),
               SimpleNamespace(pk=4, publication_date=D(2020, 5, 1), overall_rating="",
                               **dict.fromkeys(DOMAIN_FIELDS, INADEQUATE))]
    assert derive(history) == [Episode(
        "special_measures", D(2020, 1, 1), route="overall_inadequate", reinspection_due=D(2020, 7, 1),
        ended_on=D(2020, 9, 1), outcome="exited", exit_rating=G, inspections=[2, 3])]


def test_a_second_episode_after_leaving():
    history = [report(1, D(2019, 8, 22), INADEQUATE), report(2, D(2020, 3, 2), G),
               report(3, D(2021, 5, 28), INADEQUATE)]
    first, second = derive(history)
    assert (first.ended_on, first.outcome) == (D(2020, 3, 2), "exited")
    assert (second.started_on, second.ended_on, second.reinspection_due) == (D(2021, 5, 28), None, D(2021, 11, 28))
