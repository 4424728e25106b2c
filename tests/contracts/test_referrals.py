"""Resilience-programme self-referrals: submit, assess, acknowledge (10 working days), decline, who sees what."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Referral
from contracts.referral_services import (
    acknowledgement_status,
    decline_reason,
    referral_acknowledge,
    referral_assess,
    referral_decline,
    referral_submit,
)
from core.errors import DomainError
from core.roles import Role

from ..factories import CommissionerFactory, PracticeFactory, ReferralFactory, user_for

pytestmark = pytest.mark.django_db

D = datetime.date
WORDS_200 = " ".join(["word"] * 200)
WORDS_201 = " ".join(["word"] * 201)


def answers(**changes):
    """Valid answers for referral_submit."""
    return {
        "contact_name": "Dr Jo Lead", "contact_role": "Senior partner", "contact_email": "jo.lead@example.nhs.uk",
        "contact_phone": "0161 000 0000", "commissioner_supports": "yes",
        "categories": ["diagnostic", "coaching"], "past_rcgp_sm_programme": True, "past_rcgp_sm_year": 2019,
        "past_vulnerable_practice_programme": False, "past_resilience_programme": False,
        "past_resilience_years": "", "issues": "Two partners retired; locum spend is high.",
        "support_needed": "A diagnostic review and coaching for the new partners.", **changes,
    }


def form_data(**changes):
    """A valid POST of the self-referral page (a practice lead's: no practice or date of receipt)."""
    data = {
        "contact_name": "Dr Jo Lead", "contact_role": "Senior partner", "contact_email": "jo.lead@example.nhs.uk",
        "contact_phone": "0161 000 0000", "commissioner_supports": "dont_know",
        "categories": ["diagnostic", "workforce"], "past_rcgp_sm_programme": "on", "past_rcgp_sm_year": "2019",
        "issues": "Two partners retired;\nlocum spend is high.", "support_needed": "A diagnostic review.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def assessment(**changes):
    return {
        "statement_of_support": "We support this referral.", "priority": "high",
        "criteria": ["cqc_requires_improvement", "leadership"], "matrix_scope": 4, "matrix_impact": 5,
        "matrix_justification": "Leadership problems that support is likely to fix, with a large effect.", **changes,
    }


def legends(html):
    """The text of every fieldset legend on a page, in order."""
    found = re.findall(r"<legend[^>]*>(.*?)</legend>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", legend).split()) for legend in found]


def login(client, world, role):
    user = world["users"][role]
    client.force_login(user)
    return user


# --- Submitting --------------------------------------------------------------------------------

def test_practice_lead_submits_for_their_own_practice_in_the_browser(client, world):
    lead = login(client, world, Role.PRACTICE_LEAD)
    page = client.get(reverse("referrals:new"))
    assert page.status_code == 200
    form = page.context["form"]
    assert "practice" not in form.fields  # their practice is fixed
    assert "Own Practice" in page.content.decode()
    assert 'data-maxlength="200"' in page.content.decode() and 'data-count-type="words"' in page.content.decode()

    # Trying to slip in another practice changes nothing: there is no practice field to fill.
    response = client.post(reverse("referrals:new"), form_data(practice=world["practices"]["other"].pk))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", kwargs={"pk": referral.pk})
    assert referral.practice == world["practices"]["own"]
    assert referral.commissioner == world["own"]
    assert referral.submitted_by == lead
    assert referral.status == Referral.Status.SUBMITTED
    assert referral.received_on == timezone.localdate()
    assert referral.categories == ["diagnostic", "workforce"]
    assert referral.commissioner_supports == "dont_know"
    assert referral.past_rcgp_sm_programme and referral.past_rcgp_sm_year == 2019
    assert not referral.past_resilience_programme
    assert referral.issues == "Two partners retired;\nlocum spend is high."
    assert list(referral.group_practices.all()) == []
    assert referral.history.get().history_user == lead

    followed = client.get(response.url)
    assert "Self-referral submitted for Own Practice" in followed.content.decode()
    assert "Two partners retired;<br>locum spend is high." in followed.content.decode()


