"""Long text is never thrown away: the idle session ends while an adviser is writing a section of the report (a
short idle limit for the test). The warning comes first and works from the keyboard; after the session has ended
and the adviser has signed in again, the text typed is offered back; nobody else ever sees it."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from core.roles import Role
from forwardplans.models import DiagnosticReport, SectionDraft

from ..browser import Journey, log_in, wait_until
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
IDLE, WARNING, AUTOSAVE = 16, 8, 1


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_WARNING_SECONDS = WARNING
    settings.SESSION_REFRESH_SECONDS = 1
    settings.AUTOSAVE_SECONDS = AUTOSAVE


def kept_draft(user, expected, within=AUTOSAVE + 9):
    """Whether the user's kept draft of the findings comes to satisfy `expected` within a few autosave periods."""
    deadline = time.monotonic() + within
    while True:
        draft = SectionDraft.objects.filter(user=user, section="findings").first()
        if draft is not None and expected(draft.text):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def test_the_text_being_typed_survives_the_session_ending(short_sessions, live_server, page, browser, docs):
    adviser, deputy = docs["users"][Role.RCGP_ADVISER], docs["users"][Role.RCGP_DEPUTY_LEAD]
    section = reverse("forwardplans:report_section", args=["DOC-1", "findings"])
    log_in(page, live_server, adviser.username, PASSWORD)
    journey = Journey(page, live_server).go(section)
    box = page.get_by_label("Findings")
    box.click()
    box.press("End")
    box.press_sequentially(" The partners meet monthly.")
    page.get_by_text("Your draft was kept at").wait_for(timeout=10_000)
    # On a slow machine an autosave can fire between two keystrokes; the last one is what must be kept.
    assert kept_draft(adviser, lambda text: text == "Governance gaps. The partners meet monthly.")

    # The warning: focus is in it, it says how long is left, and the keyboard keeps the session.
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    dialog.wait_for(timeout=(IDLE + 5) * 1000)
    assert page.evaluate("document.getElementById('timeout-dialog').contains(document.activeElement)")
    assert page.evaluate("document.activeElement.id") == "timeout-stay"
    # Said to screen readers by a live region outside the dialog, filled once the dialog is open.
    wait_until(page, "/signed out in \\d+ seconds/.test(document.getElementById('timeout-announcement')"
                         ".textContent)")
    assert page.evaluate("document.getElementById('timeout-dialog').contains("
                         "document.getElementById('timeout-announcement'))") is False
    journey.scan()
    before = Session.objects.get().expire_date
    page.keyboard.press("Enter")  # "Stay signed in"
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.name") == "text"  # focus back where the adviser was typing
    assert Session.objects.get().expire_date > before  # the server's session starts afresh

    # More typing, kept again; then nothing, until the session ends.
    box.press_sequentially(" Minutes are not kept.")
    wait_until(page,
        "document.getElementById('autosave-status').textContent.includes('kept')"
        " && document.querySelector('textarea[name=text]').value.endsWith('not kept.')")
    assert kept_draft(adviser, lambda text: text.endswith("Minutes are not kept."))
    dialog.wait_for(timeout=(IDLE + 5) * 1000)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="), timeout=(WARNING + 10) * 1000)
    assert page.get_by_text("You were signed out because you did nothing for a while").is_visible()
    journey.scan()

    # Another writer of the same report never sees it (looked at first: the adviser's next idle limit starts when
    # they sign in again).
    other = browser.new_context()
    other_page = other.new_page()
    log_in(other_page, live_server, deputy.username, PASSWORD)
    other_page.goto(f"{live_server.url}{section}")
    assert other_page.get_by_label("Findings").input_value() == "Governance gaps."
    assert "Minutes are not kept" not in other_page.content()
    other.close()

    # Signed in again: back to the section, the text offered back beside what is saved.
    page.fill("#id_username", adviser.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(section) + "$"))
    journey.scan()
    assert page.get_by_label("Findings").input_value() == \
        "Governance gaps. The partners meet monthly. Minutes are not kept."
    assert page.get_by_text("Your unsaved text from").is_visible()
    assert page.locator("#saved-text").inner_text() == "Governance gaps."
    assert DiagnosticReport.objects.get(pk=docs["report"].pk).findings == "Governance gaps."  # not saved yet

    # Saved: the draft has done its work.
    page.get_by_role("button", name="Save findings").click()
    page.get_by_text("“Findings” saved.").wait_for()
    assert DiagnosticReport.objects.get(pk=docs["report"].pk).findings.endswith("Minutes are not kept.")
    assert not SectionDraft.objects.exists()
    assert journey.problems == {}, journey.problems
    assert not page.console_errors, page.console_errors
