"""The pages the role journeys do not pass through, checked the same way as theirs (Journey.scan: axe-core's WCAG
2.2 A and AA rules at any impact, no duplicate id, no console error, no sideways scrolling at 375 and 320 px), as
each role that uses them, on the demo data in headless Chromium."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from concerns.services import concern_raise
from contracts.models import Contract
from core.models import User

from .browser import DESKTOP, PHONES, Journey, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def pages(concern):
    at = f"/concerns/{concern.pk}/"
    return {
        "commissioner_lead": ["/practices/P85022/", "/contracts/DEMO-SHARED/", "/search/?q=P85022",
                              "/reports/programme-figures/", "/practices/", "/concerns/", at,
                              "/contracts/DEMO-PRIVATE/concerns/", "/accounts/password/"],
        "commissioner_peer_support": ["/accounts/api-tokens/"],
        "rcgp_adviser": ["/contracts/DEMO-REPORT/", "/concerns/", at, "/contracts/DEMO-PRIVATE/concerns/new/",
                         "/accounts/password/", "/accounts/api-tokens/"],
        "rcgp_deputy_lead": ["/contracts/board/", "/contracts/DEMO-REPORT/team/", "/concerns/"],
        "rcgp_admin": ["/contracts/", "/search/?q=lees", "/reports/programme-figures/?programme=resilience", at,
                       "/accounts/api-tokens/all/"],
        "practice_lead": ["/accounts/password/", "/contracts/DEMO-SHARED/plan/cqc-action-plan/"],
        "practice_user": ["/practices/P85022/"],
        "nhse_reporting": ["/practices/"],
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
