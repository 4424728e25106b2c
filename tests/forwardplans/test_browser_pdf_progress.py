"""A PDF being made, in headless Chromium with a real Celery worker (3 seconds a render): the panel says so in a
polite live region that stays in place while htmx polls, focus goes to that answer, and the download link appears
there by itself; without JavaScript a link checks again."""

import uuid

import pytest

from core.roles import Role
from forwardplans import services
from forwardplans.job_models import PdfStatus, StoredPdf

from ..browser import new_page, unexpected_console_errors, wait_until
from ..celery_worker import publishing_to, wait_for
from ..core.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
STATUS = "#pdf-status-plan"


def _sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_pdf_panel_shows_progress_then_the_download_in_place(live_server, page, browser, docs, start_worker):
    queue = f"jobs-browser-{uuid.uuid4().hex[:8]}"
    start_worker(queue=queue, env={"PDF_RENDER_TEST_DELAY": "3"})
    adviser = docs["users"][Role.RCGP_ADVISER]
    with publishing_to(queue):
        _sign_in(page, live_server, adviser)
        page.goto(f"{live_server.url}/contracts/DOC-1/plan/")
        create = page.get_by_role("button", name="Create PDF of the forward plan")
        create.click()
        status = page.locator(STATUS)
        status.get_by_text("The PDF is being created").wait_for()
        assert status.get_attribute("aria-live") == "polite"
        # Focus goes to the answer (htmx focuses [autofocus] as the new panel settles, just after it shows).
        wait_until(page, "document.activeElement.id === 'pdf-status-plan'", timeout=5)
        page.evaluate(f"document.querySelector('{STATUS}').keptInPlace = true")  # the same element later?
        assert status.get_by_role("link", name="Check if the PDF is ready").is_visible()

        wait_until(page, f"!!document.querySelector('{STATUS} [data-pdf-status=ready]')", timeout=60)
        assert page.evaluate(f"document.querySelector('{STATUS}').keptInPlace") is True  # updated inside it
        stored = StoredPdf.objects.get()
        assert stored.status == PdfStatus.READY
        link = status.get_by_role("link", name="Download PDF of the forward plan")
        assert link.get_attribute("href") == f"/pdfs/{stored.pk}/download/"
        assert page.locator("[hx-trigger='every 2s']").count() == 0  # polling has stopped
        assert unexpected_console_errors(page) == []

        # Without JavaScript: the form posts, the PDF page says it is being created, and a link checks again.
        services.action_set_rag(action=docs["action"], actor=adviser, to_status="amber", reason="Started",
                                base_version=docs["action"].version)
        plain = new_page(browser, java_script_enabled=False)
        try:
            _sign_in(plain, live_server, adviser)
            plain.goto(f"{live_server.url}/contracts/DOC-1/pdf/plan/")
            plain.get_by_role("button", name="Create PDF of the forward plan").click()
            assert plain.locator(STATUS).get_by_text("The PDF is being created").is_visible()
            newer = StoredPdf.objects.latest("pk")
            wait_for(lambda: StoredPdf.objects.get(pk=newer.pk).status == PdfStatus.READY, timeout=60,
                     message="the worker to make the second PDF")
            plain.get_by_role("link", name="Check if the PDF is ready").click()
            assert plain.locator(STATUS).get_by_role("link", name="Download PDF of the forward plan")\
                .get_attribute("href") == f"/pdfs/{newer.pk}/download/"
            # the earlier one, still there (no version kept: a draft, by its revision)
            assert plain.get_by_text("Draft, before version 1", exact=False).first.is_visible()
        finally:
            plain.context.close()
