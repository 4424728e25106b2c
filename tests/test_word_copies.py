"""Word copies of the Diagnostic Report and the Forward Plan: content, escaping and the access policy."""

import io

import docx
import pytest
from django.urls import reverse

from forwardplans import services
from resilience.roles import Role

from .cases import advance
from .docs import ACTION_FIELDS

pytestmark = pytest.mark.django_db
R = Role


def text_of(response):
    document = docx.Document(io.BytesIO(response.content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    parts += [p.text for p in document.sections[0].header.paragraphs]
    return "\n".join(parts)


def test_report_word_copy_has_every_section_and_is_confidential(client, docs):
    users = docs["users"]
    advance(docs["contract"], "factual_accuracy_review", users)
    client.force_login(users[R.PRACTICE_LEAD])
    response = client.get(reverse("forwardplans:report_word", args=["DOC-1"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="diagnostic-report-DOC-1.docx"'
    text = text_of(response)
    for expected in ("CONFIDENTIAL", "Own Practice", "Founded 1974.", "Governance gaps.", "No practice manager",
                     "Areas of good practice", "With the practice for factual accuracy"):
        assert expected in text, expected


def test_plan_word_copy_has_actions_with_rag_words_and_keeps_free_text_as_text(client, docs):
    users = docs["users"]
    services.action_create(plan=docs["plan"], actor=users[R.RCGP_ADVISER],
                           **dict(ACTION_FIELDS, action_planned='=HYPERLINK("http://x") <w:t>injected</w:t>'))
    client.force_login(users[R.PRACTICE_USER])
    text = text_of(client.get(reverse("forwardplans:plan_word", args=["DOC-1"])))
    assert "Set up a monthly recall" in text and "Red" in text and "Searches built" in text
    assert '=HYPERLINK("http://x") <w:t>injected</w:t>' in text  # stored and shown as plain text


@pytest.mark.parametrize("role", [R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD, R.NHSE_REPORTING])
def test_word_copies_follow_the_consent_gate(client, docs, role):
    users = docs["users"]
    advance(docs["contract"], "factual_accuracy_review", users)
    client.force_login(users[role])
    urls = [reverse("forwardplans:report_word", args=["DOC-1"]), reverse("forwardplans:plan_word", args=["DOC-1"])]
    assert [client.get(url).status_code for url in urls] == [404, 404]
    advance(docs["contract"], "review_meeting", users)
    expected = 404 if role == R.NHSE_REPORTING else 200
    assert [client.get(url).status_code for url in urls] == [expected, expected]
