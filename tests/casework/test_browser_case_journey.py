"""The whole report cycle of one case in headless Chromium, on the demo data, with the real Celery worker sending
the e-mails: an adviser drafts, the deputy lead sends, the practice lead returns two corrections, the adviser
accepts one and declines one, the deputy lead resends, the practice confirms and consents, the commissioner reads
it. After each step the board and each person's home page show the contract's stage; nobody meets a 404; each
side is told in the application and by e-mail, and no e-mail carries the report's text."""

import re
from email import message_from_bytes

import pytest
from django.conf import settings
from django.core.management import call_command

from contracts.models import Contract
from core.models import User
from forwardplans.models import ReportCorrection

from ..browser import AXE, Journey, log_in
from ..celery_worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

REF = "DEMO-REPORT"
PEOPLE = {"adviser": "demo-rcgp_adviser", "deputy": "demo-rcgp_deputy_lead", "practice": "demo-practice_lead-p85026",
          "commissioner": "demo-commissioner_peer_support"}
FINDINGS = "Governance meetings are held monthly but no minutes are kept; the significant-event log is empty."
RECOMMENDATIONS = "Keep minutes of every governance meeting and review significant events monthly."


@pytest.fixture
def people(browser, live_server, celery_worker):
    """The demo data, each person with an e-mail address, and a browser of their own signed in."""
    for path in celery_worker.mail_dir.glob("*"):
        path.unlink()
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for who, username in PEOPLE.items():
        User.objects.filter(username=username).update(email=f"{who}@example.nhs.uk")
    contexts, journeys = [], {}
    for who, username in PEOPLE.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.console_errors, page.not_found = [], []
        page.on("console", lambda m, p=page: m.type == "error" and p.console_errors.append(m.text))
        page.on("response", lambda r, p=page: r.status == 404 and p.not_found.append(r.url))
        page.set_default_timeout(15000)
        log_in(page, live_server, username, settings.DEMO_PASSWORD)
        journeys[who] = Journey(page, live_server).scan()
        contexts.append(context)
    yield journeys
    for context in contexts:
        context.close()


def stage_everywhere(people, label):
    """The stage as the deputy lead's board, the adviser's and practice lead's home pages show it."""
    deputy, adviser, practice = people["deputy"], people["adviser"], people["practice"]
    deputy.go("/contracts/board/")
    column = deputy.page.locator("section.app-board__column", has=deputy.page.get_by_role("link", name=re.compile(REF)))
    assert column.locator("h2").inner_text().startswith(label), column.locator("h2").inner_text()
    adviser.go("/")
    assert label in adviser.page.locator("#my-contracts tr", has_text=REF).inner_text()
    practice.go("/")
    assert label in practice.page.locator("#my-support li", has_text=REF).first.inner_text()
    assert Contract.objects.get(reference=REF).get_state_display() == label


def findings(page):
    """The report's Findings section as it reads (its first paragraph), without the corrections beside it."""
    return page.locator("h2#section-findings ~ p.app-preserve-lines").first.inner_text()


def notified(journey, text):
    journey.go("/notifications/")
    assert journey.page.locator("#notifications").get_by_text(text).first.is_visible(), text


