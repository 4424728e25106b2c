"""The commissioner lead's assessment of a self-referral, with the keyboard alone, on the demo data: every box
has its own id and label, so ticking a criterion by its label ticks that criterion and no other, and the saved
assessment has exactly the criteria chosen (two boxes once shared an id, and the national scoring went wrong)."""

import pytest
from django.conf import settings
from django.core.management import call_command

from contracts.models import Referral

from ..browser import Journey, focused, log_in, tab_to

pytestmark = pytest.mark.django_db(transaction=True)

CHOSEN = ["High patients per WTE GP or WTE nurse", "Leadership or partner relationships"]


def ticked(page):
    """The label of every ticked criterion box, in page order."""
    return page.evaluate("""() => [...document.querySelectorAll('input[name=criteria]:checked')]
        .map((box) => document.querySelector(`label[for="${box.id}"]`).innerText.trim())""")


def test_commissioner_lead_assesses_a_referral_with_the_keyboard_alone(live_server, page):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    referral = Referral.objects.get(practice__ods_code="P85014")
    log_in(page, live_server, "demo-commissioner_lead", settings.DEMO_PASSWORD)
    journey = Journey(page, live_server).go(f"/referrals/{referral.pk}/assess/")

    # Every box is reachable by its own label: one label per box, each naming one box.
    boxes = page.evaluate("""() => [...document.querySelectorAll('input[name=criteria]')].map((box) => ({
        id: box.id, labels: document.querySelectorAll(`label[for="${box.id}"]`).length,
        same: document.querySelectorAll(`[id="${box.id}"]`).length}))""")
    assert len(boxes) == 16 and all(box["labels"] == 1 and box["same"] == 1 for box in boxes), boxes

    tab_to(page, lambda f: f["name"] == "statement_of_support")
    page.keyboard.type("We support this referral fully.")
    tab_to(page, lambda f: f["name"] == "priority")
    assert focused(page)["label"] == "High"
    page.keyboard.press("Space")
    for label in CHOSEN:
        tab_to(page, lambda f, label=label: f["name"] == "criteria" and f["label"] == label)
        page.keyboard.press("Space")
        assert ticked(page) == CHOSEN[:CHOSEN.index(label) + 1]  # that box, and no other, is ticked
    tab_to(page, lambda f: f["name"] == "matrix_scope")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["name"] == "matrix_impact")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["name"] == "matrix_justification")
    page.keyboard.type("Two GP vacancies and a leadership gap.")
    tab_to(page, lambda f: f["tag"] == "button" and "Save assessment" in f["text"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.scan()
    assert page.get_by_text("Assessment saved.").is_visible()

    referral.refresh_from_db()
    assert sorted(referral.criteria) == ["leadership", "patients_per_wte"]
    assert (referral.priority, referral.matrix_scope, referral.matrix_impact) == ("high", 1, 1)
    assert journey.problems == {}, journey.problems
