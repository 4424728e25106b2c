"""The CQC action plan: the forward plan as the practice reports it to CQC, per regulation, on a page and as Word."""

import io

import docx
import pytest
from django.urls import reverse

from core.roles import Role
from forwardplans import services
from forwardplans.selectors import NO_REGULATION, cqc_action_plan

from ..docs import ACTION_FIELDS

pytestmark = pytest.mark.django_db
R = Role


@pytest.fixture
def plan(docs):
    """DOC-1's plan: its first action answers Regulation 12; three more answer 17, 12 (in "well-led") and none."""
    adviser = docs["users"][R.RCGP_ADVISER]
    for regulation, key_question, text in (
        ("Regulation 17:  Good governance", "well_led", "Hold monthly governance meetings"),
        ("Regulation 12 Safe care and treatment", "well_led", "Audit the recall monthly"),
        ("", "caring", "Name a carers lead"),
    ):
        services.action_create(plan=docs["plan"], actor=adviser, **{
            **ACTION_FIELDS, "regulation": regulation, "key_question": key_question, "action_planned": text})
    return docs["plan"]


def test_actions_are_grouped_by_regulation_in_cqc_order_then_by_key_question(plan):
    grouped = [(regulation, [a.action_planned for a in actions]) for regulation, actions in cqc_action_plan(plan)]
    assert grouped == [
        ("Regulation 12 Safe care and treatment", ["Set up a monthly recall", "Audit the recall monthly"]),
        ("Regulation 17: Good governance", ["Hold monthly governance meetings"]),  # spaces tidied
        (NO_REGULATION, ["Name a carers lead"]),
    ]


def test_the_page_and_its_word_copy_show_each_regulation_with_its_actions(client, docs, plan):
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    html = client.get(reverse("forwardplans:cqc_action_plan", args=["DOC-1"])).content.decode()
    assert html.index("Regulation 12 Safe care and treatment") < html.index("Regulation 17: Good governance")
    assert "Hold monthly governance meetings" in html and 'nhsuk-table--responsive' in html

    response = client.get(reverse("forwardplans:cqc_action_plan_word", args=["DOC-1"]))
    assert response["Content-Disposition"] == 'attachment; filename="cqc-action-plan-DOC-1-draft.docx"'
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Regulation 12 Safe care and treatment", "Regulation 17: Good governance", NO_REGULATION]
    first = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert first[0] == ["Key question", "What was found", "What we will do", "Who leads", "Complete by", "Progress",
                        "Evidence"]
    assert [row[2] for row in first[1:]] == ["Set up a monthly recall", "Audit the recall monthly"]
    assert first[1][0] == "Safe" and first[1][4] == "31 December 2026" and first[1][5] == "Red"


def test_people_who_may_not_read_the_plan_get_404(client, docs, plan):
    client.force_login(docs["users"][R.COMMISSIONER_PEER_SUPPORT])  # no consent yet
    assert client.get(reverse("forwardplans:cqc_action_plan", args=["DOC-1"])).status_code == 404
    assert client.get(reverse("forwardplans:cqc_action_plan_word", args=["DOC-1"])).status_code == 404
