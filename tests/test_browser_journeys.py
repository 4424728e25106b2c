"""One journey per role in headless Chromium on the demo data: log in, find the thing, do the main job,
see the result. Every page visited is checked by Journey.scan (axe-core's WCAG 2.2 A and AA rules at any impact,
no duplicate ids, no console error, no sideways scrolling at 375 and 320 px), and each role's home page, as a
375 px phone shows it, is saved to docs/screenshots/ for the README."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command

from contracts.models import Contract, Referral, TeamMembership
from contracts.referral_services import referral_regional_decide
from core.services import user_upsert
from forwardplans.models import Action, RagChange

from .browser import Journey, log_in, unexpected_console_errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def start(page, live_server, role):
    log_in(page, live_server, f"demo-{role}", settings.DEMO_PASSWORD)
    journey = Journey(page, live_server).scan()  # the home page the login lands on
    journey.screenshot(role)  # at 375 px: how a phone shows the home page
    return journey


def finish(journey):
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(journey.page) == []  # scan() names the page; this catches the last step's
    assert len(journey.scanned) >= 3
    # Every journey ends with the header's "Log out", as a browser sends it (with its CSRF field).
    journey.page.get_by_role("button", name="Log out").click()
    journey.page.wait_for_url(re.compile(r"/accounts/login/$"))
    journey.page.goto(f"{journey.live_server.url}/practices/")
    assert "/accounts/login/" in journey.page.url  # signed out: pages ask to sign in again


def test_commissioner_peer_support_follows_a_shared_plan(demo, live_server, page):
    journey = start(page, live_server, "commissioner_peer_support")
    assert page.get_by_role("heading", name="Your practices today").is_visible()
    page.get_by_role("link", name="LEES MEDICAL PRACTICE").first.click()
    journey.scan()
    assert page.locator("#inspection-history").is_visible()
    journey.go("/contracts/DEMO-SHARED/")
    page.get_by_role("link", name="Forward plan").click()
    journey.scan()
    assert page.locator("#plan-summary").get_by_text("Red").is_visible()
    journey.expect_not_found("/contracts/DEMO-PRIVATE/plan/")
    finish(journey)


def test_commissioner_lead_assesses_a_referral_and_commissions_support(demo, live_server, page):
    journey = start(page, live_server, "commissioner_lead")
    page.locator("#referral-queue").get_by_role("link", name="HOPWOOD HOUSE MEDICAL PRACTICE").click()
    journey.scan()
    page.get_by_role("button", name="Assess this referral").click()
    journey.scan()
    page.get_by_label("Commissioner's statement of support").fill("We support this referral fully.")
    page.get_by_role("radio", name="High", exact=True).check()
    page.get_by_label("Leadership or partner relationships").check()
    page.get_by_label("4 – Likely").check()
    page.get_by_label("4 – Significant").check()
    page.get_by_label("Why is the referral placed here on the support matrix?").fill("Two GP vacancies.")
    page.get_by_role("button", name="Save assessment").click()
    journey.scan()
    assert page.get_by_text("Assessment saved.").is_visible()
    # Resilience support waits for NHS England's regional decision (003 Annex B): the region's team approves it.
    referral = Referral.objects.get(practice__ods_code="P85014")
    regional, _created = user_upsert(username="demo-nhse_regional", role="nhse_regional", org_code="Y62")
    referral_regional_decide(referral=referral, actor=regional, decision="approved", reason="Meets the criteria.",
                             base_version=referral.version)
    page.reload()
    page.get_by_role("link", name="Commission support from this referral").click()
    journey.scan()
    page.get_by_label("Programme").select_option("resilience")
    page.get_by_label("Contract value (£)").fill("5000")
    page.get_by_label("NHSE/commissioner contribution (£)").fill("5000")
    page.get_by_label("Practice contribution (£)").fill("0")
    page.get_by_role("button", name="Commission support").click()
    journey.scan()
    problems = page.locator(".nhsuk-error-summary").all_inner_texts()
    assert page.get_by_text("commissioned. RCGP make first contact").is_visible(), problems
    assert Referral.objects.get(practice__ods_code="P85014").status == "accepted"
    finish(journey)


def test_deputy_lead_takes_a_new_contract_and_recruits_a_team(demo, live_server, page):
    journey = start(page, live_server, "rcgp_deputy_lead")
    page.locator("#waiting-for-lead").get_by_role("link", name=re.compile("DEMO-NEW")).click()
    journey.scan()
    page.get_by_role("button", name="Take the lead").click()
    journey.scan()
    page.get_by_role("link", name="Recruit the adviser team").click()
    journey.scan()
    assert page.get_by_text("Cannot be assigned: Conflict of interest declared").is_visible()
    page.get_by_role("button", name="Assign Grace O'Neill").click()
    journey.scan()
    assert page.get_by_text("Grace O'Neill added to the team.").is_visible()
    journey.go("/contracts/board/")
    assert TeamMembership.objects.filter(contract__reference="DEMO-NEW", removed_at__isnull=True).count() == 1
    assert Contract.objects.get(reference="DEMO-NEW").state == "lead_appointed"
    finish(journey)


def test_adviser_adds_an_action_to_the_forward_plan(demo, live_server, page):
    journey = start(page, live_server, "rcgp_adviser")
    page.locator("#my-contracts").get_by_role("link", name="DEMO-SHARED").click()
    journey.scan()
    page.get_by_role("link", name="Forward plan").click()
    journey.scan()
    page.get_by_role("button", name="Add an action").click()
    journey.scan()
    page.get_by_label("CQC key question").select_option("caring")
    page.get_by_label("Problem as found").fill("Carers not identified")
    page.get_by_label("Underlying issue (root cause)").fill("No carers lead")
    page.get_by_label("Action(s) planned (SMART)").fill("Name a carers lead by the end of the month")
    page.get_by_label("Lead person").fill("Practice manager")
    page.get_by_label("Evidence needed").fill("Carers register")
    dates = page.get_by_role("group", name="Planned completion date")  # the NHS date input: day, month, year
    dates.get_by_label("Day").fill("31")
    dates.get_by_label("Month").fill("1")
    dates.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save the action").click()
    journey.scan()
    assert page.get_by_text("Action added to the forward plan.").is_visible()
    assert Action.objects.filter(action_planned="Name a carers lead by the end of the month").exists()
    finish(journey)


def test_rcgp_admin_reads_programme_figures(demo, live_server, page):
    journey = start(page, live_server, "rcgp_admin")
    page.get_by_role("link", name="Programme figures").click()
    journey.scan()
    assert page.get_by_role("heading", name=re.compile("Programme figures")).is_visible()
    journey.go("/contracts/board/")
    finish(journey)


def test_practice_user_updates_rag_from_the_home_page(demo, live_server, page):
    journey = start(page, live_server, "practice_user")
    first = page.locator("#my-actions tbody tr").first
    first.get_by_role("link", name=re.compile("Update RAG")).click()
    first.get_by_role("radio", name="Amber").check()
    first.get_by_label("Why is it changing?").fill("Started this week")
    first.get_by_role("button", name="Update RAG status").click()
    first.get_by_text("RAG status changed to Amber").wait_for()
    journey.scan()
    assert RagChange.objects.filter(by__username="demo-practice_user", reason="Started this week").exists()
    journey.go("/contracts/DEMO-SHARED/plan/")
    finish(journey)


def test_practice_lead_withdraws_and_gives_consent(demo, live_server, page):
    journey = start(page, live_server, "practice_lead")
    journey.go("/contracts/DEMO-SHARED/consent/")
    page.get_by_label("Withdraw consent").check()
    page.get_by_role("button", name="Record my decision").click()
    journey.scan()
    assert page.get_by_text("Consent withdrawn").first.is_visible()
    page.get_by_label("Give consent to share").check()
    page.get_by_role("button", name="Record my decision").click()
    journey.scan()
    assert page.get_by_text("Consent given").first.is_visible()
    finish(journey)


def test_nhse_reads_outcomes_and_never_plan_text(demo, live_server, page):
    journey = start(page, live_server, "nhse_reporting")
    assert page.locator("#programme-outcomes").is_visible()
    assert page.locator("#outcomes-chart svg").is_visible()
    journey.go("/contracts/")
    journey.expect_not_found("/contracts/DEMO-SHARED/plan/")
    finish(journey)
