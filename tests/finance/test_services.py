"""The rules of the delivery cost and of payments, through the services: what they save, and every refusal (a
clear message, nothing saved)."""

import datetime
from decimal import Decimal

import pytest

from contracts.models import Contract, Payment, Variation
from core.errors import DomainError, NotAllowed, StaleEdit
from core.roles import Role
from finance import payment_services as pay
from finance import services
from finance.models import ExtraDays, OtherCost, PlanLine, TimeEntry
from tests.factories import AdviserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def plan(d, adviser=None, activity="scoping", days="2", rate="600.00"):
    return services.plan_line_add(contract=d["contract"], actor=d["lead"], adviser=adviser or d["adviser"],
                                  activity=activity, days=D(days), day_rate=D(rate))


def log(d, days="1", actor=None, adviser=None, activity="scoping", worked_on=None):
    return services.time_log(contract=d["contract"], actor=actor or d["users"][Role.RCGP_ADVISER],
                             adviser=adviser or d["adviser"], worked_on=worked_on or d["today"],
                             activity=activity, days=D(days))


def refused(call, message):
    with pytest.raises(DomainError) as error:
        call()
    assert message in str(error.value), str(error.value)


# The costed plan --------------------------------------------------------------------------------------------------

def test_the_deputy_lead_costs_the_plan_by_adviser_and_activity(delivery):
    line = plan(delivery, days="2.5", rate="650.00")
    assert (line.days, line.day_rate, line.cost, line.version) == (D("2.5"), D("650.00"), D("1625.00"), 1)
    assert line.history.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"activity": "lunch"}, "Choose the activity"),
    ({"days": "0"}, "more than 0"),
    ({"days": "-1"}, "more than 0"),
    ({"days": "1.3"}, "quarter days"),
    ({"rate": "-5"}, "more than £0"),
    ({"rate": "12.345"}, "pounds and pence"),
])
def test_a_plan_line_with_bad_input_is_refused(delivery, change, message):
    refused(lambda: plan(delivery, **change), message)
    assert not PlanLine.objects.exists()


def test_a_plan_line_for_someone_off_the_team_or_twice_is_refused(delivery):
    refused(lambda: plan(delivery, adviser=AdviserFactory()), "is not on the team of contract T1")
    plan(delivery)
    refused(lambda: plan(delivery), "already has a line for Scoping")
    assert PlanLine.objects.count() == 1


def test_only_the_deputy_lead_and_rcgp_admin_cost_the_plan(delivery):
    for role in (Role.RCGP_ADVISER, Role.COMMISSIONER_LEAD, Role.NHSE_REPORTING):
        with pytest.raises(NotAllowed):
            services.plan_line_add(contract=delivery["contract"], actor=delivery["users"][role],
                                   adviser=delivery["adviser"], activity="scoping", days=D("1"), day_rate=D("1"))
    services.plan_line_add(contract=delivery["contract"], actor=delivery["admin"], adviser=delivery["adviser"],
                           activity="scoping", days=D("1"), day_rate=D("1"))


def test_a_plan_line_change_is_refused_when_stale_or_below_the_days_used(delivery):
    line = plan(delivery, days="2")
    log(delivery, days="1.5")
    with pytest.raises(StaleEdit) as stale:
        services.plan_line_update(line=line, actor=delivery["lead"], base_version=0, days=D("3"),
                                  day_rate=D("600"))
    assert ("Costed days", "2 days") in stale.value.changes
    refused(lambda: services.plan_line_update(line=line, actor=delivery["lead"], base_version=1, days=D("1"),
                                              day_rate=D("600")), "has already logged 1.5 days")
    changed = services.plan_line_update(line=line, actor=delivery["lead"], base_version=1, days=D("3"),
                                        day_rate=D("700"))
    assert (changed.days, changed.day_rate, changed.version) == (D("3"), D("700"), 2)
    assert TimeEntry.objects.get().day_rate == D("600.00")  # priced when logged


# Time --------------------------------------------------------------------------------------------------------------

def test_an_adviser_logs_time_priced_at_their_rate_for_the_activity(delivery):
    plan(delivery, days="2", rate="600.00")
    plan(delivery, activity="forward_plan", days="1", rate="500.00")
    entry = log(delivery, days="0.75")
    assert (entry.day_rate, entry.cost, entry.recorded_by) == (D("600.00"), D("450.0000"),
                                                              delivery["users"][Role.RCGP_ADVISER])
    # An activity the adviser has no line for is priced at their highest rate on the plan.
    assert log(delivery, days="0.25", activity="travel").day_rate == D("600.00")


