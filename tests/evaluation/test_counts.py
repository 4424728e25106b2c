"""Counts by commissioner and financial year, against a data set whose numbers were worked out by hand, through the
selector, the page (and its downloads) and the API; each reader counts only what is theirs."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.roles import Role
from evaluation import selectors
from evaluation.models import CaseStudy, PracticeFeedback, Reflection
from forwardplans.models import QuestionnaireResponse
from forwardplans.questionnaire_services import questionnaire_issue_codes, questionnaire_open, questionnaire_submit
from forwardplans.vocabulary import CLOSURE_FEEDBACK_STATEMENTS, QUESTIONNAIRE_STATEMENTS
from tests.factories import user_for

from .factories import case_study, feedback, reflection

pytestmark = pytest.mark.django_db
R = Role
D = datetime.date

# By hand. OWN (01A): feedback 31/3/2026 (2025-26); reflections 31/3/2026 (2025-26) and 1/4/2026 (2026-27); staff
# responses 15/3/2026 and 15/4/2026 (one each year); case studies: 1/5/2025 diagnostic anonymised final (2025-26),
# 2/4/2026 diagnostic anonymised draft and workforce named final (2026-27). A diagnostic questionnaire's response is
# not counted. OTHER (02B): feedback 1/6/2026 and a coaching case study named draft on 1/6/2026 (2026-27).
EXPECTED = {
    ("01A", "2026-27"): {"feedback": 0, "staff_responses": 1, "reflections": 1, "drafts": 1, "finals": 1,
                         "named": 1, "anonymised": 1, "by_category": {"diagnostic": 1, "workforce": 1}},
    ("01A", "2025-26"): {"feedback": 1, "staff_responses": 1, "reflections": 1, "drafts": 0, "finals": 1,
                         "named": 0, "anonymised": 1, "by_category": {"diagnostic": 1}},
    ("02B", "2026-27"): {"feedback": 1, "staff_responses": 0, "reflections": 0, "drafts": 1, "finals": 0,
                         "named": 1, "anonymised": 0, "by_category": {"coaching": 1}},
}


def _dated(record, **dates):
    type(record).objects.filter(pk=record.pk).update(**dates)


@pytest.fixture
def counted(world, closing):
    users, own, other = world["users"], closing["own"], closing["other"]
    _dated(feedback(own, users[R.PRACTICE_LEAD]), given_on=D(2026, 3, 31))
    _dated(reflection(own, users[R.RCGP_ADVISER]), written_on=D(2026, 3, 31))
    _dated(reflection(own, users[R.RCGP_DEPUTY_LEAD]), written_on=D(2026, 4, 1))
    _dated(case_study(own, users[R.COMMISSIONER_LEAD], status="final"), created_on=D(2025, 5, 1))
    _dated(case_study(own, users[R.RCGP_DEPUTY_LEAD]), created_on=D(2026, 4, 2))
    _dated(case_study(own, users[R.RCGP_ADVISER], naming="named", status="final", support_category="workforce"),
           created_on=D(2026, 4, 2))
    staff = questionnaire_open(contract=own, actor=users[R.RCGP_ADVISER], purpose="closure_feedback")
    for code, day in zip(questionnaire_issue_codes(questionnaire=staff, count=2, actor=users[R.PRACTICE_LEAD]),
                         (D(2026, 3, 15), D(2026, 4, 15)), strict=True):
        response = questionnaire_submit(token=code, answers={k: 4 for k, _s in CLOSURE_FEEDBACK_STATEMENTS})
        _dated(response, received_on=day)
    _dated(feedback(other, closing["other_practice_lead"]), given_on=D(2026, 6, 1))
    _dated(case_study(other, closing["other_lead"], naming="named", support_category="coaching"),
           created_on=D(2026, 6, 1))
    return closing


def _as_dict(rows):
    return {(r.commissioner.ods_code, r.financial_year): {
        "feedback": r.feedback, "staff_responses": r.staff_responses, "reflections": r.reflections, "drafts": r.drafts,
        "finals": r.finals, "named": r.named, "anonymised": r.anonymised, "by_category": r.by_category}
        for r in rows}


@pytest.mark.parametrize("role", [R.RCGP_ADMIN, R.NHSE_REPORTING])
def test_rcgp_admin_and_nhse_count_every_commissioner(world, counted, role, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        rows = selectors.counts_by_commissioner_and_year(world["users"][role])
    assert _as_dict(rows) == EXPECTED
    assert [(r.commissioner.ods_code, r.financial_year) for r in rows][-1] == ("01A", "2025-26")  # newest first


@pytest.mark.parametrize("role", [R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT])
def test_a_commissioner_counts_its_own(world, counted, role):
    rows = _as_dict(selectors.counts_by_commissioner_and_year(world["users"][role]))
    assert rows == {key: value for key, value in EXPECTED.items() if key[0] == "01A"}
    assert _as_dict(selectors.counts_by_commissioner_and_year(counted["other_lead"])) == {
        ("02B", "2026-27"): EXPECTED[("02B", "2026-27")]}


def test_an_icb_counts_its_sub_icb_locations(world, counted):
    from tests.factories import CommissionerFactory

    icb = CommissionerFactory(ods_code="QOP", kind="icb")
    world["own"].parent = icb
    world["own"].save(update_fields=["parent"])
    rows = _as_dict(selectors.counts_by_commissioner_and_year(user_for(R.COMMISSIONER_LEAD, commissioner=icb)))
    assert set(rows) == {("01A", "2026-27"), ("01A", "2025-26")}


def test_a_diagnostic_questionnaires_answers_are_not_counted(world, counted):
    users = world["users"]
    diagnostic = questionnaire_open(contract=counted["other"], actor=users[R.RCGP_ADMIN])
    code = questionnaire_issue_codes(questionnaire=diagnostic, count=1, actor=counted["other_practice_lead"])[0]
    questionnaire_submit(token=code, answers={k: 3 for k, _s in QUESTIONNAIRE_STATEMENTS})
    assert QuestionnaireResponse.objects.count() == 3
    assert _as_dict(selectors.counts_by_commissioner_and_year(users[R.RCGP_ADMIN])) == EXPECTED


def test_the_counts_page_and_its_downloads(client, world, counted, django_assert_max_num_queries):
    client.force_login(world["users"][R.NHSE_REPORTING])
    url = reverse("evaluation:counts")
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2025-26" in html and "1 draft, 1 final; 1 named, 1 anonymised" in html
    assert "Own Practice" not in html and "Other Practice" not in html  # counts only
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:10] == ["Commissioner", "ODS code", "Financial year", "Practice feedback", "Staff responses",
                           "Reflections", "Case studies: draft", "Case studies: final", "Case studies: named",
                           "Case studies: anonymised"]
    own_2025 = next(row for row in body if row[1] == "01A" and row[2] == "2025-26")
    assert own_2025[3:10] == ["1", "1", "1", "0", "1", "0", "1"]
    assert own_2025[header.index("Case studies: Diagnostic services")] == "1"
    workbook = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    sheet = workbook.active
    assert sheet.max_row == 4 and sheet.cell(1, 1).value == "Commissioner"


def test_the_counts_api(client, world, counted):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    data = client.get(reverse("api:case-study-counts")).json()
    assert [(row["commissioner"], row["financial_year"]) for row in data] == [("01A", "2026-27"), ("01A", "2025-26")]
    assert data[1]["practice_feedback"] == 1 and data[1]["staff_responses"] == 1
    assert data[0]["case_studies_by_category"]["workforce"] == 1 and data[0]["case_studies_by_category"]["other"] == 0
    exported = client.get(reverse("api:case-study-counts") + "?format=csv")
    assert exported.status_code == 200 and b"case_studies_by_category.workforce" in exported.content


@pytest.mark.parametrize("role", [R.PRACTICE_LEAD, R.PRACTICE_USER, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER])
def test_nobody_else_sees_the_counts(client, world, counted, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("evaluation:counts")).status_code == 404
    assert client.get(reverse("api:case-study-counts")).status_code == 403


def test_records_keep_their_dates(counted):
    assert PracticeFeedback.objects.count() == 2 and Reflection.objects.count() == 2 and CaseStudy.objects.count() == 4
