"""The referral assessment page and the commissioning pages' forms: every control its own id and label, errors
linked to their fields, and dates in the NHS date input."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from contracts.models import Contract
from core.roles import Role

from ..factories import ReferralFactory

pytestmark = pytest.mark.django_db


def controls(html):
    """(id, name) of every input, select and textarea of the page."""
    return re.findall(r'<(?:input|select|textarea)\b[^>]*?\bid="([^"]+)"[^>]*?\bname="([^"]+)"', html)


def labels_for(html):
    return Counter(re.findall(r'<label\b[^>]*\bfor="([^"]+)"', html))


def test_every_criterion_box_has_its_own_id_and_one_label(client, world):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    referral = ReferralFactory(practice=world["practices"]["own"])
    html = client.get(reverse("referrals:assess", kwargs={"pk": referral.pk})).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, count in ids.items() if count > 1] == []
    boxes = [control_id for control_id, name in controls(html) if name == "criteria"]
    assert len(boxes) == 16 and boxes[0] == "id_criteria"  # the first box is where the error summary links
    labels = labels_for(html)
    assert all(labels[box] == 1 for box in boxes)
    label_of = dict(re.findall(r'<label\b[^>]*\bfor="(id_criteria[^"]*)"[^>]*>\s*(.*?)\s*</label>', html, re.S))
    assert label_of["id_criteria-patients_per_wte"] == "High patients per WTE GP or WTE nurse"
    assert label_of["id_criteria-cqc_requires_improvement"] == "CQC rated Requires improvement"


def test_an_unfinished_assessment_names_each_missing_answer_and_links_to_it(client, world):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    referral = ReferralFactory(practice=world["practices"]["own"])
    html = client.post(reverse("referrals:assess", kwargs={"pk": referral.pk}),
                       {"criteria": ["patients_per_wte", "magic"]}).content.decode()
    summary = html[html.index("nhsuk-error-summary"):html.index("</ul>", html.index("nhsuk-error-summary"))]
    assert re.findall(r'<a href="#([^"]+)"', summary) == [
        "id_statement_of_support", "id_priority", "id_criteria", "id_matrix_scope", "id_matrix_impact",
        "id_matrix_justification"]
    assert re.search(r'id="id_criteria-patients_per_wte"[^>]*checked', html)  # the box ticked is still ticked


def test_commissioning_takes_its_dates_in_the_date_input(client, world):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    page = client.get(reverse("contracts:commission")).content.decode()
    for field in ("commissioned_on", "mou_starts_on", "mou_ends_on"):
        assert f'name="{field}-day"' in page and f'name="{field}-month"' in page and f'name="{field}-year"' in page
    assert 'name="mou_signed_on-day"' not in page  # signed when its parties sign the agreement (agreements app)
    assert 'type="date"' not in page
    practice = world["practices"]["own"]
    response = client.post(reverse("contracts:commission"), {
        "practice": practice.ods_code, "programme": "special_measures", "categories": ["diagnostic"],
        "commissioned_on-day": "2", "commissioned_on-month": "2", "commissioned_on-year": "2026",
        "mou_ends_on-day": "31", "mou_ends_on-month": "", "mou_ends_on-year": "2026",
        "value": "0", "nhse_contribution": "0", "practice_contribution": "0"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Date the agreement ends must include a month" in html
    assert re.search(r'<a href="#id_mou_ends_on-month"\s*>\s*Date the agreement ends must include a month', html)
    assert not Contract.objects.exists()


def test_first_contact_is_recorded_from_the_date_input(client, world):
    from ..factories import ContractFactory

    contract = ContractFactory(reference="31", practice=world["practices"]["own"], state="commissioned")
    client.force_login(world["users"][Role.RCGP_ADMIN])
    page = client.get(reverse("contracts:detail", args=["31"])).content.decode()
    assert 'name="contacted_on-day"' in page and 'type="date"' not in page
    day = contract.commissioned_on
    client.post(reverse("contracts:first_contact", args=["31"]), {
        "contacted_on-day": str(day.day), "contacted_on-month": str(day.month), "contacted_on-year": str(day.year)})
    contract.refresh_from_db()
    assert contract.first_contact_on == contract.commissioned_on
