"""The pages the role journeys do not pass through, checked the same way as theirs (Journey.scan: axe-core's WCAG
2.2 A and AA rules at any impact, no duplicate id, no console error, no sideways scrolling at 375 and 320 px), as
each role that uses them, on the demo data in headless Chromium."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concerns.services import concern_raise
from contracts.models import Contract, Enquiry, Referral
from contractual.models import Notice
from core.models import User
from delivery.models import DeliveryRecord
from evaluation.models import CaseStudy
from events.models import Event
from forwardplans.models import Action
from monitoring.models import ActionReviewNote, MonitoringRecord
from practices.models import Enforcement, Inspection, PatientInformation
from returns.models import DataReturn
from returns.selectors import current_financial_year

from .browser import DESKTOP, PHONES, Journey, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def pages(concern):
    at = f"/concerns/{concern.pk}/"
    # The regulatory journey in the demo: Y01124 is in special measures, with CQC's enforcement and an offer awaiting
    # a reply; P85022's offer was accepted.
    inspection = Inspection.objects.filter(practice__ods_code="Y01124").order_by(*Inspection.LATEST_FIRST).first()
    enforcement = Enforcement.objects.filter(practice__ods_code="Y01124").first()
    offers = Enquiry.objects.filter(source=Enquiry.Source.SPECIAL_MEASURES_OFFER)
    offer, own_offer = offers.get(practice__ods_code="Y01124"), offers.get(practice__ods_code="P85022")
    conversation = Enquiry.objects.exclude(source=Enquiry.Source.SPECIAL_MEASURES_OFFER).first()
    # The delivery record of DEMO-SHARED: an interview (RCGP only) and the shared review meeting; its case study.
    delivered = DeliveryRecord.objects.filter(contract__reference="DEMO-SHARED")
    interview, review = delivered.filter(kind="interview").first(), delivered.filter(kind="review_meeting").first()
    case_study = CaseStudy.objects.get(contract__reference="DEMO-SHARED")
    action = Action.objects.filter(plan__contract__reference="DEMO-SHARED").first()
    told = PatientInformation.objects.filter(practice__ods_code="P85022").first()
    notice = Notice.objects.filter(case__practice__ods_code="Y01124").first()
    record = MonitoringRecord.objects.filter(practice__ods_code="P85022").first()
    noted = ActionReviewNote.objects.first().action
    # NHS England's returns: the demo's North West return for the year's first deadline, resubmitted; a self-referral
    # waiting for the North West team's decision.
    year, submitted = current_financial_year(), DataReturn.objects.order_by("-number").first()
    waiting = Referral.objects.get(practice__ods_code="P85016")
    # The wider offer: the demo's upcoming conference and the past workshop with its attendance recorded.
    conference = Event.objects.get(title="Practice managers' conference")
    workshop = Event.objects.get(title="Leadership workshop for partners")
    return {
        "commissioner_lead": ["/practices/P85022/", "/contracts/DEMO-SHARED/", "/search/?q=P85022",
                              "/reports/programme-figures/", "/practices/", "/concerns/", at,
                              "/contracts/DEMO-PRIVATE/concerns/", "/accounts/password/", "/practices/Y01124/",
                              f"/practices/Y01124/inspections/{inspection.pk}/breaches/",
                              "/practices/Y01124/patient-information/new/", f"/contracts/offers/{offer.pk}/",
                              # The commissioner's casework: the risk register, contractual action, monitoring.
                              "/risk-register/", "/contractual/practices/Y01124/", f"/contractual/notices/{notice.pk}/",
                              "/monitoring/practices/P85022/", "/monitoring/practices/Y01124/readiness/new/",
                              # Delivering a contract: enquiries, the agreement, evaluation.
                              "/contracts/offers/new/", "/agreements/DEMO-NEW/terms/", "/agreements/DEMO-NEW/leads/",
                              "/agreements/DEMO-NEW/objectives/new/", "/agreements/DEMO-NEW/contributions/new/",
                              "/agreements/DEMO-PRIVATE/sign/commissioner/", "/evaluation/",
                              f"/evaluation/case-studies/{case_study.pk}/",
                              # Levels of support and the wider offer.
                              "/levels/", "/levels/practices/P85022/", "/events/", f"/events/{workshop.pk}/",
                              "/events/peer-support/"],
        "commissioner_peer_support": ["/accounts/api-tokens/", f"/practices/P85022/patient-information/{told.pk}/",
                                      "/monitoring/practices/P85022/records/new/", f"/monitoring/records/{record.pk}/",
                                      f"/monitoring/actions/{noted.pk}/notes/", "/delivery/DEMO-AWAYDAY/"],
        "rcgp_adviser": ["/contracts/DEMO-REPORT/", "/concerns/", at, "/contracts/DEMO-PRIVATE/concerns/new/",
                         "/accounts/password/", "/accounts/api-tokens/", "/contracts/DEMO-REPORT/plan/actions/new/",
                         "/delivery/DEMO-SHARED/meetings/new/", "/delivery/DEMO-SHARED/interviews/new/",
                         "/delivery/DEMO-SHARED/review-meetings/new/", f"/delivery/records/{interview.pk}/edit/",
                         "/finance/DEMO-SHARED/time/", "/evaluation/DEMO-SHARED/feedback/",
                         "/evaluation/DEMO-SHARED/reflections/", "/evaluation/DEMO-SHARED/reflection/",
                         reverse("forwardplans:action_edit", args=[action.pk])],
        "rcgp_deputy_lead": ["/contracts/board/", "/contracts/DEMO-REPORT/team/", "/concerns/", "/contracts/offers/",
                             f"/contracts/offers/{conversation.pk}/", "/agreements/DEMO-SHARED/",
                             "/delivery/DEMO-SHARED/", f"/delivery/records/{interview.pk}/", "/finance/DEMO-SHARED/",
                             "/finance/advisers/", "/evaluation/DEMO-SHARED/case-studies/new/",
                             f"/evaluation/case-studies/{case_study.pk}/edit/"],
        "rcgp_admin": ["/contracts/", "/search/?q=lees", "/reports/programme-figures/?programme=resilience", at,
                       "/accounts/api-tokens/all/", "/syncs/", "/contracts/offers/", f"/contracts/offers/{offer.pk}/",
                       f"/practices/Y01124/inspections/{inspection.pk}/enforcement/new/",
                       f"/practices/Y01124/enforcement/{enforcement.pk}/",
                       f"/practices/Y01124/enforcement/{enforcement.pk}/remove/",
                       "/reports/programme-figures/?programme=special_measures", "/risk-register/",
                       "/contracts/offers/new/", "/finance/DEMO-SHARED/invoices/", "/evaluation/",
                       "/levels/?level=rescue", "/levels/practices/Y01124/", "/events/new/",
                       f"/events/{conference.pk}/edit/", f"/events/{workshop.pk}/attendance/"],
        "practice_lead": ["/accounts/password/", "/contracts/DEMO-SHARED/plan/cqc-action-plan/",
                          "/contracts/DEMO-SHARED/plan/", f"/contracts/offers/{own_offer.pk}/",
                          "/delivery/DEMO-SHARED/", f"/delivery/records/{review.pk}/",
                          f"/evaluation/case-studies/{case_study.pk}/naming/"],
        "practice_user": ["/practices/P85022/", "/agreements/DEMO-SHARED/", "/events/", f"/events/{conference.pk}/"],
        "nhse_reporting": ["/practices/", "/finance/DEMO-SHARED/", "/evaluation/", "/returns/",
                           "/returns/regions/Y62/", "/returns/allocations/", f"/returns/targets/{year}/",
                           f"/returns/targets/{year}/1/", f"/returns/{year}/", f"/returns/{year}/1/england/",
                           f"/returns/data-returns/{submitted.pk}/"],
        "nhse_regional": ["/", "/returns/", f"/returns/{year}/1/Y62/", "/referrals/", f"/referrals/{waiting.pk}/",
                          f"/referrals/{waiting.pk}/regional-decision/", "/contracts/DEMO-SHARED/"],
    }


def _header_lines(page):
    """The distinct tops of the header's account items: one value, one line."""
    return page.evaluate("""() => [...new Set([...document.querySelectorAll('.nhsuk-header__account-item')]
        .map((item) => Math.round(item.getBoundingClientRect().top)))]""")


