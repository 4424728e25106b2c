import csv
import datetime
import io
import itertools
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from contracts.access import contracts_for
from contracts.figures import HAS_OUTCOME, OUTCOME_CONDITIONS, percent, programme_figures
from contracts.imports import import_contracts
from contracts.models import Contract, outcome_of
from contracts.vocabulary import Closure
from core.roles import Role
from practices.ratings import Rating

from ..factories import CommissionerFactory, ContractFactory, PracticeFactory
from .test_contract_import import HANDMADE, handmade_practices

pytestmark = pytest.mark.django_db


def share(count, percent):
    return {"count": count, "percent": percent}


# Worked out by hand from tests/data/contracts_handmade.csv (see the notes column of each row).
#
# Special measures, rows 1-14, 31, 31A, 31B: 17 in all.
#   enquiry: 13, 14.  live: 12, 31B.  ended: the other 13.
#   ended by reason: early withdrawal 8; GP retired 9; other 10;
#     carried forward 1, 2, 3, 4, 5, 6, 7, 11, 31, 31A (10).
#   completed (carried forward with an outcome): 1, 2, 3, 4, 5, 6, 7, 31, 31A = 9; awaiting re-inspection: 11.
#   good 1, 2 (Outstanding), 31A = 3 -> 3/9 = 33.3%; RI exited 3, 31 (SM after empty) = 2 -> 22.2%;
#   RI in SM 4 -> 11.1%; inadequate in SM 5 -> 11.1%; emergency closure 6 (rated Inadequate, the closure
#   outranks it) -> 11.1%; closed with notice 7 -> 11.1%. Row 8 is rated Good but withdrew early: no outcome.
#   improved 3 + 2 = 5 -> 55.6%; in SM 1 + 1 = 2 -> 22.2%; closed 1 + 1 = 2 -> 22.2%.
SPECIAL_MEASURES_ALL = {
    "programme": "special_measures", "enquiries": 17, "supported": 15, "live": 2, "ended": 13,
    "ended_by_reason": {"early_withdrawal": 1, "gp_retired": 1, "other": 1, "carried_forward_for_reinspection": 10},
    "completed": 9, "awaiting_reinspection": 1,
    "outcomes": {
        "good": share(3, 33.3), "requires_improvement_exited_sm": share(2, 22.2),
        "requires_improvement_in_sm": share(1, 11.1), "inadequate_in_sm": share(1, 11.1),
        "emergency_closure": share(1, 11.1), "closed_with_notice": share(1, 11.1),
    },
    "subtotals": {"improved": share(5, 55.6), "in_special_measures": share(2, 22.2), "closed": share(2, 22.2)},
}

# Commissioner 01A (practices A1000x): rows 1, 2, 4, 6, 8, 10, 11, 12, 13 = 9.
#   enquiry 13; live 12; ended 1, 2, 4, 6, 8, 10, 11 = 7 (early withdrawal 8, other 10, carried forward 1, 2, 4, 6, 11).
#   completed 1, 2, 4, 6 = 4; awaiting 11. good 1, 2 -> 50.0%; RI in SM 4 -> 25.0%; emergency 6 -> 25.0%.
SPECIAL_MEASURES_01A = {
    "programme": "special_measures", "enquiries": 9, "supported": 8, "live": 1, "ended": 7,
    "ended_by_reason": {"early_withdrawal": 1, "gp_retired": 0, "other": 1, "carried_forward_for_reinspection": 5},
    "completed": 4, "awaiting_reinspection": 1,
    "outcomes": {
        "good": share(2, 50.0), "requires_improvement_exited_sm": share(0, 0.0),
        "requires_improvement_in_sm": share(1, 25.0), "inadequate_in_sm": share(0, 0.0),
        "emergency_closure": share(1, 25.0), "closed_with_notice": share(0, 0.0),
    },
    "subtotals": {"improved": share(2, 50.0), "in_special_measures": share(1, 25.0), "closed": share(1, 25.0)},
}

