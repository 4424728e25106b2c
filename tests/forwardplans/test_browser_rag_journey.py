"""A practice user's whole RAG update journey in headless Chromium, in place with htmx."""

import re

import pytest

from core.roles import Role
from forwardplans.models import Evidence, ProgressEntry, RagChange

from ..browser import log_in
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_practice_user_updates_an_action_in_place(live_server, page, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user, action = docs["users"][Role.PRACTICE_USER], docs["action"]
    log_in(page, live_server, user.username, PASSWORD)

    page.goto(f"{live_server.url}/contracts/DOC-1/plan/")
    assert page.locator("h1").inner_text() == "Forward plan"
    page.get_by_role("link", name="Set up a monthly recall").click()
    page.wait_for_url(re.compile(rf"/actions/{action.pk}/$"))
    page.evaluate("window.__journey = 'same page'")  # survives only if nothing reloads the page

    page.get_by_role("radio", name="Amber").check()
    page.get_by_label("Why is it changing?").fill("Searches built and tested")
    page.get_by_role("button", name="Update RAG status").click()
    panel = page.locator(f"#rag-panel-{action.pk}")
    panel.get_by_text("RAG status changed to Amber").wait_for()
    assert "Amber" in panel.locator("h2").inner_text()
    assert "Searches built and tested" in page.locator(f"#rag-history-{action.pk}").inner_text()

    page.get_by_label("Add progress").fill("First recall list printed")
    page.get_by_role("button", name="Add progress").click()
    page.locator("#progress-log").get_by_text("First recall list printed").wait_for()

    page.get_by_role("button", name=re.compile(r"Mark done\W+Searches built")).click()
    page.locator("#milestones-panel").get_by_text("Milestone updated.").wait_for()

    page.get_by_label("Upload evidence").set_input_files(
        {"name": "recall-log.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Upload", exact=True).click()
    page.locator("#evidence-list").get_by_text("recall-log.pdf").wait_for()

    page.get_by_role("radio", name="Green").check()
    page.get_by_label("Why is it changing?").fill("Recall running monthly")
    page.get_by_role("button", name="Update RAG status").click()
    page.locator(f"#rag-panel-{action.pk}").get_by_text("RAG status changed to Green").wait_for()

    assert page.evaluate("window.__journey") == "same page"
    assert list(RagChange.objects.filter(action=action).order_by("at").values_list("to_status", "by")) == [
        ("amber", user.pk), ("green", user.pk)]
    assert ProgressEntry.objects.get(action=action).text == "First recall list printed"
    assert action.milestones.filter(done_on__isnull=False).count() == 1
    assert Evidence.objects.get(action=action).original_name == "recall-log.pdf"


def test_green_without_evidence_is_refused_in_the_browser(live_server, page, docs):
    user, action = docs["users"][Role.PRACTICE_LEAD], docs["action"]
    log_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    page.get_by_role("radio", name="Green").check()
    page.get_by_label("Why is it changing?").fill("Done")
    page.get_by_role("button", name="Update RAG status").click()
    panel = page.locator(f"#rag-panel-{action.pk}")
    # Said in the error summary, linked to the field it is about, and on that field.
    panel.locator(".nhsuk-error-summary").get_by_role("link", name=re.compile("Green means completed")).wait_for()
    assert "Green means completed with evidence" in panel.locator(
        f"#rag-{action.pk}-evidence_justification-error").inner_text()
    assert not RagChange.objects.filter(action=action).exists()


def test_two_actions_updated_in_place_on_the_practice_home_keep_their_own_versions(live_server, page, docs):
    """Each in-place update brings only its own action's forms up to date: the other panel open on the page still
    carries its own action's version, and its update is saved too."""
    from forwardplans import services

    from ..docs import ACTION_FIELDS

    user = docs["users"][Role.PRACTICE_USER]
    second = services.action_create(plan=docs["plan"], actor=docs["users"][Role.RCGP_ADVISER],
                                    **{**ACTION_FIELDS, "action_planned": "Name a carers lead"})
    for text in ("Asked for volunteers", "Two volunteers"):  # a version the first action's update will not reach
        services.progress_add(action=second, actor=user, text=text, base_version=second.version)
    log_in(page, live_server, user.username, PASSWORD)
    rows = page.locator("#my-actions > tbody > tr")  # not the rows of a RAG history opened inside one
    for n in (0, 1):
        rows.nth(n).get_by_role("link", name=re.compile("Update RAG")).click()
        rows.nth(n).get_by_label("Why is it changing?").wait_for()
    for n, reason in ((0, "Started the first"), (1, "Started the second")):
        rows.nth(n).get_by_role("radio", name="Amber").check()
        rows.nth(n).get_by_label("Why is it changing?").fill(reason)
        rows.nth(n).get_by_role("button", name="Update RAG status").click()
        rows.nth(n).get_by_text("RAG status changed to Amber").wait_for()
    assert sorted(RagChange.objects.values_list("reason", flat=True)) == ["Started the first", "Started the second"]
