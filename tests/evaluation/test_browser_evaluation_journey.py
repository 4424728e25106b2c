"""The evaluation at closure in headless Chromium: the practice gives its feedback, and a case study is drafted with
the practice anonymised; each role sees what it should.

The contract has been handed over. The practice lead opens the contract page's "Evaluation at closure" panel, sends
the feedback form empty (the NHS error summary, linked to each statement), then answers it. The deputy lead drafts a
case study without the practice's naming choice (refused, what was typed kept), then with the practice anonymised.
The practice lead reads it and may change the choice (not the text); the commissioner's lead reads it on its panel;
NHSE finds no case study page, and its counts page shows counts with no practice's name; the API shows NHSE no
practice for a final anonymised case study. Every page visited is scanned (axe, duplicate ids, console, phone
widths)."""

import re

import pytest

from contracts.models import TeamMembership
from core.roles import Role
from evaluation.models import CaseStudy, PracticeFeedback
from evaluation.services import case_study_update
from evaluation.vocabulary import PRACTICE_FEEDBACK_STATEMENTS

from ..browser import Journey, log_in, unexpected_console_errors
from ..factories import PASSWORD, AdviserFactory, ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)
R = Role
TITLE = "Rebuilding a partnership's ways of working"


def _as(page, live_server, user):
    page.context.clear_cookies()
    log_in(page, live_server, user.username, PASSWORD)
    return Journey(page, live_server).scan()


def _done(journey):
    assert journey.problems == {}, journey.problems
    assert unexpected_console_errors(journey.page) == []


def test_at_closure_the_practice_gives_feedback_and_a_case_study_is_drafted_anonymised(live_server, page, world):
    users, practice = world["users"], world["practices"]["own"]
    contract = ContractFactory(reference="EV-1", practice=practice, deputy_lead=users[R.RCGP_DEPUTY_LEAD],
                               state="handed_over")
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[R.RCGP_ADVISER]),
                                  added_by=users[R.RCGP_DEPUTY_LEAD])
    contract_page = f"/contracts/{contract.reference}/"

    # 1. The practice lead gives the practice's feedback from the contract page.
    journey = _as(page, live_server, users[R.PRACTICE_LEAD])
    journey.go(contract_page)
    panel = page.locator("#evaluation")
    assert "Not given yet" in panel.locator("#evaluation-feedback").inner_text()
    panel.get_by_role("link", name=re.compile("^Give")).click()
    journey.scan()
    page.get_by_role("button", name="Send the feedback").click()  # nothing answered
    journey.scan()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "the support was useful to the practice" in summary.inner_text()
    for _key, statement in PRACTICE_FEEDBACK_STATEMENTS:
        page.get_by_role("group", name=statement).get_by_label("Agree", exact=True).check()
    page.get_by_label("What went well?").fill("The advisers listened to the whole team.")
    page.get_by_role("button", name="Send the feedback").click()
    journey.scan()
    assert page.get_by_text("Thank you: the practice's feedback is saved.").is_visible()
    assert "Given on" in page.locator("#evaluation-feedback").inner_text()
    feedback = PracticeFeedback.objects.get(contract=contract)
    assert set(feedback.answers.values()) == {4} and feedback.given_by == users[R.PRACTICE_LEAD]
    assert page.locator("#evaluation").get_by_role("link", name="Draft a case study").count() == 0
    _done(journey)

    # 2. The deputy lead drafts a case study: refused without the practice's choice, then anonymised.
    journey = _as(page, live_server, users[R.RCGP_DEPUTY_LEAD])
    journey.go(contract_page)
    page.locator("#evaluation").get_by_role("link", name="Draft a case study").click()
    journey.scan()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("radio", name="Change management and improvement support").check()
    page.get_by_label("Summary").fill("A forward plan the partners own.")
    page.get_by_label("What worked", exact=True).fill("Weekly partners' meetings.")
    page.get_by_label("What did not work").fill("Too many actions in the first plan.")
    page.get_by_role("radio", name="Draft").check()
    page.get_by_role("button", name="Save").click()
    journey.scan()
    summary = page.locator(".nhsuk-error-summary")
    assert "Select whether the practice chose to be named or anonymised" in summary.inner_text()
    assert page.get_by_label("Title").input_value() == TITLE  # what was typed is kept
    assert not CaseStudy.objects.exists()
    page.get_by_role("radio", name=re.compile("^Anonymised")).check()
    page.get_by_role("button", name="Save").click()
    journey.scan()
    assert page.get_by_text("The case study is saved.").is_visible()
    study = CaseStudy.objects.get()
    assert (study.naming, study.status, study.support_category, study.created_by) == (
        "anonymised", "draft", "change_management", users[R.RCGP_DEPUTY_LEAD])
    journey.go(contract_page)
    assert "Practice anonymised" in page.locator("#evaluation-case-studies").inner_text()
    _done(journey)

    # 3. The practice lead reads it and may change its naming choice, not its text.
    journey = _as(page, live_server, users[R.PRACTICE_LEAD])
    journey.go(f"/evaluation/case-studies/{study.pk}/")
    assert page.get_by_text("Anonymised: the practice is not named").is_visible()
    assert page.get_by_role("link", name="Change this case study").count() == 0
    assert page.get_by_role("link", name=re.compile("Change.*the practice's choice")).count() == 1
    journey.expect_not_found(f"/evaluation/case-studies/{study.pk}/edit/")
    _done(journey)

    # 4. The commissioner's lead reads it from its panel; the practice's feedback is not theirs to read.
    journey = _as(page, live_server, users[R.COMMISSIONER_LEAD])
    journey.go(contract_page)
    assert "Given on" in page.locator("#evaluation-feedback").inner_text()
    page.locator("#evaluation-case-studies").get_by_role("link", name=TITLE).click()
    journey.scan()
    assert page.get_by_role("heading", name=TITLE).is_visible()
    journey.expect_not_found(f"/evaluation/{contract.reference}/feedback/")
    _done(journey)

    # 5. NHSE: no case study page, counts without names; the API hides the practice of the final one.
    case_study_update(case_study=study, actor=users[R.RCGP_DEPUTY_LEAD], base_version=1, status="final")
    journey = _as(page, live_server, users[R.NHSE_REPORTING])
    journey.expect_not_found(f"/evaluation/case-studies/{study.pk}/")
    journey.go("/evaluation/")
    counts = page.locator("#evaluation-counts").inner_text()
    assert "1 draft" not in counts and "0 draft, 1 final; 0 named, 1 anonymised" in counts
    assert practice.name not in page.content()
    api = page.request.get(f"{live_server.url}/api/v1/case-studies/").json()["results"]
    assert [(row["title"], row["practice"], row["practice_name"], row["contract"]) for row in api] == [
        (TITLE, None, None, None)]
    _done(journey)