def test_the_whole_report_cycle(people, celery_worker):
    adviser, deputy, practice, commissioner = (people[w] for w in ("adviser", "deputy", "practice", "commissioner"))
    stage_everywhere(people, "Report drafting")

    # The adviser drafts two sections.
    adviser.go(f"/contracts/{REF}/")
    adviser.page.get_by_role("link", name="Diagnostic report", exact=True).click()
    adviser.scan()
    for heading, text in (("Findings", FINDINGS), ("Recommendations", RECOMMENDATIONS)):
        adviser.page.get_by_role("link", name=f"Edit {heading.lower()}").click()
        adviser.scan()
        adviser.page.get_by_label(heading).fill(text)
        adviser.page.get_by_role("button", name=f"Save {heading.lower()}").click()
        adviser.page.get_by_text(f"“{heading}” saved.").wait_for()
        adviser.scan()

    # The deputy lead approves and sends it, from the contract page.
    deputy.go(f"/contracts/{REF}/")
    deputy.page.get_by_role("button", name="Approve and send the report to the practice for factual accuracy").click()
    deputy.page.get_by_text("Done: approve and send").wait_for()
    deputy.scan()
    stage_everywhere(people, "Factual accuracy review")
    notified(practice, f"Contract {REF}: the diagnostic report has been sent to the practice")

    # The practice lead returns it with two corrections.
    practice.go("/")
    practice.page.get_by_role("link", name="Check the diagnostic report for factual accuracy").click()
    practice.scan()
    for section, passage, correction in (
            ("findings", "no minutes are kept", "minutes are kept since October"),
            ("recommendations", "review significant events monthly", "review significant events weekly")):
        practice.page.get_by_role("link", name=f"Note a correction to {section}").click()
        practice.scan()
        practice.page.get_by_label("The passage as written").fill(passage)
        practice.page.get_by_label("What it should say").fill(correction)
        practice.page.get_by_role("button", name="Save the correction").click()
        practice.page.get_by_text("Correction noted.").wait_for()
        practice.scan()
    practice.page.get_by_role("button", name="Return the report to the advisers with my corrections").click()
    practice.page.get_by_text("gone back to the advisers with your corrections").wait_for()
    practice.scan()
    assert practice.page.url.endswith(f"/contracts/{REF}/")
    stage_everywhere(people, "Factual accuracy review")
    notified(adviser, f"Contract {REF}: the practice has returned the diagnostic report with corrections")
    notified(deputy, f"Contract {REF}: the practice has returned the diagnostic report with corrections")

    # The adviser accepts one (and edits the text) and declines the other with a reason.
    adviser.page.get_by_role("link", name=re.compile("returned the diagnostic report")).first.click()
    adviser.scan()
    adviser.page.get_by_role("link", name="Answer to the correction to Findings").click()
    adviser.scan()
    adviser.page.get_by_label("Accepted – I will edit the report").check()
    adviser.page.get_by_role("button", name="Save the answer").click()
    adviser.page.get_by_text("Correction to “Findings” accepted.").wait_for()
    adviser.page.get_by_role("link", name="Answer to the correction to Recommendations").click()
    adviser.page.get_by_label("Declined – with a reason").check()
    before = len(adviser.page.console_errors)
    adviser.page.get_by_role("button", name="Save the answer").click()
    adviser.scan()
    assert adviser.page.get_by_text("Say why the correction is declined").first.is_visible()
    assert adviser.page.get_by_label("Declined – with a reason").is_checked()  # what was chosen stays
    assert [e for e in adviser.page.console_errors[before:] if "422" not in e] == []  # the form's own answer
    del adviser.page.console_errors[before:]
    adviser.page.get_by_label("Why you decline it").fill("The action plan agreed monthly reviews.")
    adviser.page.get_by_role("button", name="Save the answer").click()
    adviser.page.get_by_text("Correction to “Recommendations” declined.").wait_for()
    adviser.page.get_by_role("link", name="Edit findings").click()
    adviser.page.get_by_label("Findings").fill(FINDINGS.replace("no minutes are kept", "minutes are kept since "
                                                                                        "October"))
    adviser.page.get_by_role("button", name="Save findings").click()
    adviser.page.get_by_text("“Findings” saved.").wait_for()
    adviser.scan()

    # The deputy lead, told that every correction is answered, approves and resends it.
    notified(deputy, f"Contract {REF}: every correction the practice returned has been answered")
    deputy.go(f"/contracts/{REF}/report/")
    deputy.page.get_by_role("button", name="Approve and send the corrected report to the practice").click()
    deputy.page.get_by_text("Done: approve and send the corrected report").wait_for()
    deputy.scan()
    notified(practice, f"Contract {REF}: the corrected diagnostic report has been sent back to the practice")

    # The practice reads the answers, confirms, and consents.
    practice.go(f"/contracts/{REF}/report/")
    assert practice.page.get_by_text("The action plan agreed monthly reviews.").is_visible()
    assert "minutes are kept since October" in findings(practice.page)  # the adviser's edit, in the report itself
    practice.page.get_by_role("button", name="Confirm the report is factually accurate").click()
    practice.page.get_by_text("Now decide whether to share it").wait_for()
    practice.scan()
    stage_everywhere(people, "Consent decision")
    practice.page.get_by_role("link", name="Decide whether to share the report and plan").click()
    practice.scan()
    practice.page.get_by_label("Give consent to share").check()
    practice.page.get_by_role("button", name="Record my decision").click()
    practice.page.get_by_text("Your decision on sharing has been recorded.").wait_for()
    practice.scan()
    stage_everywhere(people, "Review meeting")

    # The commissioner is told, and reads it.
    notified(commissioner, f"Contract {REF}: the practice has agreed to share the diagnostic report")
    commissioner.go("/")
    assert "Review meeting" in commissioner.page.locator("tr", has_text="QUAYSIDE").inner_text()
    commissioner.go(f"/contracts/{REF}/")
    commissioner.page.get_by_role("link", name="Diagnostic report", exact=True).click()
    commissioner.scan()
    assert "minutes are kept since October" in findings(commissioner.page)
    shown = commissioner.page.locator("main").inner_text()
    assert "Should say:" not in shown and "The action plan agreed monthly reviews." not in shown  # not theirs
    assert ReportCorrection.objects.filter(report__contract__reference=REF).count() == 2

    for who, journey in people.items():
        assert journey.problems == {}, (who, journey.problems)
        assert not journey.page.console_errors, (who, journey.page.console_errors)
        assert journey.page.not_found == [], (who, journey.page.not_found)

    # E-mails, sent by the worker: each side was told, and none carries the report's words or the practice's name.
    expected = {"practice@example.nhs.uk": 2, "adviser@example.nhs.uk": 5, "deputy@example.nhs.uk": 4,
                "commissioner@example.nhs.uk": 1}
    messages = wait_for(lambda: (found := _emails(celery_worker)) and sum(
        1 for m in found if m["To"] in expected) >= sum(expected.values()) and found, timeout=60,
        message="the worker's e-mails")
    by_recipient = {}
    for message in messages:
        body = message.get_payload(decode=True).decode()
        for words in ("minutes are kept", "governance meeting", "QUAYSIDE", "monthly reviews", FINDINGS[:30]):
            assert words.lower() not in (message["Subject"] + body).lower(), (words, message["Subject"])
        if message["To"] not in expected:  # the demo's staff questionnaire invitations
            continue
        by_recipient.setdefault(message["To"], []).append(message["Subject"])
        assert f"/contracts/{REF}/" in body
    assert {to: len(subjects) for to, subjects in by_recipient.items()} == expected, by_recipient


def _emails(worker):
    messages = []
    for raw in worker.emails():
        for chunk in raw.split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip()))
    return messages
