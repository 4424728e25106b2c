"""The checks every journey makes on every page catch what they are meant to catch."""

from .browser import axe_violations, duplicate_ids, overflow, unexpected_console_errors

WIDE = """<!doctype html><html lang="en"><head><title>Wide</title></head><body><main>
<h1>Wide</h1><table id="wide"><tr><td><img src="data:," alt="" width="600" height="1"></td></tr></table>
<label for="a">One</label><input id="a"><input id="a"><input type="checkbox" id="b"></main></body></html>"""
FITS = """<!doctype html><html lang="en"><head><title>Fits</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main><h1>Fits</h1>
<label for="a">One</label><input id="a"></main></body></html>"""


def test_the_checks_find_sideways_scrolling_duplicate_ids_and_unnamed_controls(page):
    page.set_content(WIDE)
    wide = overflow(page)
    assert set(wide) == {375, 320}
    assert wide[320]["page"] > 600 and any(e.startswith("table#wide") for e in wide[320]["elements"])
    assert page.viewport_size == {"width": 1280, "height": 900}  # put back as it was
    assert duplicate_ids(page) == ["a"]
    assert any(v.startswith("label (critical)") for v in axe_violations(page)), axe_violations(page)


def test_the_checks_pass_a_page_that_fits(page):
    page.set_content(FITS)
    assert overflow(page) == {}
    assert duplicate_ids(page) == []
    assert axe_violations(page) == []


def test_refusals_are_not_console_errors_but_script_errors_are(page):
    page.console_errors.extend(["Failed to load resource: the server responded with a status of 422 ()",
                                "Refused to apply inline style because it violates the following CSP directive"])
    assert unexpected_console_errors(page) == [
        "Refused to apply inline style because it violates the following CSP directive"]
    page.console_errors.clear()


def test_an_asset_that_fails_to_load_is_an_error(page):
    page.route("https://assets.example/**", lambda route: route.fulfill(status=404, body="Not found"))
    page.set_content('<!doctype html><html lang="en"><title>Asset</title>'
                     '<img src="https://assets.example/x.svg" alt="">')
    page.wait_for_load_state("networkidle")
    assert unexpected_console_errors(page)[-1] == "Missing image: https://assets.example/x.svg"
    page.console_errors.clear()
