"""Contractual action in headless Chromium, on the demo data, through the pages only: the commissioner lead records
a CQC concern about Lees Medical Practice, assesses the risk, chooses a moderate investigation, records the visit and
completes it, decides on a remedial notice, issues and serves it and downloads its letter (Word); the practice lead
sees the notice; the remedy date shows on both home pages and in both calendar feeds; the remedy is recorded and the
deadline leaves them. Every page visited is scanned (axe, ids, console, phone widths)."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from icalendar import Calendar

from contractual.models import ContractualCase, Notice
from practices.models import Practice

from ..browser import Journey, log_in, unexpected_console_errors

pytestmark = pytest.mark.django_db(transaction=True)
ODS = "P85022"  # Lees Medical Practice: the demo commissioner's, with the demo practice lead
DAY = datetime.timedelta(days=1)


def _uk(day):
    return f"{day.day} {day:%B %Y}"


def _as(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username, settings.DEMO_PASSWORD)
    return Journey(page, live_server).scan()  # the home page the login lands on


def _date(form, group, day):
    """The NHS date input (day, month, year) of ``form`` whose legend is ``group``."""
    fields = form.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def _feed(page, journey):
    """The user's calendar feed, from the link the calendar page makes: {uid: (date, summary)}."""
    journey.go(reverse("jobs:calendar"))
    page.get_by_role("button", name="Make my calendar link").click()
    journey.scan()
    response = page.request.get(page.locator("#calendar-url").input_value())
    assert response.status == 200
    return {str(event["uid"]).split("@")[0]: (event.decoded("dtstart"), str(event["summary"]))
            for event in Calendar.from_ical(response.body()).walk("VEVENT")}


def _due(page):
    return page.locator("#deadlines").inner_text()


