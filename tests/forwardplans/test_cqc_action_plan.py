"""The CQC action plan: the forward plan as the practice reports it to CQC, per regulation, on a page and as Word.
Each action is under every regulation it answers, regulations in CQC's order, with the inspection the plan answers
and the plan's version."""

import datetime
import io

import docx
import pytest
from django.urls import reverse

from core.roles import Role
from forwardplans import plan_versions, services
from forwardplans.selectors import NO_REGULATION, cqc_action_plan

from ..docs import ACTION_FIELDS
from ..factories import InspectionFactory

pytestmark = pytest.mark.django_db
R = Role
REG12, REG17 = "Regulation 12: Safe care and treatment", "Regulation 17: Good governance"


@pytest.fixture
def plan(docs):
    """DOC-1's plan: its first action ("Set up a monthly recall", safe) answers Regulation 12; then one answering
    17, one answering 12 and 17 (well-led, also safe), one named in the old free-text way, and one naming none."""
    adviser = docs["users"][R.RCGP_ADVISER]
    base = {k: v for k, v in ACTION_FIELDS.items() if k != "regulation"}
    for fields in (
        {"regulations": ["reg 17"], "key_question": "well_led", "action_planned": "Hold monthly governance meetings"},
        {"regulations": [REG17, "12"], "key_question": "well_led", "other_key_questions": ["safe"],
         "action_planned": "Appoint a governance lead"},
        {"regulation": "Regulation 12 Safe care and treatment", "key_question": "effective",
         "action_planned": "Audit the recall monthly"},
        {"regulations": [], "regulation_other": "GMS contract: opening hours", "key_question": "responsive",
         "action_planned": "Open on Wednesday afternoons"},
        {"regulations": [], "key_question": "caring", "action_planned": "Name a carers lead"},
    ):
        services.action_create(plan=docs["plan"], actor=adviser, **{**base, **fields})
    return docs["plan"]


def test_each_action_is_under_every_regulation_it_answers_in_cqc_order_then_by_key_question(plan):
    grouped = [(regulation, [a.action_planned for a in actions]) for regulation, actions in cqc_action_plan(plan)]
    assert grouped == [
        (REG12, ["Set up a monthly recall", "Audit the recall monthly", "Appoint a governance lead"]),
        (REG17, ["Hold monthly governance meetings", "Appoint a governance lead"]),
        ("GMS contract: opening hours", ["Open on Wednesday afternoons"]),
        (NO_REGULATION, ["Name a carers lead"]),
    ]


def test_the_page_and_its_word_copy_show_each_regulation_with_its_actions_the_inspection_and_the_version(
        client, docs, plan):
    inspection = InspectionFactory(practice=docs["contract"].practice, overall_rating="inadequate",
                                   inspection_date=datetime.date(2026, 2, 3),
                                   publication_date=datetime.date(2026, 3, 4),
                                   cqc_location_id="1-555000111", report_url="https://www.cqc.org.uk/location/1-555")
    services.plan_set_inspection(plan=plan, actor=docs["users"][R.RCGP_ADVISER], inspection=inspection,
                                 base_version=plan.version)
    plan_versions.plan_version_record(plan=plan, reason="sent_to_cqc", version=plan.version,
                                      actor=docs["users"][R.PRACTICE_LEAD])
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    html = client.get(reverse("forwardplans:cqc_action_plan", args=["DOC-1"])).content.decode()
    assert html.index(REG12) < html.index(REG17) < html.index("GMS contract: opening hours") < html.index(
        NO_REGULATION)
    assert html.count(">Appoint a governance lead</a>") == 2  # under 12 and under 17
    assert "Well-led, Safe" in html and "nhsuk-table--responsive" in html
    assert "published 4 March 2026" in html and "https://www.cqc.org.uk/location/1-555" in html
    assert "Version 1" in html and 'hx-get="/contracts/DOC-1/pdf/cqc_plan/panel/"' in html

    response = client.get(reverse("forwardplans:cqc_action_plan_word", args=["DOC-1"]))
    assert response["Content-Disposition"] == 'attachment; filename="cqc-action-plan-DOC-1-v1.docx"'
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [REG12, REG17, "GMS contract: opening hours", NO_REGULATION]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Version 1 · generated" in text
    assert ("Inspection published 4 March 2026 (inspected 3 February 2026): Inadequate · CQC location 1-555000111"
            in text)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    assert tables[0][0] == ["Key questions", "How the regulation was not met", "Underlying issue", "What we will do",
                            "Who leads", "Complete by", "Progress", "Evidence"]
    assert [row[3] for row in tables[0][1:]] == ["Set up a monthly recall", "Audit the recall monthly",
                                                 "Appoint a governance lead"]
    assert [row[3] for row in tables[1][1:]] == ["Hold monthly governance meetings", "Appoint a governance lead"]
    assert tables[0][1][0] == "Safe" and tables[0][1][5] == "31 December 2026" and tables[0][1][6] == "Red"
    assert tables[0][3][0] == "Well-led, Safe"


def test_a_copy_of_a_plan_without_a_kept_version_is_a_draft(client, docs, plan):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    response = client.get(reverse("forwardplans:cqc_action_plan_word", args=["DOC-1"]))
    revision = sum(plan.actions.values_list("version", flat=True))
    assert response["Content-Disposition"] == f'attachment; filename="cqc-action-plan-DOC-1-draft-r{revision}.docx"'
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert f"Draft, before version 1 (revision {revision})" in text
    assert "Inspection: none chosen for this plan." in text


def test_people_who_may_not_read_the_plan_get_404(client, docs, plan):
    client.force_login(docs["users"][R.COMMISSIONER_PEER_SUPPORT])  # no consent yet
    assert client.get(reverse("forwardplans:cqc_action_plan", args=["DOC-1"])).status_code == 404
    assert client.get(reverse("forwardplans:cqc_action_plan_word", args=["DOC-1"])).status_code == 404
    assert client.get(reverse("jobs:pdf", args=["DOC-1", "cqc_plan"])).status_code == 404