def test_every_other_page_passes_the_checks_for_each_role_that_uses_it(live_server, page):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    concern = concern_raise(contract=Contract.objects.get(reference="DEMO-PRIVATE"),
                            actor=User.objects.get(username="demo-rcgp_adviser"), category="safeguarding",
                            description="A child was left alone in the waiting room for an hour while the "
                            "reception desk was closed for lunch.",
                            observed_on=timezone.localdate() - datetime.timedelta(days=2),
                            people_involved="A locum GP and a receptionist.")
    problems = {}
    for role, paths in pages(concern).items():
        page.context.clear_cookies()
        page.set_viewport_size(DESKTOP)
        log_in(page, live_server, f"demo-{role}", settings.DEMO_PASSWORD)
        # "Log out" on the same line as the rest, even with a commissioner's long "role – ICB – sub-ICB location".
        assert len(_header_lines(page)) == 1, (role, _header_lines(page))
        journey = Journey(page, live_server)
        for path in paths:
            journey.go(path)
        journey.expect_not_found("/no-such-page/")
        if role == "commissioner_lead":
            journey.go("/concerns/").screenshot("concerns-list")
            journey.go(f"/concerns/{concern.pk}/").screenshot("concern-detail")
        if role == "rcgp_adviser":  # the form refused, with its errors, on a phone
            journey.go("/contracts/DEMO-PRIVATE/concerns/new/").screenshot("concern-new")
            page.get_by_role("button", name="Report the concern").click()
            journey.scan()
            assert page.locator(".nhsuk-error-summary").is_visible()
        if role == "nhse_reporting":  # every figure on NHSE's home downloads, as CSV and as Excel
            journey.go("/")
            links = page.locator(".app-downloads a").all()
            assert len(links) == 8
            for link in links:
                response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
                assert response.status == 200 and response.headers["content-disposition"].startswith(
                    "attachment; filename="), link.get_attribute("href")
        if role == "practice_user":  # the in-place RAG update can still be reached on the narrowest phone
            journey.go("/")
            page.set_viewport_size({"width": PHONES[-1], "height": 800})
            link = page.locator("#my-actions > tbody > tr").first.get_by_role("link", name="Update RAG")
            link.scroll_into_view_if_needed()
            box = link.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONES[-1]
            page.set_viewport_size(DESKTOP)
        problems.update({f"{role} {url}": found for url, found in journey.problems.items()})
    page.context.clear_cookies()
    visitor = Journey(page, live_server).go("/accounts/login/")
    problems.update({f"visitor {url}": found for url, found in visitor.problems.items()})
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())
