"""The commissioner's peer support in headless Chromium: a monitoring visit with a follow-up, a review note on an
action after handover, the follow-up's reminder.

Peer support records a visit (who was there, a summary, shared with the practice) with a follow-up of its own due in
a few days and finds it on the practice page's Monitoring panel. Once the contract is handed over to the
commissioner (through the services, as the lifecycle does), it adds a review note on an action of the plan in place
on the action page (focus on the result, RAG status unchanged). The reminder sweep for the follow-up's due date
tells it on the Notifications page, and its home page's deadlines list the follow-up. The practice user reads the
shared record and never an unshared one; peer support marks the follow-up done. Every page visited is scanned
(axe, duplicate ids, console, phone widths)."""

import datetime
import re

import pytest
from django.utils import timezone

from contracts.models import TeamMembership
from core.roles import Role
from forwardplans import reminders
from forwardplans import services as plan_services
from forwardplans.models import Action
from monitoring.models import ActionReviewNote, FollowUp, MonitoringRecord

from ..browser import Journey, focused, log_in, unexpected_console_errors, wait_until
from ..cases import advance
from ..docs import ACTION_FIELDS
from ..factories import PASSWORD, AdviserFactory, ContractFactory
from .factories import record as unshared_record

pytestmark = pytest.mark.django_db(transaction=True)
R = Role
SUMMARY = "Met the practice manager. The new appointment system is in place; the backlog is down to two days."
FOLLOW_UP = "Check the clinical audit plan with the practice manager"
NOTE = "Peer support visit since handover: governance meetings now run monthly, with minutes."


def _as(page, live_server, user):
    page.context.clear_cookies()
    log_in(page, live_server, user.username, PASSWORD)
    return Journey(page, live_server).scan()  # the home page the login lands on