def test_submit_sets_acknowledgement_due_ten_working_days_after_receipt(world):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    # Received Fri 19 Dec 2025: Christmas, Boxing Day and New Year's Day skipped -> Wed 7 Jan 2026.
    referral = referral_submit(actor=lead, practice=world["practices"]["own"], received_on=D(2025, 12, 19),
                               **answers())
    assert referral.acknowledgement_due == D(2026, 1, 7)
    # Received Wed 1 Apr 2026: Good Friday and Easter Monday skipped -> Fri 17 Apr 2026.
    referral = referral_submit(actor=lead, practice=world["practices"]["own"], received_on=D(2026, 4, 1),
                               **answers())
    assert referral.acknowledgement_due == D(2026, 4, 17)


def test_practice_lead_cannot_refer_another_practice(world):
    lead = world["users"][Role.PRACTICE_LEAD]
    for practice in (world["practices"]["own_sibling"], world["practices"]["other"]):
        with pytest.raises(DomainError, match="only submit a self-referral for their own practice"):
            referral_submit(actor=lead, practice=practice, **answers())
    assert not Referral.objects.exists()


def test_practice_lead_cannot_name_practices_they_cannot_see_in_a_group(world):
    lead = world["users"][Role.PRACTICE_LEAD]
    with pytest.raises(DomainError, match="only name practices you can see"):
        referral_submit(actor=lead, practice=world["practices"]["own"],
                        group_practices=[world["practices"]["other"]], **answers())
    assert not Referral.objects.exists()


def test_commissioner_lead_refers_one_of_their_practices_with_a_group(client, world):
    lead = login(client, world, Role.COMMISSIONER_LEAD)
    own, sibling, other = (world["practices"][k] for k in ("own", "own_sibling", "other"))
    page = client.get(reverse("referrals:new"))
    form = page.context["form"]
    assert list(form.fields["practice"].queryset) == [own, sibling]
    assert set(form.fields["group_practices"].queryset) == {own, sibling}
    assert "Other Practice" not in page.content.decode()

    response = client.post(reverse("referrals:new"), form_data(
        practice=sibling.pk, group_practices=[own.pk, sibling.pk],
        **{"received_on-day": "19", "received_on-month": "12", "received_on-year": "2025"},
    ))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.practice, referral.commissioner, referral.submitted_by) == (sibling, world["own"], lead)
    assert list(referral.group_practices.all()) == [own]  # the lead practice is not repeated in the group
    assert referral.received_on == D(2025, 12, 19)
    assert referral.acknowledgement_due == D(2026, 1, 7)


def test_commissioner_lead_cannot_refer_another_commissioners_practice(client, world):
    lead = login(client, world, Role.COMMISSIONER_LEAD)
    other = world["practices"]["other"]
    response = client.post(reverse("referrals:new"), form_data(
        practice=other.pk, **{"received_on-day": "2", "received_on-month": "3", "received_on-year": "2026"}))
    assert response.status_code == 200
    assert response.context["form"].errors["practice"] == ["Choose a practice from the list."]
    with pytest.raises(DomainError, match="practice of your own commissioner"):
        referral_submit(actor=lead, practice=other, **answers())
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (Role.PRACTICE_LEAD, Role.COMMISSIONER_LEAD)])
def test_other_roles_cannot_open_or_post_the_referral_form(client, world, role):
    user = login(client, world, role)
    assert client.get(reverse("referrals:new")).status_code == 404
    assert client.post(reverse("referrals:new"), form_data()).status_code == 404
    with pytest.raises(DomainError, match="Only a practice lead, or a commissioner lead"):
        referral_submit(actor=user, practice=world["practices"]["own"], **answers())
    assert not Referral.objects.exists()


@pytest.mark.parametrize("field", ["issues", "support_needed"])
def test_201_word_answers_are_refused_and_nothing_is_saved(client, world, field):
    login(client, world, Role.PRACTICE_LEAD)
    response = client.post(reverse("referrals:new"), form_data(**{field: WORDS_201}))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors[field] == ["Use 200 words or fewer (you have used 201)."]
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert not Referral.objects.exists()

    label = {"issues": "Issues affecting service, staff and patients",
             "support_needed": "Support believed to be needed"}
    with pytest.raises(DomainError, match=rf"^{label[field]}: Use 200 words or fewer \(you have used 201\)\.$"):
        referral_submit(actor=world["users"][Role.PRACTICE_LEAD], practice=world["practices"]["own"],
                        **answers(**{field: WORDS_201}))
    assert not Referral.objects.exists()

    # Exactly 200 words is fine.
    assert client.post(reverse("referrals:new"), form_data(**{field: WORDS_200})).status_code == 302
    assert Referral.objects.count() == 1