def test_time_beyond_the_costed_days_is_refused_until_the_deputy_lead_approves_extra_days(delivery):
    plan(delivery, days="2")
    log(delivery, days="1.5")
    refused(lambda: log(delivery, days="1"), "has 0.5 days left of 2 days funded (2 days costed): 1 day would go "
                                             "beyond them. Ask the deputy lead to approve extra days first")
    assert TimeEntry.objects.count() == 1
    refused(lambda: services.extra_days_approve(contract=delivery["contract"], actor=delivery["lead"],
                                                adviser=delivery["adviser"], days=D("1"), reason=" "),
            "Enter why the extra days are approved")
    with pytest.raises(NotAllowed):
        services.extra_days_approve(contract=delivery["contract"], actor=delivery["users"][Role.RCGP_ADVISER],
                                    adviser=delivery["adviser"], days=D("1"), reason="I need them")
    services.extra_days_approve(contract=delivery["contract"], actor=delivery["lead"], adviser=delivery["adviser"],
                                days=D("1"), reason="A second visit")
    assert log(delivery, days="1").days == D("1")
    refused(lambda: log(delivery, days="0.75"), "has 0.5 days left of 3 days funded (2 days costed, 1 day "
                                                "approved extra)")
    assert ExtraDays.objects.get().approved_by == delivery["lead"]


@pytest.mark.parametrize(("change", "message"), [
    ({"days": "0"}, "The days must be more than 0"),
    ({"days": "-1"}, "The days must be more than 0"),
    ({"days": "0.1"}, "quarter days"),
    ({"activity": "golf"}, "Choose the activity"),
])
def test_time_with_bad_input_is_refused(delivery, change, message):
    plan(delivery, days="5")
    refused(lambda: log(delivery, **change), message)
    assert not TimeEntry.objects.exists()


def test_time_before_commissioning_or_in_the_future_is_refused(delivery):
    plan(delivery, days="5")
    contract = delivery["contract"]
    refused(lambda: log(delivery, worked_on=contract.commissioned_on - datetime.timedelta(days=1)),
            "on or after the day contract T1 was commissioned")
    refused(lambda: log(delivery, worked_on=delivery["today"] + datetime.timedelta(days=1)),
            "today or in the past")
    assert not TimeEntry.objects.exists()


def test_time_of_someone_off_the_team_or_of_another_adviser_is_refused(delivery):
    plan(delivery, days="5")
    plan(delivery, adviser=delivery["other"], days="5")
    outsider = AdviserFactory()
    refused(lambda: log(delivery, actor=delivery["lead"], adviser=outsider), "is not on the team of contract T1")
    refused(lambda: log(delivery, adviser=delivery["other"]), "An adviser logs their own time")
    assert log(delivery, actor=delivery["lead"], adviser=delivery["other"]).recorded_by == delivery["lead"]
    with pytest.raises(NotAllowed):
        log(delivery, actor=delivery["users"][Role.COMMISSIONER_LEAD])
    assert TimeEntry.objects.count() == 1


def test_time_of_an_adviser_with_no_plan_line_is_refused(delivery):
    refused(lambda: log(delivery), "has 0 days left of 0 days funded")
    services.extra_days_approve(contract=delivery["contract"], actor=delivery["lead"], adviser=delivery["adviser"],
                                days=D("1"), reason="Urgent visit")
    refused(lambda: log(delivery), "has no costed days in the plan of contract T1")


def test_other_costs_are_the_deputy_leads_and_must_be_real(delivery):
    contract = delivery["contract"]

    def add(**change):
        values = {"incurred_on": delivery["today"], "what": "Room hire", "amount": D("40.00"), **change}
        return services.other_cost_add(contract=contract, actor=change.pop("actor", delivery["lead"]), **{
            k: v for k, v in values.items() if k != "actor"})

    refused(lambda: add(amount=D("0")), "more than £0")
    refused(lambda: add(what=""), "Enter what the cost was for")
    refused(lambda: add(incurred_on=delivery["today"] + datetime.timedelta(days=1)), "today or in the past")
    with pytest.raises(NotAllowed):
        services.other_cost_add(contract=contract, actor=delivery["users"][Role.RCGP_ADVISER],
                                incurred_on=delivery["today"], what="Taxi", amount=D("10"))
    assert not OtherCost.objects.exists()
    assert add().amount == D("40.00")


# Payments and variations --------------------------------------------------------------------------------------------

def invoice(d, amount, funder="nhse", on=None):
    return pay.invoice_record(contract=d["contract"], actor=d["admin"], funder=funder, amount=D(amount),
                              invoiced_on=on or d["today"])


def paid(d, payment, on=None):
    return pay.payment_mark_paid(payment=payment, actor=d["admin"], base_version=payment.version,
                                 paid_on=on or d["today"])


def spent(d):
    return Contract.objects.get(pk=d["contract"].pk).spent


