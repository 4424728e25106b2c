"""The agreement's rules, through its services: drafting from the contract, bad input refused with nothing saved,
stale saves refused with what changed, each party signing for itself, and the contract's agreement dates kept
current when the third party signs."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from agreements import services
from agreements.models import (
    PAYMENT_TERMS,
    TERMINATION_TERMS,
    Agreement,
    Contribution,
    Objective,
    ObjectiveGroup,
    Signature,
)
from contracts.models import Contract
from core.errors import DomainError, NotAllowed, NothingChanged, StaleEdit
from core.roles import Role

pytestmark = pytest.mark.django_db
R = Role
DAY = datetime.timedelta(days=1)


def _sign(agreement, user, party, on=None):
    agreement.refresh_from_db()
    return services.agreement_sign(agreement=agreement, actor=user, base_version=agreement.version, party=party,
                                   name=user.get_full_name() or "A Person", position="Partner",
                                   signed_on=on or timezone.localdate())


def test_a_draft_takes_the_seeds_terms_and_the_contracts_dates_and_objectives(world, contract):
    agreement = services.agreement_draft(contract=contract, actor=world["users"][R.COMMISSIONER_LEAD])
    assert (agreement.starts_on, agreement.ends_on) == (datetime.date(2026, 2, 1), datetime.date(2026, 8, 31))
    assert agreement.termination_terms == TERMINATION_TERMS and agreement.payment_terms == PAYMENT_TERMS
    assert "three months' notice" in agreement.termination_terms and "partial refund" in agreement.payment_terms
    objectives = sorted((o.group, o.objective, o.measure, o.achieve_by) for o in agreement.objectives.all())
    assert objectives == [(ObjectiveGroup.OPERATIONAL_STABILITY, "Recruit a salaried GP", "", None),
                          (ObjectiveGroup.OPERATIONAL_STABILITY, "Stabilise the rota", "", None),
                          (ObjectiveGroup.WAYS_OF_WORKING, "Weekly clinical meeting", "", None)]
    assert sorted(agreement.signatures.values_list("party", "signed_on")) == [
        ("commissioner", None), ("practice", None), ("rcgp", None)]
    assert sorted(agreement.leads.values_list("kind", "organisation")) == [
        ("operational", contract.commissioner.name), ("practice", contract.practice.name),
        ("strategic", contract.commissioner.name)]
    with pytest.raises(DomainError, match="already has an agreement"):
        services.agreement_draft(contract=contract, actor=world["users"][R.RCGP_ADMIN])


@pytest.mark.parametrize("role", [R.COMMISSIONER_PEER_SUPPORT, R.RCGP_ADVISER, R.PRACTICE_LEAD, R.NHSE_REPORTING])
def test_only_the_commissioner_lead_the_deputy_lead_or_rcgp_admin_drafts_it(world, contract, role):
    with pytest.raises(NotAllowed):
        services.agreement_draft(contract=contract, actor=world["users"][role])
    assert not Agreement.objects.exists()


def test_an_objective_without_a_measure_or_a_date_is_refused_and_nothing_saved(world, agreement):
    deputy = world["users"][R.RCGP_DEPUTY_LEAD]
    before = (Objective.objects.count(), agreement.version)
    for measure, by, message in (("", datetime.date(2026, 6, 1), "how we will know"),
                                 ("Audit shows it", None, "date the objective")):
        with pytest.raises(DomainError, match=message):
            services.objective_add(agreement=agreement, actor=deputy, base_version=agreement.version,
                                   group=ObjectiveGroup.FUTURE_SUSTAINABILITY, objective="Join a PCN hub",
                                   measure=measure, achieve_by=by)
    agreement.refresh_from_db()
    assert (Objective.objects.count(), agreement.version) == before


def test_a_negative_contribution_is_refused_and_a_sum_is_kept_as_money(world, agreement):
    lead = world["users"][R.COMMISSIONER_LEAD]
    with pytest.raises(DomainError, match="must be £0 or more"):
        services.contribution_add(agreement=agreement, actor=lead, base_version=agreement.version, theme="coaching",
                                  description="Mentoring", commissioner_amount=Decimal("-1"))
    assert not Contribution.objects.exists()
    made = services.contribution_add(agreement=agreement, actor=lead, base_version=agreement.version,
                                     theme="coaching", description="Mentoring for the partners",
                                     commissioner_amount="2500.50", practice_in_kind="Two hours protected a week",
                                     rcgp_amount=None, rcgp_detail="Adviser days from the costed plan")
    made.refresh_from_db()
    assert made.commissioner_amount == Decimal("2500.50") and made.rcgp_amount is None
    assert made.practice_in_kind == "Two hours protected a week"


def test_an_end_date_before_the_start_is_refused(world, agreement):
    with pytest.raises(DomainError, match="end date must be on or after the start date"):
        services.agreement_terms_update(agreement=agreement, actor=world["users"][R.RCGP_ADMIN],
                                        base_version=agreement.version, starts_on=datetime.date(2026, 5, 1),
                                        ends_on=datetime.date(2026, 4, 30))
    assert Agreement.objects.get(pk=agreement.pk).starts_on == datetime.date(2026, 2, 1)


def test_changing_the_dates_keeps_the_contracts_dates_current_and_nothing_else(world, agreement, contract):
    Contract.objects.filter(pk=contract.pk).update(value=Decimal("12000.00"))  # someone else's field, saved since
    services.agreement_terms_update(agreement=agreement, actor=world["users"][R.COMMISSIONER_LEAD],
                                    base_version=agreement.version, starts_on=datetime.date(2026, 3, 1),
                                    ends_on=datetime.date(2026, 9, 30))
    contract.refresh_from_db()
    assert (contract.mou_starts_on, contract.mou_ends_on) == (datetime.date(2026, 3, 1), datetime.date(2026, 9, 30))
    assert contract.value == Decimal("12000.00") and contract.mou_signed_on is None


def test_a_stale_save_is_refused_with_what_changed(world, agreement):
    lead, deputy = world["users"][R.COMMISSIONER_LEAD], world["users"][R.RCGP_DEPUTY_LEAD]
    seen = agreement.version
    services.agreement_terms_update(agreement=agreement, actor=lead, base_version=seen,
                                    exit_strategy="Hand over to the federation's practice manager support.")
    services.contribution_add(agreement=agreement, actor=lead, base_version=seen + 1, theme="workforce",
                              description="Locum cover")
    with pytest.raises(StaleEdit) as refused:
        services.agreement_terms_update(agreement=agreement, actor=deputy, base_version=seen,
                                        payment_terms="Paid in advance.")
    changes = dict(refused.value.changes)
    assert changes["Exit strategy"] == "Hand over to the federation's practice manager support."
    assert changes["Change"].startswith("contribution added")
    assert Agreement.objects.get(pk=agreement.pk).payment_terms == PAYMENT_TERMS
    with pytest.raises(NothingChanged):
        services.agreement_terms_update(agreement=agreement, actor=deputy, base_version=seen + 2)


def test_each_party_signs_for_itself(world, agreement):
    users = world["users"]
    for user, party in ((users[R.PRACTICE_USER], "practice"), (users[R.COMMISSIONER_PEER_SUPPORT], "commissioner"),
                        (users[R.RCGP_ADVISER], "rcgp"), (users[R.COMMISSIONER_LEAD], "practice"),
                        (users[R.PRACTICE_LEAD], "rcgp"), (users[R.RCGP_DEPUTY_LEAD], "commissioner")):
        with pytest.raises(NotAllowed):
            _sign(agreement, user, party)
    assert not Signature.objects.filter(signed_on__isnull=False).exists()


def test_a_signature_in_the_future_or_before_the_draft_is_refused(world, agreement):
    lead = world["users"][R.PRACTICE_LEAD]
    today = timezone.localdate()
    with pytest.raises(DomainError, match="today or in the past"):
        _sign(agreement, lead, "practice", on=today + DAY)
    Agreement.objects.filter(pk=agreement.pk).update(drafted_on=today - 2 * DAY)
    with pytest.raises(DomainError, match="on or after the day the agreement was drafted"):
        _sign(agreement, lead, "practice", on=today - 3 * DAY)
    assert not Signature.objects.filter(signed_on__isnull=False).exists()
    _sign(agreement, lead, "practice", on=today - 2 * DAY)
    with pytest.raises(DomainError, match="signed on"):
        _sign(agreement, lead, "practice")


def test_it_cannot_be_signed_while_an_objective_lacks_its_measure(world, contract):
    agreement = services.agreement_draft(contract=contract, actor=world["users"][R.RCGP_ADMIN])
    with pytest.raises(DomainError, match="Each objective needs how we will know"):
        _sign(agreement, world["users"][R.PRACTICE_LEAD], "practice")


def test_the_third_signature_signs_it_and_sets_the_contracts_signed_date(world, agreement, contract):
    users, today = world["users"], timezone.localdate()
    Agreement.objects.filter(pk=agreement.pk).update(drafted_on=today - 10 * DAY)
    _sign(agreement, users[R.PRACTICE_LEAD], "practice", on=today - 9 * DAY)
    _sign(agreement, users[R.RCGP_DEPUTY_LEAD], "rcgp", on=today - 3 * DAY)
    assert Agreement.objects.get(pk=agreement.pk).signed_on is None
    assert Contract.objects.get(pk=contract.pk).mou_signed_on is None
    Contract.objects.filter(pk=contract.pk).update(state="plan_agreed")  # another writer, meanwhile
    _sign(agreement, users[R.COMMISSIONER_LEAD], "commissioner", on=today - 5 * DAY)
    agreement.refresh_from_db()
    contract.refresh_from_db()
    assert agreement.signed_on == today - 3 * DAY  # the last signature's date, not the last one recorded
    assert (contract.mou_signed_on, contract.mou_starts_on, contract.mou_ends_on) == (
        today - 3 * DAY, datetime.date(2026, 2, 1), datetime.date(2026, 8, 31))
    assert contract.state == "plan_agreed"
    assert [row.history_change_reason for row in agreement.history.order_by("history_id")][-1] == (
        "signed by the commissioner")


def test_rcgp_admin_signs_for_the_rcgp_too(world, agreement):
    signature = _sign(agreement, world["users"][R.RCGP_ADMIN], "rcgp")
    assert signature.signed_on == timezone.localdate() and signature.recorded_by == world["users"][R.RCGP_ADMIN]


def test_once_a_party_has_signed_the_terms_are_fixed_but_the_leads_may_change(world, agreement):
    deputy = world["users"][R.RCGP_DEPUTY_LEAD]
    _sign(agreement, world["users"][R.PRACTICE_LEAD], "practice")
    agreement.refresh_from_db()
    objective = agreement.objectives.first()
    for call in (
            lambda v: services.agreement_terms_update(agreement=agreement, actor=deputy, base_version=v,
                                                      payment_terms="Changed."),
            lambda v: services.objective_remove(record=objective, actor=deputy, base_version=v),
            lambda v: services.contribution_add(agreement=agreement, actor=deputy, base_version=v,
                                                theme="other", description="More")):
        with pytest.raises(DomainError, match="has been signed"):
            call(agreement.version)
    assert Objective.objects.filter(pk=objective.pk).exists()
    services.agreement_leads_update(agreement=agreement, actor=deputy, base_version=agreement.version,
                                    leads={"practice": {"name": "Dr B Jones", "role": "Senior partner",
                                                        "email": "b.jones@example.nhs.uk"}})
    assert agreement.leads.get(kind="practice").name == "Dr B Jones"
    with pytest.raises(DomainError, match="correct format"):
        services.agreement_leads_update(agreement=agreement, actor=deputy, base_version=agreement.version + 1,
                                        leads={"strategic": {"email": "not-an-address"}})