def _fill_date(page, group_name, day):
    group = page.get_by_role("group", name=group_name, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _done(journey):
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(journey.page) == []


def test_peer_support_records_a_visit_notes_an_action_after_handover_and_is_reminded(live_server, page, world):
    users, practice = world["users"], world["practices"]["own"]
    peer = users[R.COMMISSIONER_PEER_SUPPORT]
    contract = ContractFactory(practice=practice, deputy_lead=users[R.RCGP_DEPUTY_LEAD], state="scoping")
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[R.RCGP_ADVISER]),
                                  added_by=users[R.RCGP_DEPUTY_LEAD])
    contract = advance(contract, "consent_decision", users)
    action = plan_services.action_create(plan=contract.forward_plan, actor=users[R.RCGP_DEPUTY_LEAD],
                                         **ACTION_FIELDS)
    contract = advance(contract, "review_meeting", users)  # the practice consents; RCGP still holds the plan
    hidden = unshared_record(practice, peer, summary="Commissioner only: a call about the partners' dispute.")
    today = timezone.localdate()
    visited_on, due_on = today - datetime.timedelta(days=1), today + datetime.timedelta(days=3)

    # 1. Peer support records a visit with a follow-up of its own, shared with the practice.
    journey = _as(page, live_server, peer)
    journey.go(f"/practices/{practice.ods_code}/")
    panel = page.locator("#monitoring")
    panel.get_by_role("link", name="Record a visit, call or meeting").click()
    journey.scan()
    page.get_by_role("button", name="Record", exact=True).click()  # nothing filled in
    journey.scan()
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.get_by_role("radio", name="Visit").check()
    _fill_date(page, "Date", visited_on)
    page.get_by_label("Who was there").fill("Sam Taylor, commissioner peer support\nPractice manager")
    page.get_by_label("Summary and notes").fill(SUMMARY)
    page.get_by_role("radio", name=re.compile("Yes: the practice")).check()
    page.get_by_label("Follow-up (optional)").fill(FOLLOW_UP)
    _fill_date(page, "Follow-up due date", due_on)
    page.get_by_label("Who does the follow-up").select_option(str(peer.pk))
    page.get_by_role("button", name="Record", exact=True).click()
    journey.scan()
    assert page.get_by_text("The monitoring record is saved.").is_visible()
    visit = MonitoringRecord.objects.get(summary=SUMMARY)
    follow_up = FollowUp.objects.get(record=visit)
    assert (visit.kind, visit.shared_with_practice, visit.people_list, visit.recorded_by) == (
        "visit", True, ["Sam Taylor, commissioner peer support", "Practice manager"], peer)
    assert (follow_up.what, follow_up.due_on, follow_up.owner, follow_up.done_on) == (FOLLOW_UP, due_on, peer, None)

    journey.go(f"/practices/{practice.ods_code}/")
    row = page.locator(f"#monitoring #record-{visit.pk}")
    assert "Visit" in row.inner_text() and "Shared" in row.inner_text()
    assert re.search(r"1, next due", row.inner_text())
    assert page.locator(f"#monitoring #record-{hidden.pk}").is_visible()  # the commissioner's own, too

    # 2. The contract is handed over; peer support notes its support against an action, in place.
    contract = advance(contract, "handed_over", users)
    before = Action.objects.values("rag_status", "version").get(pk=action.pk)
    journey.go(f"/actions/{action.pk}/")
    slot = page.locator("#review-notes")
    slot.get_by_label("Review note").wait_for()  # the slot loaded its panel in place (htmx)
    journey.scan()
    page.evaluate("window.__journey = 'same page'")  # survives only if nothing reloads the page
    slot.get_by_role("button", name="Add the note").click()  # empty: refused in place
    page.locator("#review-notes .nhsuk-error-summary").wait_for()
    # Focus moves once the swapped panel has settled (a moment after it appears): wait for it, then say where it is.
    wait_until(page, "document.activeElement.classList.contains('nhsuk-error-summary')")
    assert "nhsuk-error-summary" in focused(page)["classes"]
    journey.scan()
    slot.get_by_label("Review note").fill(NOTE)
    slot.get_by_role("button", name="Add the note").click()
    page.locator("#review-note-list").get_by_text("governance meetings now run monthly").wait_for()
    wait_until(page, "document.activeElement.classList.contains('app-panel-message')")
    now = focused(page)
    assert "app-panel-message" in now["classes"] and "RAG status is unchanged" in now["text"], now
    journey.scan()
    assert page.evaluate("window.__journey") == "same page"
    assert ActionReviewNote.objects.get(action=action).recorded_by == peer
    assert Action.objects.values("rag_status", "version").get(pk=action.pk) == before
    journey.go(f"/actions/{action.pk}/")  # as it is now: the RAG status shown is still the practice's
    page.locator("#review-note-list").wait_for()
    journey.scan()
    _done(journey)

    # 3. The sweep on the follow-up's due date: a reminder, and the follow-up on the home page.
    reminders.sweep(today=due_on, send_emails=False)
    journey.go("/notifications/")
    notification = page.get_by_text(re.compile(f"monitoring follow-up for {re.escape(practice.name)}"))
    assert notification.first.is_visible()
    assert page.get_by_text(FOLLOW_UP).first.is_visible()
    journey.go("/")
    due = page.locator("#deadlines").get_by_role("link",
                                                 name=f"Monitoring follow-up due (practice {practice.ods_code})")
    assert due.get_attribute("href") == f"/monitoring/records/{visit.pk}/"
    _done(journey)

    # 4. The practice user reads the shared record, not the commissioner's own.
    practice_user = _as(page, live_server, users[R.PRACTICE_USER])
    practice_user.go(f"/practices/{practice.ods_code}/")
    assert page.locator(f"#monitoring #record-{visit.pk}").is_visible()
    assert page.locator(f"#record-{hidden.pk}").count() == 0
    assert page.get_by_text("partners' dispute").count() == 0
    page.locator(f"#monitoring #record-{visit.pk}").get_by_role("link", name="Visit").click()
    practice_user.scan()
    assert page.get_by_text("backlog is down to two days").is_visible()
    assert page.get_by_role("link", name=re.compile("Mark done|Change this record|Add a follow-up")).count() == 0
    practice_user.expect_not_found(f"/monitoring/records/{hidden.pk}/")
    practice_user.expect_not_found(f"/monitoring/follow-ups/{follow_up.pk}/done/")
    practice_user.go("/notifications/")  # the follow-up is the commissioner's to do: no reminder to the practice
    assert page.get_by_text(re.compile("monitoring follow-up", re.I)).count() == 0
    _done(practice_user)

    # 5. Peer support marks the follow-up done; it leaves the home page.
    journey = _as(page, live_server, peer)
    journey.go(f"/monitoring/records/{visit.pk}/")
    page.locator(f"#follow-up-{follow_up.pk}").get_by_role("link", name=re.compile("Mark done")).click()
    journey.scan()
    page.get_by_role("button", name="Mark done").click()
    journey.scan()
    assert page.get_by_text("The follow-up is marked done.").is_visible()
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.done_by) == (today, peer)
    assert "Done on" in page.locator(f"#follow-up-{follow_up.pk}").inner_text()
    journey.go("/")
    assert "Monitoring follow-up" not in page.locator("#deadlines").inner_text()
    _done(journey)