# Commissioned 2017-01-09 (row 4) to 2019-05-01 (row 31), both ends included: rows 4-11 and 31 = 9, all ended.
#   early withdrawal 8; GP retired 9; other 10; carried forward 4, 5, 6, 7, 11, 31 (6).
#   completed 4, 5, 6, 7, 31 = 5 (each 20.0%); awaiting 11.
#   RI exited 31; RI in SM 4; inadequate in SM 5; emergency 6; with notice 7.
SPECIAL_MEASURES_2017_TO_MAY_2019 = {
    "programme": "special_measures", "enquiries": 9, "supported": 9, "live": 0, "ended": 9,
    "ended_by_reason": {"early_withdrawal": 1, "gp_retired": 1, "other": 1, "carried_forward_for_reinspection": 6},
    "completed": 5, "awaiting_reinspection": 1,
    "outcomes": {
        "good": share(0, 0.0), "requires_improvement_exited_sm": share(1, 20.0),
        "requires_improvement_in_sm": share(1, 20.0), "inadequate_in_sm": share(1, 20.0),
        "emergency_closure": share(1, 20.0), "closed_with_notice": share(1, 20.0),
    },
    "subtotals": {"improved": share(1, 20.0), "in_special_measures": share(2, 40.0), "closed": share(2, 40.0)},
}

# Resilience, rows R1-R4: enquiry R3; live R2; ended R1 (other), R4 (carried forward, re-inspected Good).
RESILIENCE_ALL = {
    "programme": "resilience", "enquiries": 4, "supported": 3, "live": 1, "ended": 2,
    "ended_by_reason": {"early_withdrawal": 0, "gp_retired": 0, "other": 1, "carried_forward_for_reinspection": 1},
    "completed": 1, "awaiting_reinspection": 0,
    "outcomes": {
        "good": share(1, 100.0), "requires_improvement_exited_sm": share(0, 0.0),
        "requires_improvement_in_sm": share(0, 0.0), "inadequate_in_sm": share(0, 0.0),
        "emergency_closure": share(0, 0.0), "closed_with_notice": share(0, 0.0),
    },
    "subtotals": {"improved": share(1, 100.0), "in_special_measures": share(0, 0.0), "closed": share(0, 0.0)},
}

EMPTY_CQC_PREPARATION = {
    "programme": "cqc_preparation", "enquiries": 0, "supported": 0, "live": 0, "ended": 0,
    "ended_by_reason": {"early_withdrawal": 0, "gp_retired": 0, "other": 0, "carried_forward_for_reinspection": 0},
    "completed": 0, "awaiting_reinspection": 0,
    "outcomes": {name: share(0, 0.0) for name in (
        "good", "requires_improvement_exited_sm", "requires_improvement_in_sm", "inadequate_in_sm",
        "emergency_closure", "closed_with_notice")},
    "subtotals": {name: share(0, 0.0) for name in ("improved", "in_special_measures", "closed")},
}
KEYS = ["programme", "enquiries", "supported", "live", "ended", "ended_by_reason", "completed",
        "awaiting_reinspection", "outcomes", "subtotals"]


@pytest.fixture
def handmade(world):
    """The world fixture (commissioners 01A and 02B, a user per role) plus the hand-made contracts."""
    handmade_practices()
    import_contracts(HANDMADE)
    return world


def test_whole_programme(handmade):
    assert programme_figures(programme="special_measures") == SPECIAL_MEASURES_ALL
    assert programme_figures(programme="resilience") == RESILIENCE_ALL
    assert programme_figures(programme="cqc_preparation") == EMPTY_CQC_PREPARATION


def test_one_commissioner(handmade):
    assert programme_figures(programme="special_measures", commissioner=handmade["own"]) == SPECIAL_MEASURES_01A


def test_commissioned_date_range_is_inclusive(handmade):
    figures = programme_figures(programme="special_measures", date_from=datetime.date(2017, 1, 9),
                                date_to=datetime.date(2019, 5, 1))
    assert figures == SPECIAL_MEASURES_2017_TO_MAY_2019


def test_the_shape_and_key_order_are_the_published_json(handmade):
    figures = programme_figures(programme="special_measures")
    assert list(figures) == KEYS
    assert list(figures["ended_by_reason"]) == ["early_withdrawal", "gp_retired", "other",
                                                "carried_forward_for_reinspection"]
    assert list(figures["outcomes"]) == ["good", "requires_improvement_exited_sm", "requires_improvement_in_sm",
                                         "inadequate_in_sm", "emergency_closure", "closed_with_notice"]
    assert list(figures["subtotals"]) == ["improved", "in_special_measures", "closed"]
    assert json.loads(json.dumps(figures)) == SPECIAL_MEASURES_ALL


