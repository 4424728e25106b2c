"""Errors on the action page's panels and the action form, in the NHS pattern: an error summary linking to each
field, the message on the field it is about, what was typed and chosen kept (in place with htmx, and as a page
without JavaScript)."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from core.roles import Role as R
from forwardplans.models import Milestone, ProgressEntry, RagChange

pytestmark = pytest.mark.django_db


def summary_links(html):
    """(href, text) of each link of the error summary."""
    summary = html[html.index('class="nhsuk-error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    return [(href, " ".join(text.split())) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary,
                                                                         re.S)]


def field_error(html, control_id):
    """The error message shown on a field (the design system's id: <control>-error), or None."""
    found = re.search(rf'id="{re.escape(control_id)}-error"[^>]*>(.*?)</span>\s*</?', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).replace("Error:", "").split()) if found else None


def ids_used_twice(html):
    return [name for name, count in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if count > 1]


@pytest.mark.parametrize("htmx", [True, False], ids=["in place", "without JavaScript"])
def test_a_rag_update_without_a_reason_is_refused_on_the_reason_and_keeps_the_choice(client, docs, htmx):
    action = docs["action"]
    client.force_login(docs["users"][R.PRACTICE_USER])
    response = client.post(reverse("forwardplans:action_rag", args=[action.pk]),
                           {"to_status": "amber", "reason": "", "version": action.version},
                           **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
    html = response.content.decode()
    assert response.status_code == 422
    assert ("<html" in html) is not htmx  # the panel alone in place; the whole page without JavaScript
    assert summary_links(html) == [(f"#rag-{action.pk}-reason", "Enter why it is changing")]
    assert field_error(html, f"rag-{action.pk}-reason") == "Enter why it is changing"
    assert re.search(rf'id="rag-{action.pk}-to_status"[^>]*value="amber"[^>]*checked', html)  # Amber still chosen
    assert "Choose a RAG status" not in html and "This field is required" not in html
    assert ids_used_twice(html) == []
    assert not RagChange.objects.exists()


def test_green_without_evidence_is_said_on_the_justification_with_what_was_typed(client, docs):
    action = docs["action"]
    client.force_login(docs["users"][R.PRACTICE_USER])
    response = client.post(reverse("forwardplans:action_rag", args=[action.pk]),
                           {"to_status": "green", "reason": "Recall running", "version": action.version})
    html = response.content.decode()
    justification = f"rag-{action.pk}-evidence_justification"
    assert response.status_code == 422
    assert [href for href, _text in summary_links(html)] == [f"#{justification}"]
    assert field_error(html, justification).startswith("Green means completed with evidence")
    assert "nhsuk-form-group--error" in html and ">Recall running</textarea>" in html
    assert re.search(rf'id="rag-{action.pk}-to_status-2"[^>]*value="green"[^>]*checked', html)


def test_choosing_the_status_the_action_has_is_said_on_the_choice(client, docs):
    action = docs["action"]
    client.force_login(docs["users"][R.PRACTICE_USER])
    html = client.post(reverse("forwardplans:action_rag", args=[action.pk]),
                       {"to_status": "red", "reason": "Still red", "version": action.version},
                       HTTP_HX_REQUEST="true").content.decode()
    assert summary_links(html) == [(f"#rag-{action.pk}-to_status",
                                    "The action is already Red: select a different RAG status")]


def test_the_result_of_an_update_is_a_status_message_that_can_take_focus(client, docs):
    action = docs["action"]
    client.force_login(docs["users"][R.PRACTICE_USER])
    html = client.post(reverse("forwardplans:action_rag", args=[action.pk]),
                       {"to_status": "amber", "reason": "Started", "version": action.version},
                       HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'role="status" tabindex="-1"[^>]*><p>RAG status changed to Amber\.</p>', html)
    assert "nhsuk-error-summary" not in html


def test_progress_with_half_a_date_keeps_the_text_and_marks_the_missing_box(client, docs):
    action = docs["action"]
    client.force_login(docs["users"][R.PRACTICE_USER])
    response = client.post(reverse("forwardplans:action_progress", args=[action.pk]), {
        "text": "Recall list printed", "entry_date-day": "3", "entry_date-month": "", "entry_date-year": "2026",
        "version": action.version}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    date = f"progress-{action.pk}-entry_date"
    assert response.status_code == 422
    assert summary_links(html) == [(f"#{date}-month", "Date of the progress must include a month")]
    assert re.search(rf'id="{date}-month"[^>]*nhsuk-input--error|nhsuk-input--error[^>]*id="{date}-month"', html)
    assert not re.search(rf'class="[^"]*nhsuk-input--error[^"]*" id="{date}"', html)  # the day is not in error
    assert ">Recall list printed</textarea>" in html and re.search(rf'id="{date}"[^>]*value="3"', html)
    assert not ProgressEntry.objects.exists()


def test_a_milestone_and_its_date_in_the_date_input(client, docs):
    action = docs["action"]
    client.force_login(docs["users"][R.PRACTICE_USER])
    url = reverse("forwardplans:milestone_add", args=[action.pk])
    refused = client.post(url, {"description": "", "due_on-day": "31", "due_on-month": "2", "due_on-year": "2027",
                                "version": action.version}, HTTP_HX_REQUEST="true").content.decode()
    assert summary_links(refused) == [
        (f"#milestone-{action.pk}-description", "Enter the milestone"),
        (f"#milestone-{action.pk}-due_on", "Due date of the milestone must be a real date")]
    assert "<details class=\"nhsuk-details\" open>" in refused  # the form with its errors is not folded away
    client.post(url, {"description": "Audit", "due_on-day": "1", "due_on-month": "2", "due_on-year": "2027",
                      "version": action.version}, HTTP_HX_REQUEST="true")
    assert Milestone.objects.get(action=action, description="Audit").due_on.isoformat() == "2027-02-01"


def test_evidence_without_a_file_is_said_on_the_file_input(client, docs):
    action = docs["action"]
    client.force_login(docs["users"][R.PRACTICE_USER])
    html = client.post(reverse("forwardplans:evidence_upload", args=[action.pk]), {"version": action.version},
                       HTTP_HX_REQUEST="true").content.decode()
    assert summary_links(html) == [(f"#evidence-{action.pk}-file", "Select a file to upload.")]
    assert field_error(html, f"evidence-{action.pk}-file") == "Select a file to upload."


def test_the_action_form_names_every_missing_answer_and_keeps_the_rest(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    response = client.post(reverse("forwardplans:action_new", args=[docs["contract"].reference]), {
        "key_question": "safe", "problem": "Carers not identified", "priority": "10",
        "planned_completion-day": "31", "planned_completion-month": "1", "planned_completion-year": "2027",
        "milestone_1": "Carers lead named"})
    html = response.content.decode()
    assert response.status_code == 422 and "<title>Error: Add an action" in html
    assert [text for _href, text in summary_links(html)] == [
        "Enter the underlying issue", "Enter the action planned", "Enter the name of the lead",
        "Enter the evidence needed", "Enter the milestone 1 due date"]
    assert [href for href, _text in summary_links(html)] == [
        "#id_underlying_issue", "#id_action_planned", "#id_lead_person", "#id_evidence_needed", "#id_milestone_1_due"]
    assert "This field is required" not in html
    assert ">Carers not identified</textarea>" in html and 'value="Carers lead named"' in html
    assert re.search(r'id="id_planned_completion-year"[^>]*value="2027"', html)
    assert ids_used_twice(html) == []