def test_missing_answers_are_refused_with_clear_messages(client, world):
    login(client, world, Role.PRACTICE_LEAD)
    response = client.post(reverse("referrals:new"), form_data(
        categories=None, commissioner_supports=None, contact_email="not-an-email", issues=""))
    errors = response.context["form"].errors
    assert errors["categories"] == ["Choose at least one category of support."]
    assert errors["commissioner_supports"] == ["Say whether the commissioner supports this referral."]
    assert errors["contact_email"] == ["Enter an email address in the correct format, like name@example.nhs.uk."]
    assert errors["issues"] == ["Describe the issues affecting service, staff and patients."]
    assert not Referral.objects.exists()
    with pytest.raises(DomainError, match="Choose at least one category of support"):
        referral_submit(actor=world["users"][Role.PRACTICE_LEAD], practice=world["practices"]["own"],
                        **answers(categories=[]))
    with pytest.raises(DomainError, match="Unknown categories of support: free_money"):
        referral_submit(actor=world["users"][Role.PRACTICE_LEAD], practice=world["practices"]["own"],
                        **answers(categories=["free_money"]))
    assert not Referral.objects.exists()


def test_receipt_date_cannot_be_in_the_future(client, world):
    login(client, world, Role.COMMISSIONER_LEAD)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("referrals:new"), form_data(
        practice=world["practices"]["own"].pk, **{"received_on-day": str(tomorrow.day),
                                                  "received_on-month": str(tomorrow.month),
                                                  "received_on-year": str(tomorrow.year)}))
    assert response.context["form"].errors["received_on"] == [
        "The date the referral was received cannot be in the future."]
    response = client.post(reverse("referrals:new"), form_data(
        practice=world["practices"]["own"].pk,
        **{"received_on-day": "31", "received_on-month": "2", "received_on-year": "2026"}))
    assert response.context["form"].errors["received_on"] == ["Date the referral was received must be a real date"]
    assert not Referral.objects.exists()


# --- Assessing ---------------------------------------------------------------------------------

