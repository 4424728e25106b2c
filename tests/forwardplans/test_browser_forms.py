"""The action page's forms in headless Chromium: a RAG update made with the keyboard alone (errors, where focus
goes, what is announced), and the same forms with JavaScript off (nothing typed or chosen is lost on an error)."""

import re

import pytest

from core.roles import Role
from forwardplans.models import Action, RagChange

from ..browser import Journey, duplicate_ids, focused, log_in, new_page, tab_to, unexpected_console_errors
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_practice_user_changes_rag_with_the_keyboard_alone(live_server, page, docs):
    user, action = docs["users"][Role.PRACTICE_USER], docs["action"]
    log_in(page, live_server, user.username, PASSWORD)
    journey = Journey(page, live_server).go(f"/actions/{action.pk}/")
    panel = page.locator(f"#rag-panel-{action.pk}")

    # Amber chosen, no reason given: the error summary takes focus and names the field.
    tab_to(page, lambda f: f["id"] == f"rag-{action.pk}-to_status")
    assert focused(page)["label"] == "Amber"
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "button" and "Update RAG status" in f["text"])
    page.keyboard.press("Enter")
    panel.locator(".nhsuk-error-summary").wait_for()
    page.wait_for_timeout(100)  # the focus move runs as htmx settles the new panel
    now = focused(page)
    assert "nhsuk-error-summary" in now["classes"], now
    summary = panel.locator(".nhsuk-error-summary")
    assert summary.locator("[role=alert]").count() == 1  # announced as it appears
    assert summary.get_by_role("link").all_inner_texts() == ["Enter why it is changing"]
    assert panel.locator(".nhsuk-form-group--error").get_by_text("Enter why it is changing").is_visible()
    assert page.locator(f"#rag-{action.pk}-to_status").is_checked()  # the choice survives the error
    journey.scan()

    # The summary's link takes focus to the field; the reason typed there is saved.
    tab_to(page, lambda f: f["tag"] == "a" and f["text"].strip() == "Enter why it is changing", limit=3)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == f"rag-{action.pk}-reason"
    page.keyboard.type("Searches built and tested")
    tab_to(page, lambda f: f["tag"] == "button" and "Update RAG status" in f["text"])
    page.keyboard.press("Enter")
    panel.get_by_text("RAG status changed to Amber").wait_for()
    page.wait_for_timeout(100)
    now = focused(page)
    assert now["role"] == "status" and "RAG status changed to Amber" in now["text"], now
    journey.scan()

    assert journey.problems == {}, journey.problems
    assert list(RagChange.objects.filter(action=action).values_list("to_status", "reason", "by")) == [
        ("amber", "Searches built and tested", user.pk)]
    assert "Searches built and tested" in page.locator(f"#rag-history-{action.pk}").inner_text()


def test_without_javascript_an_error_keeps_what_was_typed_and_chosen(live_server, browser, docs):
    adviser, action = docs["users"][Role.RCGP_ADVISER], docs["action"]
    page = new_page(browser, java_script_enabled=False)
    try:
        log_in(page, live_server, adviser.username, PASSWORD)

        # A RAG update: Green with no evidence and no justification is refused on the justification field.
        page.goto(f"{live_server.url}/actions/{action.pk}/")
        page.get_by_role("radio", name="Green").check()
        page.get_by_label("Why is it changing?").fill("Recall running monthly")
        with page.expect_navigation():
            page.get_by_role("button", name="Update RAG status").click()
        justification = f"rag-{action.pk}-evidence_justification"
        summary = page.locator(".nhsuk-error-summary")
        link = summary.get_by_role("link", name=re.compile("Green means completed with evidence"))
        assert link.get_attribute("href") == f"#{justification}"
        group = page.locator(".nhsuk-form-group--error", has=page.locator(f"#{justification}"))
        assert "Green means completed with evidence" in group.inner_text()
        assert page.get_by_role("radio", name="Green").is_checked()
        assert page.get_by_label("Why is it changing?").input_value() == "Recall running monthly"
        assert duplicate_ids(page) == []
        assert not RagChange.objects.filter(action=action).exists()

        # The action form: a date without its month, a required answer left empty; all else typed survives.
        page.goto(f"{live_server.url}/actions/{action.pk}/edit/")
        page.get_by_label("Problem as found").fill("Recall lists are kept on paper")
        page.get_by_label("Evidence needed").fill("")
        dates = page.get_by_role("group", name="Planned completion date")
        dates.get_by_label("Day").fill("30")
        dates.get_by_label("Month").fill("")
        dates.get_by_label("Year").fill("2027")
        with page.expect_navigation():
            page.get_by_role("button", name="Save the action").click()
        summary = page.locator(".nhsuk-error-summary")
        assert summary.get_by_role("link").all_inner_texts() == [
            "Enter the evidence needed", "Planned completion date must include a month"]
        assert summary.get_by_role("link", name="Planned completion date must include a month").get_attribute(
            "href") == "#id_planned_completion-month"  # the box that is missing, as the NHS pattern asks
        assert page.get_by_label("Problem as found").input_value() == "Recall lists are kept on paper"
        assert (dates.get_by_label("Day").input_value(), dates.get_by_label("Year").input_value()) == ("30", "2027")
        assert page.locator("#id_planned_completion-month.nhsuk-input--error").count() == 1
        assert page.locator("#id_planned_completion.nhsuk-input--error").count() == 0
        assert duplicate_ids(page) == []
        assert Action.objects.get(pk=action.pk).problem == "No recall for high-risk drugs"
        assert unexpected_console_errors(page) == []
    finally:
        page.context.close()