def test_figures_are_one_query(handmade, django_assert_num_queries):
    with django_assert_num_queries(1):
        programme_figures(programme="special_measures", commissioner=handmade["own"],
                          contracts=contracts_for(handmade["users"][Role.RCGP_ADMIN]))


def test_a_commissioner_includes_its_sub_icb_locations(handmade):
    child = CommissionerFactory(ods_code="01A01", parent=handmade["own"])
    ContractFactory(reference="900", practice=PracticeFactory(commissioner=child), state="scoping")
    figures = programme_figures(programme="special_measures", commissioner=handmade["own"])
    assert figures == dict(SPECIAL_MEASURES_01A, enquiries=10, supported=9, live=2)


def test_the_base_queryset_scopes_the_figures(handmade):
    lead = handmade["users"][Role.COMMISSIONER_LEAD]
    assert programme_figures(programme="special_measures", contracts=contracts_for(lead)) == SPECIAL_MEASURES_01A
    adviser = handmade["users"][Role.RCGP_ADVISER]
    assert programme_figures(programme="special_measures", contracts=contracts_for(adviser))["enquiries"] == 0


def test_workflow_states_count_as_live_or_ended(handmade):
    for reference, state in (("901", "lead_appointed"), ("902", "handed_over"), ("903", "declined_by_practice"),
                             ("904", "failed_to_engage")):
        ContractFactory(reference=reference, practice=handmade["practices"]["own"], state=state)
    figures = programme_figures(programme="special_measures", commissioner=handmade["own"])
    assert (figures["enquiries"], figures["live"], figures["ended"], figures["supported"]) == (13, 3, 9, 12)
    # Ended in the workflow without an end reason: counted as ended, under no reason, never completed.
    assert figures["ended_by_reason"] == SPECIAL_MEASURES_01A["ended_by_reason"]
    assert figures["completed"] == 4


def test_unknown_programme_is_refused(db):
    with pytest.raises(ValueError, match="'sm' is not a programme"):
        programme_figures(programme="sm")


@pytest.mark.parametrize(("count", "total", "expected"), [
    (0, 0, 0.0), (3, 9, 33.3), (5, 9, 55.6), (2, 3, 66.7), (1, 8, 12.5), (1, 16, 6.3), (9, 9, 100.0),
])
def test_percent_is_one_decimal_place_rounded_half_up(count, total, expected):
    assert percent(count, total) == expected


def test_outcome_conditions_agree_with_outcome_of_for_every_combination(world):
    """figures.OUTCOME_CONDITIONS restate models.outcome_of in SQL: both must classify every case alike."""
    practice = world["practices"]["own"]
    combinations = list(itertools.product([*Closure.values, ""], [*Rating.values, ""], [True, False, None]))
    contracts = [ContractFactory(practice=practice, closure=closure, rating_after=rating, in_special_measures_after=sm)
                 for closure, rating, sm in combinations]
    matched = {c.pk: [] for c in contracts}
    for outcome, condition in OUTCOME_CONDITIONS.items():
        for pk in Contract.objects.filter(condition).values_list("pk", flat=True):
            matched[pk].append(outcome)
    with_outcome = set(Contract.objects.filter(HAS_OUTCOME).values_list("pk", flat=True))
    without_outcome = set(Contract.objects.exclude(HAS_OUTCOME).values_list("pk", flat=True))
    for contract, (closure, rating, sm) in zip(contracts, combinations, strict=True):
        expected = outcome_of(closure, rating, sm)
        assert matched[contract.pk] == ([expected] if expected else []), (closure, rating, sm)
        assert (contract.pk in with_outcome) == (expected is not None), (closure, rating, sm)
        assert (contract.pk in without_outcome) == (expected is None), (closure, rating, sm)
    assert len(contracts) == 4 * 5 * 3


# The command ------------------------------------------------------------------------------------


# The hand-made contracts come with no special-measures offers (tests/contracts/test_enquiries.py counts those); the
# command and the API count them, so their figures end with zero offers.
NO_OFFERS = {"made": 0, "accepted": 0, "declined": 0, "no_reply": 0, "awaiting": 0, "take_up_percent": 0.0}


NO_ENQUIRY_OUTCOMES = {"made": 0, "accepted": 0, "declined": 0, "not_eligible": 0, "no_reply": 0, "awaiting": 0,
                       "take_up_percent": 0.0}