def test_an_invoice_above_the_value_needs_a_variation_first(delivery):
    invoice(delivery, "6000")
    refused(lambda: invoice(delivery, "4000.01", funder="commissioner"),
            "would take what is invoiced for contract T1 to £10,000.01, above its value of £10,000.00. Record a "
            "variation of the contract's value first")
    assert Payment.objects.count() == 1
    variation = pay.variation_record(contract=delivery["contract"], actor=delivery["admin"], new_value=D("12000"),
                                     reason="Two more days", agreed_on=delivery["today"])
    assert (variation.previous_value, variation.new_value) == (D("10000.00"), D("12000"))
    assert Contract.objects.get(pk=delivery["contract"].pk).value == D("12000.00")
    delivery["contract"].refresh_from_db()
    assert invoice(delivery, "4000.01", funder="commissioner").amount == D("4000.01")


def test_a_variation_below_what_is_invoiced_or_to_the_same_value_is_refused(delivery):
    invoice(delivery, "6000")
    refused(lambda: pay.variation_record(contract=delivery["contract"], actor=delivery["admin"], new_value=D("5000"),
                                         reason="Less", agreed_on=delivery["today"]),
            "£6,000.00 is already invoiced")
    refused(lambda: pay.variation_record(contract=delivery["contract"], actor=delivery["admin"],
                                         new_value=D("10000"), reason="Same", agreed_on=delivery["today"]),
            "already £10,000.00")
    refused(lambda: pay.variation_record(contract=delivery["contract"], actor=delivery["admin"],
                                         new_value=D("11000"), reason="", agreed_on=delivery["today"]),
            "Enter the reason")
    assert not Variation.objects.exists()


def test_marking_an_invoice_paid_keeps_the_contracts_spent(delivery):
    first = invoice(delivery, "1000", on=delivery["today"] - datetime.timedelta(days=10))
    refused(lambda: paid(delivery, first, on=delivery["today"] - datetime.timedelta(days=11)),
            "on or after the invoice date")
    refused(lambda: paid(delivery, first, on=delivery["today"] + datetime.timedelta(days=1)), "today or in the past")
    assert spent(delivery) == D("0")
    first = paid(delivery, first)
    assert (first.paid_on, first.version, spent(delivery)) == (delivery["today"], 2, D("1000.00"))
    refused(lambda: paid(delivery, first), "already paid on")
    second = invoice(delivery, "250.50", funder="commissioner")
    assert spent(delivery) == D("1000.00")  # not paid yet
    with pytest.raises(StaleEdit):
        pay.payment_mark_paid(payment=second, actor=delivery["admin"], base_version=0, paid_on=delivery["today"])
    paid(delivery, second)
    assert spent(delivery) == D("1250.50")


def test_only_rcgp_admin_records_payments(delivery):
    for role in (Role.RCGP_DEPUTY_LEAD, Role.COMMISSIONER_LEAD, Role.NHSE_REPORTING):
        with pytest.raises(NotAllowed):
            pay.invoice_record(contract=delivery["contract"], actor=delivery["users"][role], funder="nhse",
                               amount=D("1"), invoiced_on=delivery["today"])
    assert not Payment.objects.exists()


def test_a_refund_only_on_an_early_end_and_never_more_than_the_funder_paid(delivery):
    paid(delivery, invoice(delivery, "3000"))
    paid(delivery, invoice(delivery, "1000", funder="commissioner"))

    def refund(amount, funder="nhse"):
        return pay.refund_record(contract=delivery["contract"], actor=delivery["admin"], funder=funder,
                                 amount=D(amount), invoiced_on=delivery["today"], paid_on=delivery["today"])

    refused(lambda: refund("100"), "Contract T1 did not end early")
    Contract.objects.filter(pk=delivery["contract"].pk).update(state="withdrawn")
    refused(lambda: refund("3000.01"), "NHS England has paid £3,000.00 net for contract T1: a refund cannot be more")
    refused(lambda: refund("1000.01", funder="commissioner"), "has paid £1,000.00 net")
    assert spent(delivery) == D("4000.00")
    refund("2000")
    assert spent(delivery) == D("2000.00")
    refused(lambda: refund("1000.01"), "has paid £1,000.00 net")
    assert Payment.objects.filter(kind="refund").count() == 1


def test_a_refund_on_a_contract_closed_early(delivery):
    paid(delivery, invoice(delivery, "3000"))
    Contract.objects.filter(pk=delivery["contract"].pk).update(state="closed", end_reason="other")
    with pytest.raises(DomainError):
        pay.refund_record(contract=delivery["contract"], actor=delivery["admin"], funder="nhse", amount=D("1"),
                          invoiced_on=delivery["today"])
    Contract.objects.filter(pk=delivery["contract"].pk).update(end_reason="early_withdrawal")
    refund = pay.refund_record(contract=delivery["contract"], actor=delivery["admin"], funder="nhse",
                               amount=D("500"), invoiced_on=delivery["today"])
    assert refund.paid_on is None and spent(delivery) == D("3000.00")  # recorded, not yet made
    paid(delivery, refund)
    assert spent(delivery) == D("2500.00")
