"""Word copies of the Diagnostic Report and the Forward Plan: content, escaping and the access policy."""

import datetime
import io

import docx
import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.roles import Role
from forwardplans import pdf, services

from ..cases import advance
from ..docs import ACTION_FIELDS

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
    assert response["Content-Disposition"] == 'attachment; filename="diagnostic-report-DOC-1-v1.docx"'
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


# Every C0 control PostgreSQL can store (it refuses NUL, and so do the forms and the API).
EVERY_C0 = "".join(chr(code) for code in range(1, 32)) + "\x7f\u2028\ufffe"


@pytest.mark.parametrize("document", ["report", "plan"])
def test_word_and_pdf_copies_of_text_with_every_control_character(client, docs, document):
    """Text pasted from Word or e-mail carries control characters (a soft line break is \\x0b): the copies still
    open, with the text around them intact, even of a final report that can no longer be edited."""
    users = docs["users"]
    hostile = f"Before{EVERY_C0}after"
    advance(docs["contract"], "consent_decision", users)
    report = docs["contract"].diagnostic_report
    type(report).objects.filter(pk=report.pk).update(**{report.field_for("findings"): hostile})
    action = services.action_create(plan=docs["plan"], actor=users[R.RCGP_ADMIN],
                                    **dict(ACTION_FIELDS, action_planned=hostile, problem=hostile),
                                    milestones=[(hostile, datetime.date(2027, 1, 4))])
    assert action.action_planned == hostile  # kept as typed: each destination makes it safe for itself
    client.force_login(users[R.PRACTICE_LEAD])

    response = client.get(reverse(f"forwardplans:{document}_word", args=["DOC-1"]))
    assert response.status_code == 200
    text = text_of(response)
    assert "Before" in text and "after" in text
    assert not [c for c in text if (ord(c) < 32 and c not in "\t\n") or c in "\x0b\ufffe"]

    stored = pdf.request_pdf(contract=docs["contract"], document=document, user=users[R.PRACTICE_LEAD],
                             enqueue=False)
    data, _pages = pdf.write_pdf(pdf.html_for(stored))
    assert data.startswith(b"%PDF")
    pages = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\x00", "")
    assert "Before" in pages and "after" in pages
