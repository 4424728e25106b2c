"""Done when: the figures of a hand-made data set, worked out by hand below, come out the same through the
services, the pages (HTML) and the API.

Two contracts of the world's own practice, led by the world's deputy lead, with advisers A (the world's adviser)
and B on their teams:

H1, special measures, commissioned 1 May 2024, value £8,000, agreement signed 10 June 2024 (2024-25), in delivery.
  Costed plan: A scoping 3 days at £600, A forward plan 2 days at £600, B scoping 2 days at £500.
    costed days 3 + 2 + 2 = 7; plan cost 1,800 + 1,200 + 1,000 = £4,000.
  B's third day is refused until the deputy lead approves 1 extra day for B.
  Time: A scoping 3, A forward plan 1.5, B scoping 2, B travel 0.5 (no travel line: priced at B's highest rate, £500).
    funded: A 5, B 2 + 1 = 3, total 8; used: A 4.5, B 2.5, total 7; left: A 0.5, B 0.5, total 1.
    cost of days: A 4.5 × 600 = 2,700; B 2 × 500 + 0.5 × 500 = 1,250; total £3,950.
  Other costs: room hire £120.00, printing £30.50 = £150.50. Delivery cost 3,950 + 150.50 = £4,100.50.
  Payments: NHSE £4,000 invoiced 1 July 2024, paid 1 August 2024 (2024-25); the commissioner £4,000 invoiced
    1 March 2025, paid 5 April 2025 (2025-26). What is invoiced is then the value: £1 more is refused.
    spent (Contract.spent) £8,000.
H2, resilience, commissioned 1 February 2025 (2024-25), value £5,000, agreement signed 15 April 2025 (2025-26).
  Costed plan: A ongoing support 2 days at £600 (£1,200); time: A 1 day: used 1 of 2, delivery cost £600.
  Payments: NHSE £2,500 paid 1 May 2025, the practice £2,500 paid 2 May 2025 (2025-26). The practice withdraws
    (an early end); NHSE is refunded £1,000, made 10 June 2025 (2025-26). spent £4,000.

Funding by financial year (contracted: commissioned in the year; committed: agreements signed in the year; spent:
payments made in the year):
  2024-25  special measures: 1 contract, contracted 8,000; committed 1, 8,000; spent 4,000.
           resilience:       1 contract, contracted 5,000; committed 0, 0;     spent 0.
  2025-26  special measures: 0 contracts, contracted 0;    committed 0, 0;     spent 4,000.
           resilience:       0 contracts, contracted 0;    committed 1, 5,000; spent 2,500 + 2,500 − 1,000 = 4,000.
Adviser load (live contracts only: H2 has ended): A on H1, funded 5, used 4.5, left 0.5; B funded 3, used 2.5, 0.5.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.funding import funding_by_programme
from contracts.models import Contract, TeamMembership
from core.errors import DomainError
from core.roles import Role
from finance import payment_services as pay
from finance import selectors, services
from tests.api_support import api_for, fresh_throttle_cache  # noqa: F401
from tests.factories import AdviserFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def handmade(world):
    users = world["users"]
    lead, admin = users[Role.RCGP_DEPUTY_LEAD], users[Role.RCGP_ADMIN]
    a = AdviserFactory(user=users[Role.RCGP_ADVISER])
    b = AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, first_name="Bea", last_name="Baker"))
    h1 = ContractFactory(reference="H1", practice=world["practices"]["own"], programme="special_measures",
                         state="delivery", deputy_lead=lead, commissioned_on=day("2024-05-01"), value=D("8000"),
                         mou_signed_on=day("2024-06-10"))
    h2 = ContractFactory(reference="H2", practice=world["practices"]["own"], programme="resilience",
                         state="scoping", deputy_lead=lead, commissioned_on=day("2025-02-01"), value=D("5000"),
                         mou_signed_on=day("2025-04-15"))
    for contract, advisers in ((h1, (a, b)), (h2, (a,))):
        for adviser in advisers:
            TeamMembership.objects.create(contract=contract, adviser=adviser, added_by=lead)
    for contract, adviser, activity, days, rate in ((h1, a, "scoping", "3", "600"), (h1, a, "forward_plan", "2", "600"),
                                                    (h1, b, "scoping", "2", "500"),
                                                    (h2, a, "ongoing_support", "2", "600")):
        services.plan_line_add(contract=contract, actor=lead, adviser=adviser, activity=activity, days=D(days),
                               day_rate=D(rate))

    def log(contract, adviser, on, activity, days, actor=None):
        return services.time_log(contract=contract, actor=actor or adviser.user, adviser=adviser,
                                 worked_on=day(on), activity=activity, days=D(days))

    log(h1, a, "2024-06-20", "scoping", "3")
    log(h1, a, "2024-07-01", "forward_plan", "1.5")
    log(h1, b, "2024-06-21", "scoping", "2")
    with pytest.raises(DomainError, match="Ask the deputy lead to approve extra days first"):
        log(h1, b, "2024-07-05", "travel", "0.5")
    services.extra_days_approve(contract=h1, actor=lead, adviser=b, days=D("1"), reason="A second visit",
                                approved_on=day("2024-07-04"))
    log(h1, b, "2024-07-05", "travel", "0.5")
    log(h2, a, "2025-04-20", "ongoing_support", "1", actor=lead)
    for what, amount in (("Room hire", "120.00"), ("Printing", "30.50")):
        services.other_cost_add(contract=h1, actor=lead, incurred_on=day("2024-06-20"), what=what, amount=D(amount))

    def invoice(contract, funder, amount, on, paid_on):
        payment = pay.invoice_record(contract=contract, actor=admin, funder=funder, amount=D(amount),
                                     invoiced_on=day(on))
        return pay.payment_mark_paid(payment=payment, actor=admin, base_version=1, paid_on=day(paid_on))

    invoice(h1, "nhse", "4000", "2024-07-01", "2024-08-01")
    invoice(h1, "commissioner", "4000", "2025-03-01", "2025-04-05")
    with pytest.raises(DomainError, match="above its value of £8,000.00"):
        pay.invoice_record(contract=h1, actor=admin, funder="practice", amount=D("1"), invoiced_on=day("2025-04-06"))
    invoice(h2, "nhse", "2500", "2025-04-16", "2025-05-01")
    invoice(h2, "practice", "2500", "2025-04-16", "2025-05-02")
    Contract.objects.filter(pk=h2.pk).update(state="withdrawn", ended_on=day("2025-06-01"))
    pay.refund_record(contract=h2, actor=admin, funder="nhse", amount=D("1000"), invoiced_on=day("2025-06-01"),
                      paid_on=day("2025-06-10"))
    return {**world, "a": a, "b": b}


H1_DELIVERY = {"days_costed": D("7"), "days_approved": D("1"), "days_used": D("7"), "planned_cost": D("4000"),
               "days_cost": D("3950"), "other_costs_total": D("150.50")}
FUNDING = {  # (year, programme): (contracts, contracted, committed contracts, committed, spent)
    (2024, "special_measures"): (1, D("8000"), 1, D("8000"), D("4000")),
    (2024, "resilience"): (1, D("5000"), 0, D("0"), D("0")),
    (2025, "special_measures"): (0, D("0"), 0, D("0"), D("4000")),
    (2025, "resilience"): (0, D("0"), 1, D("5000"), D("4000")),
}


def test_through_the_services(handmade):
    h1 = Contract.objects.get(reference="H1")
    burn = selectors.burn(h1)
    totals = burn["totals"]
    assert (totals["costed"], totals["approved"], totals["funded"], totals["used"], totals["remaining"]) == (
        D("7"), D("1"), D("8"), D("7"), D("1"))
    assert (totals["planned_cost"], totals["cost"], totals["other_costs"], totals["delivery_cost"]) == (
        D("4000"), D("3950"), D("150.50"), D("4100.50"))
    by_adviser = {row["adviser"].pk: row for row in burn["advisers"]}
    a, b = by_adviser[handmade["a"].pk], by_adviser[handmade["b"].pk]
    assert (a["funded"], a["used"], a["remaining"], a["cost"]) == (D("5"), D("4.5"), D("0.5"), D("2700"))
    assert (b["funded"], b["used"], b["remaining"], b["cost"]) == (D("3"), D("2.5"), D("0.5"), D("1250"))
    assert [(c["activity"], c["costed"], c["used"]) for c in b["activities"]] == [
        ("Scoping", D("2"), D("2")), ("Travel", D("0"), D("0.5"))]
    summary = selectors.with_delivery_summary(Contract.objects.filter(reference="H1")).values(*H1_DELIVERY).get()
    assert summary == H1_DELIVERY
    assert {c.reference: c.spent for c in Contract.objects.all()} == {"H1": D("8000"), "H2": D("4000")}
    assert {c.reference: c.value for c in Contract.objects.all()} == {"H1": D("8000"), "H2": D("5000")}
    for year in (2024, 2025):
        rows = {row["programme"]: row for row in funding_by_programme(Contract.objects.all(), year=year)}
        for programme in ("special_measures", "resilience"):
            row = rows[programme]
            assert (row["contracts"], row["contracted"], row["committed_contracts"], row["committed"],
                    row["spent"]) == FUNDING[year, programme], (year, programme)
    load = {row["adviser"].pk: row for row in selectors.adviser_load()}
    assert ([c.reference for c in load[handmade["a"].pk]["contracts"]], load[handmade["a"].pk]["funded"],
            load[handmade["a"].pk]["used"], load[handmade["a"].pk]["remaining"]) == (["H1"], D("5"), D("4.5"),
                                                                                   D("0.5"))
    assert (load[handmade["b"].pk]["funded"], load[handmade["b"].pk]["used"]) == (D("3"), D("2.5"))


def test_through_the_pages(handmade, client):
    client.force_login(handmade["users"][Role.RCGP_DEPUTY_LEAD])
    page = client.get(reverse("finance:contract", args=["H1"])).content.decode()
    for text in ("£8,000.00", "£4,000.00 for 7 days", "8 (7 costed, 1 approved extra)", "7, 1 left", "£150.50",
                 "£4,100.50", "£2,700.00", "£1,250.00", "4.5, 0.5 left", "2.5, 0.5 left",
                 "£8,000.00 paid of £8,000.00 invoiced", "1 August 2024", "5 April 2025"):
        assert text in page, text
    refunded = client.get(reverse("finance:contract", args=["H2"])).content.decode()
    assert "£4,000.00 paid of £4,000.00 invoiced" in refunded and "-£1,000.00" in refunded
    load = client.get(reverse("finance:advisers")).content.decode()
    assert "Bea Baker" in load and ">H1</a>" in load and ">H2</a>" not in load


def test_through_the_api(handmade, client):
    lead = api_for(client, handmade, Role.RCGP_DEPUTY_LEAD)
    costs = {row["contract"]: row for row in lead.get(reverse("api:delivery-cost-list")).json()["results"]}
    assert costs["H1"] == {"contract": "H1", "state": "delivery", "value": 8000.0, "days_costed": 7.0,
                           "days_approved": 1.0, "days_funded": 8.0, "days_used": 7.0, "planned_cost": 4000.0,
                           "days_cost": 3950.0, "other_costs": 150.5, "delivery_cost": 4100.5}
    assert (costs["H2"]["days_funded"], costs["H2"]["days_used"], costs["H2"]["delivery_cost"]) == (2.0, 1.0, 600.0)
    load = {row["name"]: row for row in lead.get(reverse("api:adviser-load-list")).json()}
    assert (load["Bea Baker"]["live_contracts"], load["Bea Baker"]["days_funded"], load["Bea Baker"]["days_used"],
            load["Bea Baker"]["days_remaining"]) == (["H1"], 3.0, 2.5, 0.5)
    nhse = api_for(client, handmade, Role.NHSE_REPORTING)
    payments = nhse.get(reverse("api:payment-list"), {"contract": "H2"}).json()["results"]
    assert sorted((p["kind"], p["funder"], p["amount"], p["paid_on"]) for p in payments) == [
        ("invoice", "nhse", 2500.0, "2025-05-01"), ("invoice", "practice", 2500.0, "2025-05-02"),
        ("refund", "nhse", 1000.0, "2025-06-10")]
    for year in (2024, 2025):
        rows = {row["programme"]: row for row in nhse.get(reverse("api:funding"), {"financial_year": year}).json()}
        for programme in ("special_measures", "resilience"):
            row = rows[programme]
            assert (row["contracts"], row["contracted"], row["committed_contracts"], row["committed"],
                    row["spent"]) == tuple(float(v) if isinstance(v, Decimal) else v
                                           for v in FUNDING[year, programme]), (year, programme)