def test_commissioner_lead_assesses_in_the_browser(client, world):
    lead = login(client, world, Role.COMMISSIONER_LEAD)
    referral = ReferralFactory(practice=world["practices"]["own"])
    page = client.get(reverse("referrals:assess", kwargs={"pk": referral.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    # The national criteria as one question, a fieldset per domain inside it, then the scope and impact radios.
    assert legends(html) == [
        "Priority", "National criteria that apply", "Safety", "Workforce", "External perspective", "Organisational",
        "Efficiency", "Patient experience and access", "Scope for support", "Impact of support",
    ]
    assert "1 – Rare" in html and "5 – Very significant" in html
    assert 'id="support-matrix"' in html and "data-matrix-mark" not in html  # nothing placed yet

    response = client.post(reverse("referrals:assess", kwargs={"pk": referral.pk}), {
        "statement_of_support": "We support this.", "priority": "medium",
        "criteria": ["vacancies", "gpps_phone"], "matrix_scope": "3", "matrix_impact": "4",
        "matrix_justification": "Vacancies are the main problem.",
    })
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ASSESSED
    assert referral.priority == "medium"
    assert referral.criteria == ["vacancies", "gpps_phone"]
    assert (referral.matrix_scope, referral.matrix_impact) == (3, 4)
    assert referral.matrix_justification == "Vacancies are the main problem."
    assert referral.assessed_by == lead and referral.assessed_at is not None

    detail = client.get(response.url).content.decode()
    assert "Assessment saved." in detail
    assert "Scope 3 (Possible) × impact 4 (Significant)" in detail
    assert 'data-scope="3" data-impact="4"><strong class="nhsuk-tag nhsuk-tag--purple" data-matrix-mark>' \
           'Placed here</strong>' in detail
    assert detail.count("Placed here") == 1
    assert "Vacancies, including long-term illness" in detail


def test_another_commissioners_lead_gets_404_and_cannot_assess(client, world):
    referral = ReferralFactory(practice=world["practices"]["other"])
    own_lead = login(client, world, Role.COMMISSIONER_LEAD)
    url = reverse("referrals:assess", kwargs={"pk": referral.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {**assessment(), "matrix_scope": "4", "matrix_impact": "5"}).status_code == 404
    with pytest.raises(DomainError, match="Only a commissioner lead of the referral's commissioner"):
        referral_assess(referral=referral, actor=own_lead, **assessment())
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED and referral.assessed_at is None

    # The other commissioner's own lead may.
    other_lead = user_for(Role.COMMISSIONER_LEAD, commissioner=world["other"])
    referral_assess(referral=referral, actor=other_lead, **assessment())
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ASSESSED


@pytest.mark.parametrize("role", [Role.COMMISSIONER_PEER_SUPPORT, Role.PRACTICE_LEAD, Role.RCGP_ADMIN])
def test_users_who_see_a_referral_but_may_not_assess_it_are_refused(client, world, role):
    referral = ReferralFactory(practice=world["practices"]["own"])
    user = login(client, world, role)
    assert client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).status_code == 200
    assert client.get(reverse("referrals:assess", kwargs={"pk": referral.pk})).status_code == 403
    with pytest.raises(DomainError):
        referral_assess(referral=referral, actor=user, **assessment())
    assert "Assess this referral" not in client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content \
        .decode()


@pytest.mark.parametrize(("field", "value"), [("matrix_scope", "0"), ("matrix_scope", "6"), ("matrix_impact", "6"),
                                              ("matrix_impact", "")])
def test_scope_and_impact_outside_1_to_5_are_refused(client, world, field, value):
    login(client, world, Role.COMMISSIONER_LEAD)
    referral = ReferralFactory(practice=world["practices"]["own"])
    data = {**assessment(), "matrix_scope": "4", "matrix_impact": "5", field: value}
    response = client.post(reverse("referrals:assess", kwargs={"pk": referral.pk}), data)
    assert response.status_code == 200
    what = "scope for support" if field == "matrix_scope" else "impact of support"
    assert response.context["form"].errors[field] == [f"Choose the {what} from 1 to 5."]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED and referral.matrix_scope is None


@pytest.mark.parametrize("value", [0, 6, -1, True, "3", None])
def test_service_refuses_scale_values_outside_1_to_5(world, value):
    referral = ReferralFactory(practice=world["practices"]["own"])
    lead = world["users"][Role.COMMISSIONER_LEAD]
    with pytest.raises(DomainError, match="Choose the scope for support from 1 to 5"):
        referral_assess(referral=referral, actor=lead, **assessment(matrix_scope=value))
    with pytest.raises(DomainError, match="Choose the impact of support from 1 to 5"):
        referral_assess(referral=referral, actor=lead, **assessment(matrix_impact=value))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_missing_justification_and_long_statement_are_refused(client, world):
    login(client, world, Role.COMMISSIONER_LEAD)
    lead = world["users"][Role.COMMISSIONER_LEAD]
    referral = ReferralFactory(practice=world["practices"]["own"])
    url = reverse("referrals:assess", kwargs={"pk": referral.pk})
    response = client.post(url, {**assessment(), "matrix_scope": "4", "matrix_impact": "5",
                                 "matrix_justification": "   ", "statement_of_support": WORDS_201})
    errors = response.context["form"].errors
    assert errors["matrix_justification"] == ["Explain why the referral is placed where it is on the support matrix."]
    assert errors["statement_of_support"] == ["Use 200 words or fewer (you have used 201)."]
    with pytest.raises(DomainError, match="Explain why the referral is placed where it is"):
        referral_assess(referral=referral, actor=lead, **assessment(matrix_justification=" "))
    with pytest.raises(DomainError, match=r"Statement of support: Use 200 words or fewer \(you have used 201\)"):
        referral_assess(referral=referral, actor=lead, **assessment(statement_of_support=WORDS_201))
    with pytest.raises(DomainError, match="Unknown national criteria: made_up"):
        referral_assess(referral=referral, actor=lead, **assessment(criteria=["made_up"]))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED and not referral.statement_of_support


def test_assessment_page_keeps_the_earlier_assessment_and_marks_its_cell(client, world):
    login(client, world, Role.COMMISSIONER_LEAD)
    referral = ReferralFactory(practice=world["practices"]["own"])
    referral_assess(referral=referral, actor=world["users"][Role.COMMISSIONER_LEAD],
                    **assessment(matrix_scope=2, matrix_impact=1))
    html = client.get(reverse("referrals:assess", kwargs={"pk": referral.pk})).content.decode()
    assert 'data-scope="2" data-impact="1"><strong class="nhsuk-tag nhsuk-tag--purple"' in html
    assert 'value="high" checked' in html
    assert "Leadership problems that support is likely to fix" in html


# --- Acknowledging -----------------------------------------------------------------------------

def test_acknowledgement_met_late_overdue_and_waiting(world):
    # Received Mon 2 Mar 2026; due Mon 16 Mar 2026 (two plain weeks).
    referral = ReferralFactory(practice=world["practices"]["own"], received_on=D(2026, 3, 2),
                               acknowledgement_due=D(2026, 3, 16))
    status = acknowledgement_status(referral, today=D(2026, 3, 10))
    assert (status.key, status.label) == ("waiting", "Waiting")
    assert status.detail == "Not yet acknowledged: due by 16 March 2026 (4 working days left)."
    status = acknowledgement_status(referral, today=D(2026, 3, 16))
    assert (status.key, status.label) == ("waiting", "Due today")
    status = acknowledgement_status(referral, today=D(2026, 3, 18))
    assert (status.key, status.label, status.tag_classes) == ("overdue", "Overdue", "nhsuk-tag--red")
    assert status.detail == "Not yet acknowledged: due 16 March 2026, 2 working days ago."

    lead = world["users"][Role.COMMISSIONER_LEAD]
    referral_acknowledge(referral=referral, actor=lead, acknowledged_on=D(2026, 3, 16))
    referral.refresh_from_db()
    assert referral.acknowledgement_met is True
    assert acknowledgement_status(referral, today=D(2026, 5, 1)).key == "met"

    late = ReferralFactory(practice=world["practices"]["own"], received_on=D(2026, 3, 2),
                           acknowledgement_due=D(2026, 3, 16))
    referral_acknowledge(referral=late, actor=lead, acknowledged_on=D(2026, 3, 17))
    late.refresh_from_db()
    assert late.acknowledgement_met is False
    status = acknowledgement_status(late)
    assert (status.key, status.label) == ("late", "Not met")
    assert status.detail == "Acknowledged on 17 March 2026, 1 working day late."


def test_acknowledgement_over_christmas_is_met_on_the_tenth_working_day(world):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    on_time = referral_submit(actor=lead, practice=world["practices"]["own"], received_on=D(2025, 12, 19),
                              **answers())
    referral_acknowledge(referral=on_time, actor=lead, acknowledged_on=D(2026, 1, 7))
    late = referral_submit(actor=lead, practice=world["practices"]["own"], received_on=D(2025, 12, 19),
                           **answers())
    referral_acknowledge(referral=late, actor=lead, acknowledged_on=D(2026, 1, 8))
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.acknowledgement_met is True
    assert late.acknowledgement_met is False


def test_acknowledgement_date_rules(world):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    referral = ReferralFactory(practice=world["practices"]["own"], received_on=D(2026, 3, 2),
                               acknowledgement_due=D(2026, 3, 16))
    with pytest.raises(DomainError, match=r"cannot be before the referral was received \(2 March 2026\)"):
        referral_acknowledge(referral=referral, actor=lead, acknowledged_on=D(2026, 3, 1))
    with pytest.raises(DomainError, match="cannot be in the future"):
        referral_acknowledge(referral=referral, actor=lead,
                             acknowledged_on=timezone.localdate() + datetime.timedelta(days=1))
    referral.refresh_from_db()
    assert referral.acknowledged_on is None
    referral_acknowledge(referral=referral, actor=world["users"][Role.RCGP_ADMIN], acknowledged_on=D(2026, 3, 2))
    with pytest.raises(DomainError, match="already acknowledged on 2 March 2026"):
        referral_acknowledge(referral=referral, actor=lead, acknowledged_on=D(2026, 3, 3))
    referral.refresh_from_db()
    assert referral.acknowledged_on == D(2026, 3, 2)


def test_acknowledge_in_the_browser(client, world):
    login(client, world, Role.COMMISSIONER_LEAD)
    referral = ReferralFactory(practice=world["practices"]["own"], received_on=D(2026, 3, 2),
                               acknowledgement_due=D(2026, 3, 16))
    detail_url = reverse("referrals:detail", kwargs={"pk": referral.pk})
    url = reverse("referrals:acknowledge", kwargs={"pk": referral.pk})
    page = client.get(detail_url)
    html = page.content.decode()
    assert "Assess this referral" in html and "Record acknowledgement" in html
    today = timezone.localdate()
    assert page.context["acknowledgement_form"]["acknowledged_on"].value() == {
        "day": str(today.day), "month": str(today.month), "year": str(today.year)}
    assert client.get(url).status_code == 405

    # A date before receipt: the detail page again, with the problem and nothing saved.
    response = client.post(url, {"acknowledged_on-day": "1", "acknowledged_on-month": "3",
                                 "acknowledged_on-year": "2026"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "cannot be before the referral was received" in response.content.decode()
    referral.refresh_from_db()
    assert referral.acknowledged_on is None

    response = client.post(url, {"acknowledged_on-day": "13", "acknowledged_on-month": "3",
                                 "acknowledged_on-year": "2026"})
    assert response.status_code == 302 and response.url == detail_url
    referral.refresh_from_db()
    assert referral.acknowledged_on == D(2026, 3, 13)
    html = client.get(detail_url).content.decode()
    assert "Acknowledgement recorded for 13 March 2026." in html
    assert "nhsuk-tag--green" in html and "Acknowledged on 13 March 2026, within 10 working days." in html
    assert "Record acknowledgement" not in html


def test_who_may_record_an_acknowledgement(client, world):
    own = ReferralFactory(practice=world["practices"]["own"])
    other = ReferralFactory(practice=world["practices"]["other"])
    data = {"acknowledged_on-day": "3", "acknowledged_on-month": "3", "acknowledged_on-year": "2026"}
    login(client, world, Role.COMMISSIONER_LEAD)
    assert client.post(reverse("referrals:acknowledge", kwargs={"pk": other.pk}), data).status_code == 404
    for role in (Role.COMMISSIONER_PEER_SUPPORT, Role.PRACTICE_LEAD):
        login(client, world, role)
        assert client.post(reverse("referrals:acknowledge", kwargs={"pk": own.pk}), data).status_code == 403
    login(client, world, Role.RCGP_ADMIN)
    assert client.post(reverse("referrals:acknowledge", kwargs={"pk": other.pk}), data).status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.acknowledged_on is None
    assert other.acknowledged_on == D(2026, 3, 3)


# --- Declining ---------------------------------------------------------------------------------

def test_commissioner_lead_declines_with_a_reason(client, world):
    login(client, world, Role.COMMISSIONER_LEAD)
    referral = ReferralFactory(practice=world["practices"]["own"])
    url = reverse("referrals:decline", kwargs={"pk": referral.pk})
    response = client.post(url, {"reason": ""})
    assert response.context["form"].errors["reason"] == ["Give the reason the referral is not supported."]
    response = client.post(url, {"reason": "Support is already in place from the LMC <b>now</b>."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    assert decline_reason(referral) == "Support is already in place from the LMC <b>now</b>."
    html = client.get(response.url).content.decode()
    assert "Not supported" in html and "from the LMC &lt;b&gt;now&lt;/b&gt;." in html
    assert "Assess this referral" not in html
    with pytest.raises(DomainError, match="no longer be assessed"):
        referral_assess(referral=referral, actor=world["users"][Role.COMMISSIONER_LEAD], **assessment())
    with pytest.raises(DomainError, match="no longer be assessed or declined"):
        referral_decline(referral=referral, actor=world["users"][Role.COMMISSIONER_LEAD], reason="Again.")


# --- Who sees what -----------------------------------------------------------------------------

@pytest.fixture
def referrals(world):
    p = world["practices"]
    return {
        "own": ReferralFactory(practice=p["own"], received_on=D(2026, 3, 4), acknowledgement_due=D(2026, 3, 18)),
        "sibling": ReferralFactory(practice=p["own_sibling"], received_on=D(2026, 3, 3),
                                   acknowledgement_due=D(2026, 3, 17)),
        "other": ReferralFactory(practice=p["other"], received_on=D(2026, 3, 2), acknowledgement_due=D(2026, 3, 16)),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.PRACTICE_USER, ["own"]),
        (Role.PRACTICE_LEAD, ["own"]),
        (Role.COMMISSIONER_PEER_SUPPORT, ["own", "sibling"]),
        (Role.COMMISSIONER_LEAD, ["own", "sibling"]),
        (Role.RCGP_ADMIN, ["own", "sibling", "other"]),
        (Role.RCGP_DEPUTY_LEAD, []),
        (Role.RCGP_ADVISER, []),
        (Role.NHSE_REPORTING, []),
    ],
)
def test_list_and_detail_visibility_per_role(client, world, referrals, role, visible):
    login(client, world, role)
    response = client.get(reverse("referrals:list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [referrals[k] for k in visible]
    html = response.content.decode()
    for key, referral in referrals.items():
        detail = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk}))
        assert detail.status_code == (200 if key in visible else 404), key
        assert (referral.practice.name in html) == (key in visible)
    assert ("There are no self-referrals you can see." in html) == (not visible)


def test_a_group_practice_sees_the_group_referral(client, world):
    referral = ReferralFactory(practice=world["practices"]["own_sibling"])
    referral.group_practices.add(world["practices"]["own"])
    login(client, world, Role.PRACTICE_USER)
    assert client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).status_code == 200
    assert list(client.get(reverse("referrals:list")).context["page"].object_list) == [referral]


def test_list_shows_acknowledgement_in_words(client, world):
    ReferralFactory(practice=world["practices"]["own"], received_on=D(2025, 1, 6), acknowledgement_due=D(2025, 1, 20))
    ReferralFactory(practice=world["practices"]["own"], received_on=D(2025, 2, 3), acknowledgement_due=D(2025, 2, 17),
                    acknowledged_on=D(2025, 2, 10))
    waiting = timezone.localdate()
    ReferralFactory(practice=world["practices"]["own_sibling"], received_on=waiting,
                    acknowledgement_due=waiting + datetime.timedelta(days=14))
    login(client, world, Role.COMMISSIONER_PEER_SUPPORT)
    html = client.get(reverse("referrals:list")).content.decode()
    assert "Overdue" in html and "Due 20 January 2025" in html
    assert "Met" in html and "acknowledged 10 February 2025" in html
    assert "Waiting" in html
    assert "Make a self-referral" not in html  # peer support does not refer
    login(client, world, Role.COMMISSIONER_LEAD)
    assert "Make a self-referral" in client.get(reverse("referrals:list")).content.decode()


def test_free_text_is_escaped(client, world):
    referral = ReferralFactory(
        practice=world["practices"]["own"], contact_name="<b>Dr Bold</b>",
        issues="<script>alert('issues')</script>\nsecond line", support_needed="<img src=x onerror=alert(1)>",
        statement_of_support="<i>yes</i>", matrix_justification="<u>why</u>", matrix_scope=1, matrix_impact=1,
        priority="low", assessed_at=timezone.now(), status="assessed",
        assessed_by=world["users"][Role.COMMISSIONER_LEAD],
    )
    login(client, world, Role.COMMISSIONER_LEAD)
    html = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;issues&#39;)&lt;/script&gt;<br>second line" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>Dr Bold</b>" not in html and "&lt;b&gt;Dr Bold&lt;/b&gt;" in html
    assert "<i>yes</i>" not in html and "&lt;i&gt;yes&lt;/i&gt;" in html
    assert "<u>why</u>" not in html and "&lt;u&gt;why&lt;/u&gt;" in html
    html = client.get(reverse("referrals:assess", kwargs={"pk": referral.pk})).content.decode()
    assert "<i>yes</i>" not in html and "&lt;i&gt;yes&lt;/i&gt;" in html


def test_unknown_referral_is_404(client, world):
    login(client, world, Role.RCGP_ADMIN)
    assert client.get(reverse("referrals:detail", kwargs={"pk": 999999})).status_code == 404


def test_a_practice_of_a_sub_icb_location_is_referred_by_the_icb_lead_and_belongs_to_its_own_commissioner(world):
    location = CommissionerFactory(ods_code="03C", parent=world["own"])
    practice = PracticeFactory(commissioner=location)
    referral = referral_submit(actor=world["users"][Role.COMMISSIONER_LEAD], practice=practice,
                               received_on=D(2026, 4, 1), **answers())
    assert referral.commissioner == location
    assert referral.acknowledgement_due == D(2026, 4, 17)
    # The ICB's lead may assess it; the other commissioner's lead may not.
    referral_assess(referral=referral, actor=world["users"][Role.COMMISSIONER_LEAD], **assessment())
    with pytest.raises(DomainError):
        referral_decline(referral=referral, actor=user_for(Role.COMMISSIONER_LEAD, commissioner=world["other"]),
                         reason="No.")