def with_offers(figures):
    """The figures of a data set without Enquiry records: no offers, and no take-up over any source."""
    return dict(figures, offers=NO_OFFERS, enquiry_outcomes=NO_ENQUIRY_OUTCOMES)


def figures_command(*args):
    out = io.StringIO()
    call_command("programme_figures", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_json(handmade):
    output = figures_command("--programme", "special_measures")
    assert json.loads(output) == with_offers(SPECIAL_MEASURES_ALL)
    assert list(json.loads(output)) == [*KEYS, "offers", "enquiry_outcomes"]
    assert output == json.dumps(with_offers(SPECIAL_MEASURES_ALL), indent=2) + "\n"
    assert json.loads(figures_command("--programme", "special_measures", "--commissioner", "01A")) \
        == with_offers(SPECIAL_MEASURES_01A)
    assert json.loads(figures_command("--programme", "special_measures", "--from", "2017-01-09", "--to",
                                      "2019-05-01")) == with_offers(SPECIAL_MEASURES_2017_TO_MAY_2019)
    assert json.loads(figures_command("--programme", "resilience")) == with_offers(RESILIENCE_ALL)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--programme", "specialmeasures"], "Unknown programme 'specialmeasures': use one of special_measures, "),
        (["--programme", "resilience", "--commissioner", "99Z"], "No commissioner with ODS code '99Z'"),
        (["--programme", "resilience", "--from", "2019-02-30"], r"--from '2019-02-30' is not a valid date \(YYYY"),
        (["--programme", "resilience", "--to", "01/02/2019"], r"--to '01/02/2019' is not a valid date"),
        (["--programme", "resilience", "--from", "2020-01-01", "--to", "2019-12-31"],
         "--from 2020-01-01 is after --to 2019-12-31"),
    ],
)
def test_command_refuses_bad_input(world, args, message):
    with pytest.raises(CommandError, match=message):
        figures_command(*args)


def test_command_needs_a_programme(db):
    with pytest.raises(CommandError, match="--programme"):
        figures_command()


# The reports page --------------------------------------------------------------------------------

URL = reverse("reports:programme_figures")


def page(client, world, role, params=None):
    client.force_login(world["users"][role])
    return client.get(URL, params or {})


def test_admin_sees_every_commissioner_and_can_filter(client, handmade):
    response = page(client, handmade, Role.RCGP_ADMIN)
    assert response.status_code == 200
    assert response.context["figures"] == with_offers(SPECIAL_MEASURES_ALL)
    html = response.content.decode()
    assert "Special measures support" in html
    assert 'id="id_commissioner"' in html and "All commissioners" in html
    assert page(client, handmade, Role.RCGP_ADMIN, {"commissioner": "01A"}).context["figures"] \
        == with_offers(SPECIAL_MEASURES_01A)
    assert page(client, handmade, Role.RCGP_ADMIN, {"date_from": "2017-01-09", "date_to": "2019-05-01"}) \
        .context["figures"] == with_offers(SPECIAL_MEASURES_2017_TO_MAY_2019)
    assert page(client, handmade, Role.RCGP_ADMIN, {"programme": "resilience"}).context["figures"] \
        == with_offers(RESILIENCE_ALL)


def test_page_shows_the_tables(client, handmade):
    html = page(client, handmade, Role.RCGP_ADMIN).content.decode()
    for table in ("activity-table", "outcomes-table", "subtotals-table"):
        assert f'id="{table}"' in html
    assert "Awaiting re-inspection" in html
    row = html[html.index('id="outcome-good"'):]
    row = row[:row.index("</tr>")]
    assert "Re-inspected Good (or Outstanding)" in row and ">3<" in row and "33.3%" in row
    row = html[html.index('id="subtotal-improved"'):]
    row = row[:row.index("</tr>")]
    assert ">5<" in row and "55.6%" in row
    row = html[html.index('id="ended-carried_forward_for_reinspection"'):]
    assert ">10<" in row[:row.index("</tr>")]


