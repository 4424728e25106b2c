"""Headless Chromium (Debian's chromium, driven by Playwright) for browser journeys."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/London")
    # axe-core from npm, added by the browser itself (not the page), so the site's CSP stays in force.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.set_default_timeout(15000)
    yield page
    context.close()


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def axe_violations(page):
    """Serious and critical accessibility violations on the current page (axe-core)."""
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


class Journey:
    """Visits pages as one user and scans each page it lands on with axe."""

    def __init__(self, page, live_server):
        self.page, self.live_server, self.scanned, self.problems = page, live_server, [], {}

    def scan(self):
        self.page.wait_for_load_state("networkidle")
        url = self.page.url.replace(self.live_server.url, "")
        violations = axe_violations(self.page)
        self.scanned.append(url)
        if violations:
            self.problems[url] = violations
        return self

    def go(self, path):
        self.page.goto(f"{self.live_server.url}{path}")
        return self.scan()

    def expect_not_found(self, path):
        """A page this user may not see: the friendly 404 page (its own 404 is not a console error)."""
        before = len(self.page.console_errors)
        response = self.page.goto(f"{self.live_server.url}{path}")
        assert response.status == 404, path
        assert self.page.get_by_role("heading", name="Page not found").is_visible()
        del self.page.console_errors[before:]
        return self.scan()

    def screenshot(self, name):
        folder = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def wait_until(page, expression, timeout=15.0):
    """Wait until a JavaScript expression is true in the page. Playwright's wait_for_function compiles its predicate
    with eval inside the page, which the site's CSP (rightly) refuses; page.evaluate is not subject to it."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Not true within {timeout}s: {expression}")
        page.wait_for_timeout(100)