def test_a_commissioner_lead_takes_contractual_action_and_the_practice_lead_sees_the_notice(live_server, page,
                                                                                          tmp_path):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    practice = Practice.objects.get(ods_code=ODS)
    assert not ContractualCase.objects.filter(practice=practice).exists()
    today = timezone.localdate()
    # The notice is dated 20 days ago with the 28 days' minimum, so its remedy date (and the appeal window, from
    # service the next day) are within the home pages' two weeks.
    dated, remedy = today - 20 * DAY, today + 8 * DAY

    lead = _as(page, live_server, "demo-commissioner_lead")
    lead.go(reverse("contractual:practice", args=[ODS]))
    form = page.locator("#case-open-form")
    form.get_by_role("button", name="Record the concern").click()  # nothing filled in
    lead.scan()
    assert page.locator(".nhsuk-error-summary").get_by_role("link", name="Select where the concern came from")\
        .is_visible()
    form = page.locator("#case-open-form")
    _date(form, "Date the concern notification was received", today - 39 * DAY)
    form.get_by_label("Care Quality Commission (CQC)").check()
    _date(form, "Date of CQC's visit", today - 40 * DAY)
    form.get_by_label("Summary of the concern").fill("CQC found repeat prescriptions issued without review.")
    form.get_by_role("button", name="Record the concern").click()
    lead.scan()
    assert page.get_by_text("The concern notification has been recorded").is_visible()
    case = ContractualCase.objects.get(practice=practice)

    def step(name, label, fill):
        page.locator(f"#case-{case.pk} summary", has_text=re.compile(f"^{label}$")).click()
        form = page.locator(f"#step-{case.pk}-{name}")
        fill(form)
        form.get_by_role("button", name=label).click()
        lead.scan()
        assert page.locator(".nhsuk-error-summary").count() == 0, page.locator(".nhsuk-error-summary").inner_text()
        assert page.get_by_text("Recorded.").is_visible(), name

    def risk(form):
        form.get_by_label("High risk").check()
        _date(form, "Date of the risk assessment", today - 35 * DAY)

    def investigation(form):
        form.get_by_label("Moderate: practice visit with notice").check()
        _date(form, "Date the investigation started", today - 34 * DAY)

    def visit(form):
        _date(form, "Notice of the visit given on", today - 34 * DAY)
        _date(form, "Visit date", today - 27 * DAY)
        form.get_by_label("Findings").fill("Medication reviews overdue for 312 patients.")

    def decision(form):
        form.get_by_label("Remedial notice").check()
        _date(form, "Date of the decision", today - 21 * DAY)
        form.get_by_label("Reasons").fill("A breach capable of remedy.")

    def notice(form):
        form.get_by_label("Terms of the contract breached").fill("Clause 12.4: repeat prescriptions are reviewed.")
        form.get_by_label("Actions required to remedy the breach").fill("Review every overdue repeat prescription.")
        _date(form, "Date of the notice", dated)
        _date(form, "Remedy by", remedy)

    step("assess_risk", "Record the risk assessment", risk)
    step("open_investigation", "Start an investigation", investigation)
    step("record_investigation", "Record the investigation", visit)
    step("complete_investigation", "Complete the investigation",
         lambda form: _date(form, "Date the investigation was completed", today - 26 * DAY))
    step("decide", "Record the decision", decision)
    step("issue_notice", "Issue a notice", notice)
    timeline = page.locator(f"#case-{case.pk} .app-timeline").inner_text()
    assert "Moderate: practice visit with notice" in timeline and f"visit {_uk(today - 27 * DAY)}" in timeline
    assert f"remedy by {_uk(remedy)}" in timeline

    page.locator(f"#case-{case.pk} .app-timeline").get_by_role("link", name="Remedial notice").click()
    lead.scan()
    page.locator("summary", has_text="Record service").click()
    form = page.locator("#step-serve")
    _date(form, "Date the notice was served", dated + DAY)
    form.get_by_role("button", name="Record").click()
    lead.scan()
    assert page.locator("#appeal-by").inner_text() == _uk(dated + DAY + 28 * DAY)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the notice (Word)").click()
    letter = tmp_path / "notice.docx"
    download.value.save_as(letter)
    text = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    assert f"To: {practice.name} ({ODS})" in text and f"on or before {_uk(remedy)}" in text
    notice_url = page.url.replace(live_server.url, "")
    notice_pk = Notice.objects.get(case=case).pk

    lead.go(reverse("home"))
    assert f"{_uk(remedy)} Due soon – Contract notice: remedy due (practice {ODS})" in _due(page)
    feed = _feed(page, lead)
    assert feed[f"notice-remedy-{notice_pk}"][0] == remedy
    assert lead.problems == {} and not unexpected_console_errors(page)

    practice_lead = _as(page, live_server, "demo-practice_lead")
    assert f"{_uk(remedy)} Due soon – Contract notice: remedy due (practice {ODS})" in _due(page)
    practice_lead.go(reverse("practices:detail", args=[ODS]))
    page.locator("#contractual-notices").get_by_role("link", name=f"Remedial notice of {_uk(dated)}").click()
    practice_lead.scan()
    assert page.url.endswith(notice_url)
    assert page.locator("#remedy-by").inner_text().startswith(_uk(remedy))
    assert page.locator("#terms-breached").inner_text() == "Clause 12.4: repeat prescriptions are reviewed."
    assert page.locator("#step-outcome").count() == 0  # the practice reads the notice; only the lead records on it
    feed = _feed(page, practice_lead)
    assert feed[f"notice-remedy-{notice_pk}"][0] == remedy
    assert feed[f"notice-appeal-{notice_pk}"][0] == dated + DAY + 28 * DAY
    assert practice_lead.problems == {} and not unexpected_console_errors(page)

    lead = _as(page, live_server, "demo-commissioner_lead")
    lead.go(notice_url)
    page.locator("summary", has_text=re.compile("^Record the outcome$")).click()
    form = page.locator("#step-outcome")
    form.get_by_label("Remedied", exact=True).check()
    _date(form, "Date of the outcome", today)
    form.get_by_role("button", name="Record").click()
    lead.scan()
    assert page.locator("#notice-outcome").inner_text() == f"Remedied, {_uk(today)}"
    lead.go(reverse("home"))
    assert f"Contract notice: remedy due (practice {ODS})" not in _due(page)  # the remedy recorded, its deadlines end
    assert lead.problems == {} and not unexpected_console_errors(page)
