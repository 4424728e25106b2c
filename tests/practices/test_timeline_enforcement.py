"""CQC's enforcement on the regulatory timeline: a diamond per action in the SVG (a line to when it ended), its own
legend entries, and the same facts in the enforcement table."""

import datetime
import re

import pytest
from django.urls import reverse

from core.roles import Role
from practices import timeline
from practices.models import Enforcement
from practices.regulation_services import breaches_version, enforcement_record, inspection_record_breaches

from .factories import InspectionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


class Report:
    def __init__(self, day, rating):
        self.publication_date, self.overall_rating, self.pk = day, rating, None

    def get_overall_rating_display(self):
        return self.overall_rating


def action(kind, issued_on, ended_on=None, regulations=()):
    return Enforcement(pk=None, kind=kind, issued_on=issued_on, ended_on=ended_on, regulations=list(regulations))


def test_each_action_sits_on_the_axis_with_a_line_to_its_end():
    lifted = action("warning_notice", D(2020, 7, 1), D(2021, 1, 1), ["Regulation 12: Safe care and treatment"])
    standing = action("conditions", D(2021, 7, 2))
    chart = timeline.build([Report(D(2020, 1, 1), "inadequate")], [], today=D(2021, 12, 31),
                           enforcements=[standing, lifted])
    scale = 590 / 731  # 2020 to 2022 across 720 - 110 - 20 units
    assert [(x, end, colour) for x, end, colour, _title, _open in chart.actions] == [
        (round(110 + 182 * scale, 1), round(110 + 366 * scale, 1), "#d5281b"),   # oldest first
        (round(110 + 548 * scale, 1), round(110 + 730 * scale, 1), "#330072"),   # in force: a line to today
    ]
    titles = [title for _x, _end, _colour, title, _open in chart.actions]
    assert titles == ["Warning notice issued 1 July 2020 (Regulation 12: Safe care and treatment), ended 1 January "
                      "2021", "Conditions imposed on registration issued 2 July 2021, in force"]
    assert [in_force for *_rest, in_force in chart.actions] == [False, True]
    # The legend names only the kinds drawn, in CQC's order from the mildest.
    assert chart.action_legend == [("#d5281b", "Warning notice"), ("#330072", "Conditions imposed on registration")]


def test_enforcement_alone_is_enough_to_draw_and_widens_the_axis():
    chart = timeline.build([], [], today=D(2019, 6, 1), enforcements=[action("suspension", D(2018, 3, 1))])
    assert chart is not None and [year for _x, year in chart.years] == [2018, 2019, 2020]
    assert timeline.build([], [], enforcements=[]) is None
    assert timeline.build([Report(D(2020, 1, 1), "good")], []).actions == []


@pytest.fixture
def enforced(world):
    own = world["practices"]["own"]
    inspection = InspectionFactory(practice=own, overall_rating="inadequate", publication_date=D(2024, 3, 1),
                                   inspection_date=D(2024, 1, 10), report_link_id="e1")
    admin = world["users"][Role.RCGP_ADMIN]
    inspection_record_breaches(inspection=inspection, regulations=["12", "17"], reason="Report", actor=admin,
                               base_version=breaches_version(inspection))
    inspection.refresh_from_db()
    enforcement_record(practice=own, inspection=inspection, actor=admin, kind="requirement_notice",
                       regulations=["17"], issued_on=D(2024, 3, 5))
    enforcement_record(practice=own, inspection=inspection, actor=admin, kind="warning_notice",
                       regulations=["12"], issued_on=D(2024, 3, 6), comply_by=D(2024, 4, 30),
                       ended_on=D(2024, 5, 2))
    return own


def svg_of(html):
    return html[html.index('<figure class="app-chart app-timeline"'):html.index("</figure>")]


def test_the_page_draws_a_diamond_per_action_and_tables_the_same_facts(client, world, enforced):
    client.force_login(world["users"][Role.NHSE_REPORTING])  # public facts: whoever sees the practice
    html = client.get(reverse("practices:detail", args=[enforced.ods_code])).content.decode()
    svg = svg_of(html)
    assert svg.count('class="app-timeline__enforcement"') == 2
    assert ">Enforcement</text>" in svg
    assert "Warning notice issued 6 March 2024 (Regulation 12: Safe care and treatment), ended 2 May 2024" in svg
    assert "Requirement notice issued 5 March 2024 (Regulation 17: Good governance), in force" in svg
    # Its legend: the report ratings and stages as squares, then the two kinds drawn as diamonds.
    assert svg.count("<polygon") == 2 + 2 and ">Warning notice</text>" in svg and ">Conditions" not in svg
    table = html[html.index('id="enforcement-table"'):]
    table = table[:table.index("</table>")]
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in table.split('<tr class="nhsuk-table__row">')[2:]]
    assert " ".join(rows[0]).startswith("Enforcement Requirement notice Regulations Regulation 17: Good governance "
                                        "Issued 5 March 2024 Comply by – Ended In force Follows the report of "
                                        "1 March 2024")
    assert "Comply by 30 April 2024 Ended 2 May 2024" in " ".join(rows[1])
    assert "Change" not in table  # NHSE reads; RCGP admin and the commissioner lead change


def test_without_enforcement_the_chart_keeps_its_shape(client, world):
    own = world["practices"]["own"]
    InspectionFactory(practice=own, overall_rating="good", publication_date=D(2024, 3, 1), report_link_id="g")
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    html = client.get(reverse("practices:detail", args=[own.ods_code])).content.decode()
    svg = svg_of(html)
    assert "<polygon" not in svg and ">Enforcement</text>" not in svg
    assert 'viewBox="0 0 720 196"' in svg  # 130 + three legend lines of 22, as before enforcement existed
    assert "No CQC enforcement recorded. Add it from the inspection it follows" in html