def test_commissioner_lead_sees_only_their_own_commissioner(client, handmade):
    response = page(client, handmade, Role.COMMISSIONER_LEAD)
    assert response.status_code == 200
    assert response.context["figures"] == with_offers(SPECIAL_MEASURES_01A)
    assert 'id="id_commissioner"' not in response.content.decode()
    # Another commissioner's new contract does not change their numbers, even when asked for by code...
    ContractFactory(reference="950", practice=handmade["practices"]["other"], state="closed",
                    end_reason="carried_forward_for_reinspection", rating_after="good")
    assert page(client, handmade, Role.COMMISSIONER_LEAD).context["figures"] == with_offers(SPECIAL_MEASURES_01A)
    assert page(client, handmade, Role.COMMISSIONER_LEAD, {"commissioner": "02B"}).context["figures"] \
        == with_offers(SPECIAL_MEASURES_01A)
    # ...while RCGP admin's do.
    assert page(client, handmade, Role.RCGP_ADMIN).context["figures"]["completed"] == 10
    # Their own commissioner's contract does.
    ContractFactory(reference="951", practice=handmade["practices"]["own"], state="scoping")
    assert page(client, handmade, Role.COMMISSIONER_LEAD).context["figures"]["live"] == 2


@pytest.mark.parametrize("role", sorted(set(Role.values) - {Role.RCGP_ADMIN, Role.COMMISSIONER_LEAD}))
def test_other_roles_get_404(client, handmade, role):
    assert page(client, handmade, role).status_code == 404


def test_anonymous_is_sent_to_login(client, handmade):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2019-02-30"}, "date_from", "Commissioned from must be a real date"),
        ({"date_from": "2020-01-01", "date_to": "2019-12-31"}, "date_to", "same as or after"),
        ({"programme": "nope"}, "programme", "Choose the programme from the list"),
        ({"commissioner": "99Z"}, "commissioner", "Choose the commissioner from the list"),
    ],
)
def test_bad_filters_show_an_error_summary_and_no_figures(client, handmade, params, field, message):
    response = page(client, handmade, Role.RCGP_ADMIN, params)
    assert response.status_code == 200
    assert response.context["figures"] is None
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert "There is a problem" in html and 'id="outcomes-table"' not in html


def download(client, world, role, params):
    client.force_login(world["users"][role])
    return client.get(URL, params)


def test_the_figures_download_as_csv_in_words_as_the_page_shows_them(client, handmade):
    page_html = page(client, handmade, Role.RCGP_ADMIN).content.decode()
    assert "format=csv" in page_html and "format=xlsx" in page_html  # the page links its downloads
    response = download(client, handmade, Role.RCGP_ADMIN, {"commissioner": "01A", "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="programme-figures-special-measures.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_measure = {(row["Table"], row["Measure"]): row for row in rows}
    assert by_measure[("Activity", "Enquiries")]["Count"] == "9"
    assert by_measure[("Activity", "Ended: Carried forward for re-inspection")]["Count"] == "5"
    good = by_measure[("Outcomes of completed support", "Re-inspected Good (or Outstanding)")]
    assert (good["Count"], good["Percent of completed"]) == ("2", "50.0")
    assert by_measure[("Subtotals", "Improved")]["Count"] == "2"
    assert {row["Programme"] for row in rows} == {"Special measures support"}
    assert {row["Scope"] for row in rows} == {"Commissioner 01A"}


def test_the_figures_download_as_typed_xlsx(client, handmade):
    response = download(client, handmade, Role.COMMISSIONER_LEAD,
                        {"date_from": "2017-01-09", "date_to": "2019-05-01", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in next(sheet.iter_rows())]
    rows = [dict(zip(header, line, strict=True)) for line in sheet.iter_rows(min_row=2)]
    enquiries = next(row for row in rows if row["Measure"].value == "Enquiries")
    assert enquiries["Count"].data_type == "n" and isinstance(enquiries["Count"].value, int)
    assert enquiries["Commissioned from"].is_date
    assert enquiries["Commissioned from"].value == datetime.datetime(2017, 1, 9)
    assert enquiries["Scope"].value == "Commissioner 01A"  # a commissioner lead's own commissioner
    share = next(row for row in rows if row["Table"].value == "Subtotals")
    assert share["Percent of completed"].data_type == "n"  # a number (0.0 reads back as 0)


@pytest.mark.parametrize("role", sorted(set(Role.values) - {Role.RCGP_ADMIN, Role.COMMISSIONER_LEAD}))
def test_the_figures_download_is_404_for_roles_without_the_page(client, handmade, role):
    assert download(client, handmade, role, {"format": "csv"}).status_code == 404
