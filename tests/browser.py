"""Headless Chromium (Debian's chromium, driven by Playwright) for browser journeys.

Every page a journey visits is checked the same way (``Journey.scan``): axe-core's WCAG 2.0-2.2 A and AA rules at
every impact, no duplicate ids, no console error, and no sideways scrolling at phone widths (WCAG 2.2 reflow)."""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}
PHONES = (375, 320)  # a common phone, and WCAG 2.2's reflow width (1.4.10)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
# Chromium logs every 4xx answer as a console error. The service answers a refused form or move with one on
# purpose (403 with the reason, 409 for a stale edit, 410 a link that has ended, 413 too large, 422 invalid) and a
# hidden page with 404: those are the page working, not failing. Anything else in the console (a CSP refusal, a
# script error) is a defect.
EXPECTED_REFUSAL = re.compile(
    r"^Failed to load resource: the server responded with a status of (403|404|409|410|413|422)")


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def new_page(browser, **context_options):
    """A page in a context of its own, with axe-core loaded and its console errors and script errors collected.
    axe-core (from npm) is added by the browser itself, not the page, so the site's CSP stays in force."""
    options = {"viewport": DESKTOP, "locale": "en-GB", "timezone_id": "Europe/London", **context_options}
    context = browser.new_context(**options)
    if options.get("java_script_enabled", True):
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(f"Script error: {error}"))
    # A refused form answers 4xx on purpose; a stylesheet, script, image or font that fails to load never should.
    page.on("response", lambda response: response.status >= 400
            and response.request.resource_type not in ("document", "xhr", "fetch")
            and page.console_errors.append(f"Missing {response.request.resource_type}: {response.url}"))
    page.set_default_timeout(15000)
    return page


def unexpected_console_errors(page):
    return [text for text in page.console_errors if not EXPECTED_REFUSAL.match(text)]


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()
    assert unexpected_console_errors(page) == [], "Console errors: " + "; ".join(unexpected_console_errors(page))


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def axe_violations(page):
    """Every WCAG 2.2 A and AA violation axe-core finds on the current page, at any impact."""
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]


def duplicate_ids(page):
    """Ids used more than once (axe-core no longer checks this for every element: a label's `for` and a summary's
    link then reach the wrong control)."""
    return page.evaluate("""() => {
        const seen = {};
        for (const element of document.querySelectorAll('[id]')) seen[element.id] = (seen[element.id] || 0) + 1;
        return Object.keys(seen).filter((id) => seen[id] > 1);
    }""")


def overflow(page, widths=PHONES):
    """For each phone width at which the page scrolls sideways: the page's width and the widest elements that
    stick out (WCAG 2.2 1.4.10 Reflow). The viewport goes back to what it was."""
    before, problems = page.viewport_size, {}
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        found = page.evaluate("""async (width) => {
            // The NHS header lays its menu out again a frame or two after a resize: measure once it is still.
            let page = -1;
            for (let still = 0, i = 0; still < 3 && i < 40; i++) {
                await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 30)));
                const now = document.documentElement.scrollWidth;
                still = now === page ? still + 1 : 0;
                page = now;
            }
            if (page <= width) return null;
            const out = [];
            for (const element of document.body.querySelectorAll('*')) {
                const box = element.getBoundingClientRect();
                if (box.right > width + 1 && box.width > 0) {
                    const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
                        + (element.classList.length ? '.' + [...element.classList].join('.') : '');
                    out.push(`${name} (${Math.round(box.right)}px)`);
                }
            }
            return {page, elements: out.slice(0, 5)};
        }""", width)
        if found:
            problems[width] = found
    page.set_viewport_size(before)
    return problems


class Journey:
    """Visits pages as one user and checks each page it lands on (axe, ids, console, phone widths)."""

    def __init__(self, page, live_server):
        self.page, self.live_server, self.scanned, self.problems = page, live_server, [], {}
        self._console_seen = 0

    def scan(self):
        self.page.wait_for_load_state("networkidle")
        url = self.page.url.replace(self.live_server.url, "")
        found = axe_violations(self.page)
        found += [f"duplicate id: {name}" for name in duplicate_ids(self.page)]
        found += [f"scrolls sideways at {width}px: {result}" for width, result in overflow(self.page).items()]
        new_errors, self._console_seen = self.page.console_errors[self._console_seen:], len(self.page.console_errors)
        found += [f"console: {text}" for text in new_errors if not EXPECTED_REFUSAL.match(text)]
        self.scanned.append(url)
        if found:
            self.problems.setdefault(url, []).extend(found)
        return self

    def go(self, path):
        self.page.goto(f"{self.live_server.url}{path}")
        return self.scan()

    def expect_not_found(self, path):
        """A page this user may not see: the friendly 404 page."""
        response = self.page.goto(f"{self.live_server.url}{path}")
        assert response.status == 404, path
        assert self.page.get_by_role("heading", name="Page not found").is_visible()
        return self.scan()

    def screenshot(self, name, width=375):
        """The page as a phone shows it, for the README (docs/screenshots/)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        before = self.page.viewport_size
        self.page.set_viewport_size({"width": width, "height": 800})
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
        self.page.set_viewport_size(before)


def focused(page):
    """What has focus: its id, tag, type, name, classes, role, text, checked state and its label's text."""
    return page.evaluate("""() => {
        const element = document.activeElement;
        const label = element.id ? document.querySelector(`label[for="${element.id}"]`) : null;
        return {id: element.id, tag: element.tagName.toLowerCase(), type: element.type || '', name: element.name || '',
                classes: [...element.classList], role: element.getAttribute('role'), text: element.innerText || '',
                label: label ? label.innerText.trim() : null, checked: !!element.checked};
    }""")


def tab_to(page, wanted, limit=200):
    """Press Tab until ``wanted(focused(page))`` is true, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted(focused(page)):
            return focused(page)
    raise AssertionError(f"Not reached with Tab in {limit} presses; focus is on {focused(page)}")


def wait_until(page, expression, timeout=15.0):
    """Wait until a JavaScript expression is true in the page. Playwright's wait_for_function compiles its predicate
    with eval inside the page, which the site's CSP (rightly) refuses; page.evaluate is not subject to it."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Not true within {timeout}s: {expression}")
        page.wait_for_timeout(100)
