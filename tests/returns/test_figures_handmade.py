"""Allocation, commitment, spend, forecast and target status against a data set worked out by hand: two regions,
the 2025-26 financial year and its three default deadlines (5 October 2025, 8 January 2026, 5 April 2026, each at
17:00 London). Checked through the service (target_board), the board page and the API.

The records
-----------
North West (Y62), allocation £100,000 (the region's own):
  A  Own Practice      value £60,000, commissioned 1 May 2025, MoU signed 1 June 2025
     paid £30,000 on 1 Aug 2025, £20,000 on 1 Dec 2025, £10,000 on 1 Mar 2026
  B  Sibling Practice  value £40,000, commissioned 1 Jul 2025, MoU signed 15 Sep 2025
     paid £30,000 on 15 Nov 2025, £10,000 on 1 Feb 2026
  final case studies: 1 Oct, 15 Oct, 1 Nov, 1 Dec 2025 (4), then 1, 5, 10, 15, 20, 25 Feb 2026 (10); one draft
North East and Yorkshire (Y63), allocation £50,000:
  C  Other Practice    value £30,000, commissioned 10 May 2025, MoU signed 10 Jun 2025
     paid £25,000 on 1 Sep 2025, £5,000 on 1 Dec 2025; refund of £2,000 made on 10 Feb 2026
  D  Far Practice      value £20,000, commissioned 1 Aug 2025, NO MoU signed
  final case studies: 20 Oct, 20 Nov 2025, 1 Mar 2026; one draft
E, commissioned and signed in 2024-25 with a payment on 31 March 2025 (the year before), counts nowhere here.

Worked by hand (forecast = spent + the unpaid balance of the year's signed agreements of running contracts)
------------------------------------------------------------------------------------------------------------
Deadline 1, 5 Oct 2025 (figures to 5 Oct): target 100% committed, every MoU agreed
  NW : committed 100,000 (100%)  spent 30,000  forecast 30,000+30,000+40,000 = 100,000  supported 2  MoUs missing 0
       case studies 1 (no target yet)
       -> committed Met, MoUs Met
  NEY: committed  30,000 (60%)   spent 25,000  forecast 25,000+5,000 = 30,000          supported 2  MoUs missing 1
       -> committed Missed, MoUs Missed
  England (150,000): committed 130,000 = 86.7% -> 87% Missed
Deadline 2, 8 Jan 2026 (figures to 8 Jan): 75% spent, 4 case studies
  NW : spent 30,000+20,000+30,000 = 80,000 (80%), forecast 80,000+10,000+10,000 = 100,000, case studies 4
       -> spent Met, case studies Met                                  (the region that meets January's target)
  NEY: spent 30,000 (60% < 75%), forecast 30,000, case studies 2
       -> spent Missed, case studies Missed                            (the region that misses it)
  England: spent 110,000 = 73.3% -> 73% Missed
Deadline 3, 5 Apr 2026 (figures to 31 Mar, the year's end): 100% spent, 10 case studies
  NW : spent 100,000 (100%), forecast 100,000, case studies 10 -> Met, Met
  NEY: spent 30,000 - 2,000 = 28,000 (56%), forecast 28,000 + (30,000-28,000) = 30,000, case studies 3
       -> Missed, Missed
  England: spent 128,000 = 85.3% -> 85% Missed

Judged on 1 December 2025 at 12:00 (deadline 1 passed; 2 and 3 ahead):
  deadline 2: NW spent 80,000 (80%) already reaches 75% -> On track; case studies 4 -> On track
              NEY spent 30,000 (60%); at the year's pace 60 x 282.7 days / 244.5 days = 69% < 75 -> At risk;
              case studies 2, at pace 2.3 < 4 -> At risk
  deadline 3: NW 80% at pace 80 x 369.7 / 244.5 = 121% >= 100 -> On track (on pace, not yet reached)
              NEY 60% at pace 91% < 100 -> At risk
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from contracts.models import Payment
from core.roles import Role
from returns import selectors
from returns.allocation_services import allocation_set
from returns.figures import figures_by_region
from returns.targets import LONDON, target_board
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
AFTER = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=LONDON)
DECEMBER = datetime.datetime(2025, 12, 1, 12, 0, tzinfo=LONDON)

EXPECTED = {  # deadline: {region: (allocated, committed, spent, forecast, supported, mous missing, case studies)}
    1: {"Y62": (100000, 100000, 30000, 100000, 2, 0, 1), "Y63": (50000, 30000, 25000, 30000, 2, 1, 0)},
    2: {"Y62": (100000, 100000, 80000, 100000, 2, 0, 4), "Y63": (50000, 30000, 30000, 30000, 2, 1, 2)},
    3: {"Y62": (100000, 100000, 100000, 100000, 2, 0, 10), "Y63": (50000, 30000, 28000, 30000, 2, 1, 3)},
}
STATUSES = {  # deadline: {region: {measure: status}}, judged after the year
    1: {"Y62": {"committed": "met", "mous": "met"}, "Y63": {"committed": "missed", "mous": "missed"}},
    2: {"Y62": {"spent": "met", "case_studies": "met"}, "Y63": {"spent": "missed", "case_studies": "missed"}},
    3: {"Y62": {"spent": "met", "case_studies": "met"}, "Y63": {"spent": "missed", "case_studies": "missed"}},
}
ENGLAND = {1: ("committed", 87, "missed"), 2: ("spent", 73, "missed"), 3: ("spent", 85, "missed")}
IN_DECEMBER = {2: {"Y62": {"spent": "on_track", "case_studies": "on_track"},
                   "Y63": {"spent": "at_risk", "case_studies": "at_risk"}},
               3: {"Y62": {"spent": "on_track"}, "Y63": {"spent": "at_risk"}}}


def _pay(contract, amount, day, kind=Payment.Kind.INVOICE):
    Payment.objects.create(contract=contract, funder="nhse", kind=kind, amount=D(amount), invoiced_on=day,
                           paid_on=day)


def _case_study(contract, day, status="final"):
    apps.get_model("evaluation", "CaseStudy").objects.create(
        contract=contract, support_category="diagnostic", naming="anonymised", title="A turn-round",
        summary="Summary.", what_worked="Calls.", what_did_not="Nothing.", status=status, created_on=day)


@pytest.fixture
def records(world):
    day = datetime.date
    nhse = world["users"][Role.NHSE_REPORTING]
    allocation_set(financial_year=2025, region="Y62", amount=D("100000"), base_version=0, actor=nhse)
    allocation_set(financial_year=2025, region="Y63", amount=D("50000"), base_version=0, actor=nhse)
    p = world["practices"]
    a = ContractFactory(practice=p["own"], value=D("60000"), commissioned_on=day(2025, 5, 1),
                        mou_signed_on=day(2025, 6, 1))
    b = ContractFactory(practice=p["own_sibling"], value=D("40000"), commissioned_on=day(2025, 7, 1),
                        mou_signed_on=day(2025, 9, 15))
    c = ContractFactory(practice=p["other"], value=D("30000"), commissioned_on=day(2025, 5, 10),
                        mou_signed_on=day(2025, 6, 10))
    d = ContractFactory(practice=p["other_sibling"], value=D("20000"), commissioned_on=day(2025, 8, 1))
    _pay(a, "30000", day(2025, 8, 1))
    _pay(a, "20000", day(2025, 12, 1))
    _pay(a, "10000", day(2026, 3, 1))
    _pay(b, "30000", day(2025, 11, 15))
    _pay(b, "10000", day(2026, 2, 1))
    e = ContractFactory(practice=p["own"], value=D("5000"), commissioned_on=day(2024, 6, 1),
                        mou_signed_on=day(2024, 7, 1))
    _pay(e, "999", day(2025, 3, 31))  # the year before: counts nowhere here
    _pay(c, "25000", day(2025, 9, 1))
    _pay(c, "5000", day(2025, 12, 1))
    _pay(c, "2000", day(2026, 2, 10), kind=Payment.Kind.REFUND)
    for when in (day(2025, 10, 1), day(2025, 10, 15), day(2025, 11, 1), day(2025, 12, 1),
                 *(day(2026, 2, n) for n in (1, 5, 10, 15, 20, 25))):
        _case_study(a if when.day % 2 else b, when)
    _case_study(a, day(2025, 12, 2), status="draft")
    for when in (day(2025, 10, 20), day(2025, 11, 20), day(2026, 3, 1)):
        _case_study(c, when)
    _case_study(d, day(2025, 12, 2), status="draft")
    return {"a": a, "b": b, "c": c, "d": d}


def _figures(row):
    f = row["figures"]
    return (f.allocated, f.committed, f.spent, f.forecast, f.supported, f.mous_missing, f.case_studies)


def _by_region(item):
    return {row["figures"].key: row for row in item["regions"]}


def test_the_service_matches_the_hand_worked_figures_and_statuses(world, records):
    from contracts.access import contracts_for

    board = target_board(contracts_for(world["users"][Role.NHSE_REPORTING]), year=2025, now=AFTER)
    assert [item["deadline"].due_at for item in board] == [
        datetime.datetime(2025, 10, 5, 17, tzinfo=LONDON), datetime.datetime(2026, 1, 8, 17, tzinfo=LONDON),
        datetime.datetime(2026, 4, 5, 17, tzinfo=LONDON)]
    for item in board:
        number, regions = item["deadline"].number, _by_region(item)
        for code, expected in EXPECTED[number].items():
            assert _figures(regions[code]) == tuple(D(v) if i < 4 else v for i, v in enumerate(expected)), (number,
                                                                                                            code)
            assert {t.measure: t.status for t in regions[code]["targets"]} == STATUSES[number][code]
        measure, value, status = ENGLAND[number]
        england = {t.measure: t for t in item["england"]["targets"]}
        assert (england[measure].value, england[measure].status) == (value, status)
        assert item["england"]["figures"].allocated == D("150000")
        assert "" not in regions  # every contract's region is known


def test_on_track_and_at_risk_before_a_deadline(world, records):
    from contracts.access import contracts_for

    board = target_board(contracts_for(world["users"][Role.NHSE_REPORTING]), year=2025, now=DECEMBER)
    assert [item["passed"] for item in board] == [True, False, False]
    assert {t.measure: t.status for t in _by_region(board[0])["Y63"]["targets"]} == STATUSES[1]["Y63"]
    for number, regions in IN_DECEMBER.items():
        by_region = _by_region(board[number - 1])
        for code, statuses in regions.items():
            got = {t.measure: t.status for t in by_region[code]["targets"]}
            assert {m: got[m] for m in statuses} == statuses, (number, code)
    # December's figures, as of 1 December: NW 80,000 spent, NEY 30,000.
    assert _by_region(board[1])["Y62"]["figures"].spent == D("80000")
    assert _by_region(board[1])["Y63"]["figures"].spent == D("30000")


def test_a_regional_team_sees_its_own_region_only(world, records):
    from contracts.access import contracts_for

    user = world["users"][Role.NHSE_REGIONAL]
    rows, _total = figures_by_region(contracts_for(user), year=2025, regions=["Y62"])
    assert [(r.key, r.spent) for r in rows] == [("Y62", D("100000"))]


def _row(html, number, key):
    match = re.search(rf'<tr class="nhsuk-table__row" id="deadline-{number}-{key}">(.*?)</tr>', html, re.S)
    assert match, (number, key)
    return match.group(1)


LABELS = {"met": "Met", "missed": "Missed", "on_track": "On track", "at_risk": "At risk"}
TAG = {"met": "green", "missed": "red", "on_track": "green", "at_risk": "yellow"}


@pytest.mark.parametrize("moment, statuses", [(AFTER, STATUSES), (DECEMBER, IN_DECEMBER)])
def test_the_board_page_shows_the_hand_worked_figures(client, world, records, monkeypatch, moment, statuses):
    monkeypatch.setattr(selectors, "now", lambda: moment)
    client.force_login(world["users"][Role.NHSE_REPORTING])
    html = client.get(reverse("returns:board") + "?financial_year=2025").content.decode()
    if moment is AFTER:
        for number, regions in EXPECTED.items():
            for code, (allocated, committed, spent, forecast, *_rest) in regions.items():
                row = _row(html, number, code)
                for amount in (allocated, committed, spent, forecast):
                    assert f"£{amount:,.2f}" in row
        assert "England" in _row(html, 1, "england")
    for number, regions in statuses.items():
        for code, measures in regions.items():
            row = _row(html, number, code)
            for measure, status in measures.items():
                assert re.search(rf'data-measure="{measure}">[^<]*<strong class="nhsuk-tag nhsuk-tag--{TAG[status]}">'
                                 rf'{LABELS[status]}</strong>', row), (number, code, measure)


def test_the_board_page_for_the_regional_team_shows_its_region_only(client, world, records, monkeypatch):
    monkeypatch.setattr(selectors, "now", lambda: AFTER)
    client.force_login(world["users"][Role.NHSE_REGIONAL])
    html = client.get(reverse("returns:board") + "?financial_year=2025").content.decode()
    assert "£80,000.00" in _row(html, 2, "Y62")
    assert 'id="deadline-2-Y63"' not in html and 'id="deadline-2-england"' not in html


def test_the_api_gives_the_hand_worked_figures_and_statuses(client, world, records, monkeypatch):
    monkeypatch.setattr(selectors, "now", lambda: AFTER)
    client.force_login(world["users"][Role.NHSE_REPORTING])
    figures = client.get("/api/v1/returns/figures/?financial_year=2025").json()
    by_key = {row["key"]: row for row in figures}
    assert (by_key["Y62"]["allocated"], by_key["Y62"]["committed"], by_key["Y62"]["spent"]) == (100000, 100000,
                                                                                                100000)
    assert (by_key["Y63"]["spent"], by_key["Y63"]["forecast"], by_key["Y63"]["mous_missing"]) == (28000, 30000, 1)
    assert by_key["england"]["allocated"] == 150000
    targets = client.get("/api/v1/returns/targets/?financial_year=2025").json()
    got = {(row["deadline"], row["region"], row["measure"]): row["status"] for row in targets}
    for number, regions in STATUSES.items():
        for code, measures in regions.items():
            for measure, status in measures.items():
                assert got[(number, code, measure)] == status
    assert got[(2, "england", "spent")] == "missed"
    january = next(r for r in targets if (r["deadline"], r["region"], r["measure"]) == (2, "Y63", "spent"))
    assert (january["value"], january["target"]) == (60, "75% spent")
