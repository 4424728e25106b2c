"""NHS England's regional decision on a self-referral (003 Annex B): who records it, when, with what, and how
commissioning resilience-programme support from the referral waits for it."""

import datetime

import pytest
from django.urls import reverse

from contracts.models import Contract, Referral, RegionalDecision
from contracts.referral_services import decline_reason, referral_assess, referral_regional_decide
from contracts.services import contract_commission
from core.errors import DomainError, StaleEdit
from core.roles import Role

from ..factories import ReferralFactory, user_for

pytestmark = pytest.mark.django_db

ASSESSMENT = {"statement_of_support": "We support it.", "priority": "high", "criteria": [], "matrix_scope": 4,
              "matrix_impact": 4, "matrix_justification": "Two GP vacancies."}
TERMS = {"value": 5000, "nhse_contribution": 5000, "practice_contribution": 0}


def assessed(world, where="own"):
    return ReferralFactory(practice=world["practices"][where], status=Referral.Status.ASSESSED)


def regional(world):
    return world["users"][Role.NHSE_REGIONAL]


def decide(referral, actor, decision=RegionalDecision.APPROVED, reason="Meets the criteria.", base_version=None):
    return referral_regional_decide(referral=referral, actor=actor, decision=decision, reason=reason,
                                    base_version=referral.version if base_version is None else base_version)


def commission(world, referral, programme="resilience"):
    return contract_commission(actor=world["users"][Role.COMMISSIONER_LEAD], practice=referral.practice,
                               programme=programme, commissioned_on=datetime.date(2026, 4, 1), referral=referral,
                               **TERMS)


def test_the_regional_team_approves_an_assessed_referral(world):
    referral = assessed(world)
    decided = decide(referral, regional(world))
    assert decided.regional_decision == RegionalDecision.APPROVED
    assert decided.regional_reason == "Meets the criteria."
    assert decided.regional_decided_by == regional(world) and decided.regional_decided_at
    assert decided.status == Referral.Status.ASSESSED and decided.version == referral.version + 1


def test_not_approved_ends_the_referral_with_the_reason_as_its_decline_reason(world):
    referral = decide(assessed(world), regional(world), RegionalDecision.NOT_APPROVED, "Outside the criteria.")
    assert referral.status == Referral.Status.DECLINED
    assert decline_reason(referral) == "Outside the criteria."
    with pytest.raises(DomainError, match="no longer be recorded"):
        decide(referral, regional(world))


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.NHSE_REGIONAL])
def test_only_the_regional_team_decides(world, role):
    referral = assessed(world)
    with pytest.raises(DomainError, match="Only NHS England's regional team"):
        decide(referral, world["users"][role])
    referral.refresh_from_db()
    assert referral.regional_decision == ""


def test_another_regions_team_cannot_decide(world):
    referral = assessed(world, "other")
    with pytest.raises(DomainError, match="Only NHS England's regional team"):
        decide(referral, regional(world))
    y63 = user_for(Role.NHSE_REGIONAL, region="Y63")
    assert decide(referral, y63).regional_decision == RegionalDecision.APPROVED


def test_the_decision_follows_the_commissioners_assessment(world):
    referral = ReferralFactory(practice=world["practices"]["own"])
    with pytest.raises(DomainError, match="has not assessed this referral yet"):
        decide(referral, regional(world))


@pytest.mark.parametrize(("decision", "reason", "message"), [
    ("approved", "  ", "Enter the reason for the regional decision."),
    ("not_approved", "", "Enter the reason for the regional decision."),
    ("maybe", "Because.", "Choose the regional decision"),
    ("approved", "word " * 201, "Reason for the regional decision"),
])
def test_bad_decisions_save_nothing(world, decision, reason, message):
    referral = assessed(world)
    with pytest.raises(DomainError, match=message):
        decide(referral, regional(world), decision, reason)
    referral.refresh_from_db()
    assert (referral.regional_decision, referral.status, referral.version) == ("", "assessed", 1)


def test_a_decision_on_an_older_version_is_refused(world):
    referral = assessed(world)
    referral_assess(referral=referral, actor=world["users"][Role.COMMISSIONER_LEAD], **ASSESSMENT)
    with pytest.raises(StaleEdit):
        decide(referral, regional(world), base_version=1)
    referral.refresh_from_db()
    assert referral.version == 2 and referral.regional_decision == ""


def test_resilience_commissioning_waits_for_the_approval(world):
    referral = assessed(world)
    with pytest.raises(DomainError, match="waits for NHS England's regional decision"):
        commission(world, referral)
    assert not Contract.objects.exists()
    decide(referral, regional(world))
    contract = commission(world, referral)
    referral.refresh_from_db()
    assert contract.referral == referral and referral.status == Referral.Status.ACCEPTED


def test_other_programmes_do_not_wait(world):
    referral = assessed(world)
    assert commission(world, referral, programme="ongoing_support").referral == referral


def test_the_page_records_the_decision(client, world):
    referral = assessed(world)
    client.force_login(regional(world))
    detail = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert reverse("referrals:regional_decision", args=[referral.pk]) in detail
    assert "Waiting for the decision of NHS England's regional team" in detail
    url = reverse("referrals:regional_decision", args=[referral.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="version" value="1"' in page.content.decode()
    response = client.post(url, {"decision": "approved", "reason": "Meets the criteria.", "version": "1"})
    assert response.status_code == 302
    detail = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Approved" in detail and "Meets the criteria." in detail


def test_the_page_shows_errors_and_keeps_what_was_typed(client, world):
    referral = assessed(world)
    client.force_login(regional(world))
    url = reverse("referrals:regional_decision", args=[referral.pk])
    response = client.post(url, {"reason": "Typed reason kept", "version": "1"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "nhsuk-error-summary" in html and "Choose the regional decision" in html
    assert "Typed reason kept" in html
    stale = client.post(url, {"decision": "approved", "reason": "Late", "version": "0"})
    assert stale.status_code == 422 and "Someone else changed this referral" in stale.content.decode()
    referral.refresh_from_db()
    assert referral.regional_decision == ""


def test_the_page_for_others(client, world):
    referral = assessed(world)
    url = reverse("referrals:regional_decision", args=[referral.pk])
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])  # sees the referral, may not decide: 403
    assert client.get(url).status_code == 403
    client.force_login(world["users"][Role.NHSE_REPORTING])  # does not see referrals: 404
    assert client.get(url).status_code == 404
    hidden = assessed(world, "other")
    client.force_login(regional(world))
    assert client.get(reverse("referrals:regional_decision", args=[hidden.pk])).status_code == 404


def test_the_regional_home_lists_the_referrals_waiting_for_its_decision(client, world, django_assert_max_num_queries):
    waiting = assessed(world)
    assessed(world, "other")
    decide(assessed(world), regional(world))
    client.force_login(regional(world))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["awaiting_decision"]] == [waiting.pk]
    html = response.content.decode()
    assert "Programme outcomes in North West" in html
    for _n in range(5):
        assessed(world)
    with django_assert_max_num_queries(40):
        client.get(reverse("home"))


def test_the_referrals_download_has_the_regional_decision(client, world):
    decide(assessed(world), regional(world))
    client.force_login(regional(world))
    lines = client.get(reverse("referrals:list"), {"format": "csv"}).content.decode().splitlines()
    assert lines[0].endswith(",Regional decision") and lines[1].endswith(",Approved")
