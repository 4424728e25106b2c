"""The risk register (dashboards/risk_register.py): each practice's rank and reasons on a set worked out by hand, its
sub-ICB locations for an ICB, who sees contractual action (commissioner leads only), sort, filters, pagination,
the CSV and XLSX downloads, and a query count that stays flat as practices grow."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contractual.models import ContractualCase, Decision, Notice
from core.roles import Role
from forwardplans.models import Action, ConsentToShare, ForwardPlan, Milestone
from practices.models import Commissioner

from ..docs import ACTION_FIELDS
from ..factories import (
    CommissionerFactory,
    ContractFactory,
    InspectionFactory,
    PracticeFactory,
    ReferralFactory,
    user_for,
)

pytestmark = pytest.mark.django_db
R = Role
DAY = datetime.timedelta(days=1)
PAGE = reverse("dashboards:risk_register")
DOWNLOAD = reverse("dashboards:risk_register_download")


def _d(day):
    return day.strftime("%-d %B %Y")


def _rated(practice, rating, published, **key_questions):
    InspectionFactory(practice=practice, overall_rating=rating, publication_date=published,
                      inspection_date=published - 30 * DAY, report_link_id=f"{practice.ods_code}-{published}",
                      **key_questions)


def _plan(practice, *, red, shared, today, state="review_meeting"):
    """A live contract of ``practice`` whose plan has ``red`` Red actions, the first past its planned completion
    with one open milestone past due; shared with the commissioner when ``shared`` (consent given)."""
    contract = ContractFactory(practice=practice, state=state)
    if shared:
        ConsentToShare.objects.create(contract=contract, status="given")
    plan = ForwardPlan.objects.create(contract=contract)
    for n in range(red):
        action = Action.objects.create(plan=plan, **{**ACTION_FIELDS, "priority": n, "rag_status": "red",
                                                     "planned_completion": today - DAY if n == 0 else today + DAY})
        if n == 0:
            Milestone.objects.create(action=action, description="Step", due_on=today - DAY)
    return contract


def _notice(practice, lead, *, kind="remedial", dated_on, served_on=None, remedy_by=None, outcome="",
            case_state="decided"):
    case = ContractualCase.objects.create(practice=practice, commissioner=practice.commissioner, state=case_state,
                                          received_on=dated_on - 20 * DAY, source="cqc", summary="Unsafe storage.",
                                          opened_by=lead)
    decision = Decision.objects.create(case=case, kind=kind, decided_on=dated_on, decided_by=lead)
    return Notice.objects.create(case=case, decision=decision, kind=kind, terms_breached="Clause 8.1: safe care.",
                                 actions_required="Fix the fridge.", dated_on=dated_on, served_on=served_on,
                                 remedy_by=remedy_by, outcome=outcome)


@pytest.fixture
def register_set(world):
    """Worked out by hand, for the world's own commissioner (01A), beside its "Own" and "Sibling" practices, which
    have nothing against them:

    - Alder: rated Inadequate 7 months ago, so in special measures with its re-inspection overdue; an open remedial
      notice (served 10 days ago, remedy in 18 days), and two that no longer count (remedied; a closed case).
    - Birch: a plan shared with the commissioner, 2 Red actions (one overdue, with an overdue milestone); a
      referral whose assessment flagged leadership and vacancies.
    - Cedar: rated Requires improvement with Safe Inadequate 2 months ago (the six-month window); a live plan NOT
      shared (no consent) with 3 Red actions: nothing of it counts for the commissioner, all of it for RCGP admin.
    - Sibling: a breach notice dated 3 days ago, not yet served (open: it counts, though nothing else is against it).
    - Another commissioner's practice with a notice: in nobody's register here but RCGP admin's caseload (it has a
      live contract).
    """
    today = timezone.localdate()
    own, users = world["own"], world["users"]
    lead = users[R.COMMISSIONER_LEAD]
    alder = PracticeFactory(commissioner=own, name="Alder Practice")
    sm_published = today - relativedelta(months=7)
    _rated(alder, "inadequate", sm_published)
    _notice(alder, lead, dated_on=today - 12 * DAY, served_on=today - 10 * DAY, remedy_by=today + 18 * DAY)
    _notice(alder, lead, dated_on=today - 90 * DAY, served_on=today - 89 * DAY, remedy_by=today - 60 * DAY,
            outcome="remedied")
    _notice(alder, lead, kind="breach", dated_on=today - 40 * DAY, case_state="closed")
    birch = PracticeFactory(commissioner=own, name="Birch Practice")
    _plan(birch, red=2, shared=True, today=today)
    referral = ReferralFactory(practice=birch, received_on=datetime.date(2026, 3, 2),
                               criteria=["leadership", "vacancies"], status="assessed", assessed_by=lead,
                               assessed_at=timezone.now())
    cedar = PracticeFactory(commissioner=own, name="Cedar Practice")
    window_published = today - relativedelta(months=2)
    _rated(cedar, "requires_improvement", window_published, safe="inadequate")
    _plan(cedar, red=3, shared=False, today=today, state="report_drafting")
    _notice(world["practices"]["own_sibling"], lead, kind="breach", dated_on=today - 3 * DAY)
    other = world["practices"]["other"]
    _plan(other, red=0, shared=True, today=today)
    _notice(other, user_for(R.COMMISSIONER_LEAD, commissioner=world["other"]), dated_on=today - 5 * DAY,
            served_on=today - 5 * DAY, remedy_by=today + 30 * DAY)
    return {"today": today, "alder": alder, "birch": birch, "cedar": cedar, "referral": referral,
            "sm_published": sm_published, "sm_due": sm_published + relativedelta(months=6),
            "window_published": window_published, "window_due": window_published + relativedelta(months=6)}


def _rows(client, user, query=""):
    client.force_login(user)
    response = client.get(PAGE + query)
    assert response.status_code == 200
    return response, list(response.context["page"].object_list)


def _names(rows):
    return [row.practice.name for row in rows]


# Rows and reasons ------------------------------------------------------------------------------------------------

def test_a_commissioner_lead_sees_every_practice_ranked_with_its_reasons_notices_and_criteria(client, world,
                                                                                              register_set):
    s, today = register_set, register_set["today"]
    response, rows = _rows(client, world["users"][R.COMMISSIONER_LEAD])
    assert _names(rows) == ["Alder Practice", "Birch Practice", "Cedar Practice", "Own Practice",
                            "Sibling Practice"]
    assert [row.rank for row in rows] == [1, 2, 3, 4, 5]
    alder, birch, cedar, own, sibling = rows
    assert (alder.stage, alder.stage_since, alder.reinspection_due) == ("special_measures", s["sm_published"],
                                                                        s["sm_due"])
    assert alder.reasons == [f"In special measures since {_d(s['sm_published'])}",
                             f"Re-inspection overdue: it was due by {_d(s['sm_due'])}"]
    # One open notice: the remedied one and the closed case's are not open.
    assert alder.notice_texts == [f"Remedial notice served {_d(today - 10 * DAY)}: remedy by {_d(today + 18 * DAY)}"]
    assert alder.commissioner == "Commissioner 01A" and alder.rating == "inadequate"
    assert (birch.risk.red_actions, birch.risk.overdue_actions, birch.risk.overdue_milestones) == (2, 1, 1)
    assert birch.reasons == ["2 Red actions", "1 overdue action", "1 overdue milestone"]
    assert birch.criteria == ["Leadership or partner relationships",
                              "Vacancies, including long-term illness (and share of staff aged 55+)"]
    assert birch.referral_received_on == datetime.date(2026, 3, 2) and birch.notices == []
    # Cedar's plan is not shared: its 3 Reds count for nothing here.
    assert (cedar.risk.plans, cedar.risk.red_actions) == (0, 0)
    assert (cedar.stage, cedar.stage_since, cedar.reinspection_due) == ("window", s["window_published"],
                                                                        s["window_due"])
    assert cedar.reasons == ["Rated Requires improvement overall",
                             f"Six months to improve since {_d(s['window_published'])}: re-inspection due by "
                             f"{_d(s['window_due'])}"]
    assert (own.reasons, own.stage, own.notices, own.criteria) == ([], "none", [], [])
    assert sibling.notice_texts == [f"Breach notice dated {_d(today - 3 * DAY)}, not yet served"]
    assert sibling.reasons == []  # a notice has its own column: the ranking's reasons are practice_risk's
    html = response.content.decode()
    assert "Open contractual notices" in html and "Remedial notice served" in html
    assert "Leadership or partner relationships" in html and "Six months to improve" in html
    assert "Other Practice" not in html
    assert "Sub-ICB location" not in html  # one location: neither a column nor a filter


def test_peer_support_sees_the_same_register_without_any_contractual_action(client, world, register_set):
    response, rows = _rows(client, world["users"][R.COMMISSIONER_PEER_SUPPORT], "?notices=yes&sort=notices")
    # The notices filter and sort are not theirs: ignored, the register unfiltered and by risk.
    assert _names(rows) == ["Alder Practice", "Birch Practice", "Cedar Practice", "Own Practice",
                            "Sibling Practice"]
    assert all(row.notices is None and row.notice_texts == [] for row in rows)
    html = client.get(PAGE).content.decode()
    assert "notice" not in html.lower()
    assert "Leadership or partner relationships" in html  # the referral's criteria are the commissioner's
    csv = client.get(DOWNLOAD).content.decode("utf-8-sig")
    assert "notice" not in csv.lower() and "Alder Practice" in csv


def test_rcgp_admin_sees_the_caseload_with_every_plan_it_reads_and_no_contractual_action(client, world,
                                                                                         register_set):
    response, rows = _rows(client, world["users"][R.RCGP_ADMIN])
    # The practices of live contracts, wherever they are: Cedar first (3 Reds: RCGP reads the unshared plan).
    assert _names(rows) == ["Cedar Practice", "Birch Practice", "Other Practice"]
    assert rows[0].risk.red_actions == 3 and rows[0].notices is None
    assert response.context["form"].fields["commissioner"].label == "Commissioner"
    html = response.content.decode()
    assert "notice" not in html.lower()
    csv = client.get(DOWNLOAD + "?format=csv").content.decode("utf-8-sig")
    assert "notice" not in csv.lower() and "Cedar Practice" in csv


@pytest.mark.parametrize("role", [R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.PRACTICE_USER, R.PRACTICE_LEAD,
                                  R.NHSE_REPORTING])
def test_nobody_else_finds_the_register_or_its_download(client, world, register_set, role):
    client.force_login(world["users"][role])
    assert client.get(PAGE).status_code == 404
    assert client.get(DOWNLOAD + "?format=xlsx").status_code == 404
    assert "Risk register" not in client.get(reverse("home"), follow=True).content.decode()


def test_the_commissioner_home_and_navigation_link_to_it(client, world):
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    html = client.get(reverse("home")).content.decode()
    assert html.count(f'href="{PAGE}"') == 2  # the header's navigation and the practices table


# An ICB over its sub-ICB locations -------------------------------------------------------------------------------

def test_an_icb_user_sees_both_sub_icb_locations_and_filters_by_one(client):
    icb = CommissionerFactory(ods_code="QOP", name="NHS Greater Manchester ICB", kind=Commissioner.Kind.ICB)
    north = CommissionerFactory(ods_code="00Y", name="Oldham", parent=icb)
    south = CommissionerFactory(ods_code="01W", name="Stockport", parent=icb)
    elsewhere = CommissionerFactory(ods_code="99Z", name="Elsewhere")
    today = timezone.localdate()
    n1 = PracticeFactory(commissioner=north, name="North One")
    _rated(n1, "inadequate", today - relativedelta(months=1))
    PracticeFactory(commissioner=north, name="North Two")
    PracticeFactory(commissioner=south, name="South One")
    PracticeFactory(commissioner=elsewhere, name="Far Away")
    PracticeFactory(commissioner=south, name="South Closed", status="closed")  # the register is of active ones
    icb_lead = user_for(R.COMMISSIONER_LEAD, commissioner=icb)
    response, rows = _rows(client, icb_lead)
    assert _names(rows) == ["North One", "North Two", "South One"]
    assert [row.commissioner for row in rows] == ["Oldham (00Y)", "Oldham (00Y)", "Stockport (01W)"]
    field = response.context["form"].fields["commissioner"]
    assert field.label == "Sub-ICB location"
    assert field.choices == [("", "All (2)"), (north.pk, "Oldham (00Y)"), (south.pk, "Stockport (01W)")]
    assert response.content.decode().count("Sub-ICB location") >= 2  # the filter and the column
    _response, rows = _rows(client, icb_lead, f"?commissioner={south.pk}")
    assert _names(rows) == ["South One"] and rows[0].rank == 3  # its rank among all the ICB's practices
    # A sub-ICB location's own user sees its practices only, and no filter of one location.
    response, rows = _rows(client, user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=north))
    assert _names(rows) == ["North One", "North Two"]
    assert "commissioner" not in response.context["form"].fields


# Sort, filter, paginate ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "names"), [
    ("?sort=name", ["Alder Practice", "Birch Practice", "Cedar Practice", "Own Practice", "Sibling Practice"]),
    # Soonest re-inspection first (Alder's is overdue, Cedar's window ends in four months), then by risk.
    ("?sort=reinspection", ["Alder Practice", "Cedar Practice", "Birch Practice", "Own Practice",
                            "Sibling Practice"]),
    # Most open notices first (one each: Alder, then Sibling by risk), then by risk.
    ("?sort=notices", ["Alder Practice", "Sibling Practice", "Birch Practice", "Cedar Practice", "Own Practice"]),
    ("?rating=inadequate", ["Alder Practice"]),
    ("?rating=none", ["Birch Practice", "Own Practice", "Sibling Practice"]),
    ("?stage=window", ["Cedar Practice"]),
    ("?stage=special_measures", ["Alder Practice"]),
    ("?stage=none", ["Birch Practice", "Own Practice", "Sibling Practice"]),
    ("?notices=yes", ["Alder Practice", "Sibling Practice"]),
    ("?notices=no&sort=name", ["Birch Practice", "Cedar Practice", "Own Practice"]),
    ("?stage=none&sort=name&rating=none", ["Birch Practice", "Own Practice", "Sibling Practice"]),
])
def test_sort_and_filters(client, world, register_set, query, names):
    _response, rows = _rows(client, world["users"][R.COMMISSIONER_LEAD], query)
    assert _names(rows) == names


def test_sort_by_name_really_reorders(client, world, register_set):
    # Zulu is at risk (Red actions) so first by risk and last by name.
    PracticeFactory(commissioner=world["own"], name="Zulu Practice")
    zulu = world["own"].practices.get(name="Zulu Practice")
    _plan(zulu, red=5, shared=True, today=register_set["today"])
    lead = world["users"][R.COMMISSIONER_LEAD]
    assert _names(_rows(client, lead)[1])[1] == "Zulu Practice"
    assert _names(_rows(client, lead, "?sort=name")[1])[-1] == "Zulu Practice"


def test_a_filter_value_that_is_not_a_choice_is_reported_and_left_out(client, world, register_set):
    response, rows = _rows(client, world["users"][R.COMMISSIONER_LEAD], "?rating=awful&stage=window")
    assert _names(rows) == ["Cedar Practice"]
    assert "There is a problem" in response.content.decode()
    assert "rating" in response.context["form"].errors


def test_pages_of_25(client, world):
    for n in range(28):
        PracticeFactory(commissioner=world["own"], name=f"Practice {n:02d}")
    response, rows = _rows(client, world["users"][R.COMMISSIONER_LEAD], "?sort=name")
    assert len(rows) == 25 and response.context["page"].paginator.count == 30
    _response, rows = _rows(client, world["users"][R.COMMISSIONER_LEAD], "?sort=name&page=2")
    assert _names(rows) == ["Practice 24", "Practice 25", "Practice 26", "Practice 27", "Sibling Practice"]


# Downloads -------------------------------------------------------------------------------------------------------

def test_csv_download_keeps_the_filters_and_starts_with_a_byte_order_mark(client, world, register_set):
    today = register_set["today"]
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    response = client.get(DOWNLOAD + "?notices=yes&sort=name")
    assert response["Content-Disposition"] == 'attachment; filename="risk-register.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffRank,Practice,ODS code,Sub-ICB location,Current CQC rating,")
    lines = body.lstrip("\ufeff").strip().split("\r\n")
    assert len(lines) == 3  # the header, Alder and Sibling
    assert lines[1].startswith(f"1,Alder Practice,{register_set['alder'].ods_code},Commissioner 01A,"
                               f"Inadequate,In special measures,{register_set['sm_published'].isoformat()},")
    assert f"1,Remedial notice served {_d(today - 10 * DAY)}: remedy by {_d(today + 18 * DAY)}" in lines[1]
    assert lines[2].startswith("5,Sibling Practice,")
    assert f'1,"Breach notice dated {_d(today - 3 * DAY)}, not yet served"' in lines[2]


def test_xlsx_download_has_typed_cells_in_the_page_order(client, world, register_set):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    response = client.get(DOWNLOAD + "?format=xlsx&sort=name&stage=window")
    assert response["Content-Disposition"] == 'attachment; filename="risk-register.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    header = list(rows[0])
    assert header == ["Rank", "Practice", "ODS code", "Sub-ICB location", "Current CQC rating",
                      "Special-measures stage", "Stage since", "Re-inspection due", "Plans counted", "Red actions",
                      "Overdue actions", "Overdue milestones", "Open contractual notices", "Notices",
                      "Referral criteria flagged", "Why it needs attention"]
    assert len(rows) == 2
    cedar = dict(zip(header, rows[1], strict=True))
    assert cedar["Rank"] == 3 and cedar["Practice"] == "Cedar Practice"
    assert cedar["Current CQC rating"] == "Requires improvement"
    assert cedar["Special-measures stage"] == "Six months to improve"
    assert cedar["Stage since"].date() == register_set["window_published"]  # a date cell, not text
    assert cedar["Re-inspection due"].date() == register_set["window_due"]
    # The unshared plan counts nothing.
    assert (cedar["Plans counted"], cedar["Red actions"], cedar["Open contractual notices"]) == (0, 0, 0)
    assert cedar["Why it needs attention"].startswith("Rated Requires improvement overall; Six months to improve")
    # Whole register, by name, for XLSX too: every practice, not a page.
    all_rows = list(load_workbook(io.BytesIO(client.get(DOWNLOAD + "?format=xlsx&sort=name").content)).active
                    .values)
    assert [r[1] for r in all_rows[1:]] == ["Alder Practice", "Birch Practice", "Cedar Practice", "Own Practice",
                                           "Sibling Practice"]


def test_peer_support_download_has_no_notice_columns(client, world, register_set):
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    header = list(load_workbook(io.BytesIO(client.get(DOWNLOAD + "?format=xlsx").content)).active.values)[0]
    assert "Open contractual notices" not in header and "Notices" not in header
    assert header[-2:] == ("Referral criteria flagged", "Why it needs attention")


# Queries ---------------------------------------------------------------------------------------------------------

def _grow(world, lead, today, n):
    for k in range(n):
        practice = PracticeFactory(commissioner=world["own"])
        _rated(practice, ["inadequate", "requires_improvement"][k % 2], today - relativedelta(months=2 + k % 6),
               safe="inadequate")
        _plan(practice, red=2, shared=k % 2 == 0, today=today)
        _notice(practice, lead, dated_on=today - 3 * DAY, served_on=today - 2 * DAY, remedy_by=today + 40 * DAY)
        ReferralFactory(practice=practice, criteria=["qof_low"], status="assessed", assessed_at=timezone.now())


# practice_risk's 3; the practices' commissioners, the open windows and the referrals' criteria (3); the session and
# the user (2); a commissioner lead's open notices (1); a page's header counts unread notifications (1).
@pytest.mark.parametrize(("path", "role", "budget"), [
    (PAGE, R.COMMISSIONER_LEAD, 10), (PAGE, R.COMMISSIONER_PEER_SUPPORT, 9), (PAGE, R.RCGP_ADMIN, 9),
    (DOWNLOAD + "?format=xlsx", R.COMMISSIONER_LEAD, 9)])
def test_a_fixed_number_of_queries_as_practices_grow(client, world, django_assert_max_num_queries, path, role,
                                                     budget):
    today = timezone.localdate()
    lead = world["users"][R.COMMISSIONER_LEAD]
    client.force_login(world["users"][role])
    counts = []
    for n in (3, 6):
        _grow(world, lead, today, n)
        client.get(path)  # warm-up: the session
        with django_assert_max_num_queries(budget) as captured:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{path} as {role}: {counts[0]} queries, then {counts[1]} with more practices"
    if path == PAGE and role != R.RCGP_ADMIN:
        assert response.context["page"].paginator.count == 2 + 3 + 6  # the world's two and every one grown


def test_no_copy_is_kept_by_browsers_or_proxies(client, world):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    for path in (PAGE, DOWNLOAD + "?format=csv", DOWNLOAD + "?format=xlsx"):
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in (PAGE, DOWNLOAD):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_header_link_costs_no_query(world, django_assert_num_queries):
    from django.test import RequestFactory

    from dashboards.navigation import navigation_for

    for role, shown in ((R.COMMISSIONER_PEER_SUPPORT, True), (R.RCGP_ADMIN, True), (R.RCGP_DEPUTY_LEAD, False),
                        (R.NHSE_REPORTING, False), (R.PRACTICE_LEAD, False)):
        request = RequestFactory().get(PAGE)
        request.user = world["users"][role]
        with django_assert_num_queries(1):  # the unread notifications' count, as before
            items = navigation_for(request)
        link = {"text": "Risk register", "href": PAGE, "active": True}
        assert (link in items) is shown, role
