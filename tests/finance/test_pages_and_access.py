"""The finance pages (the burn, the forms and their NHS error summary, the adviser load), the contract page's panel,
the API, who sees what, and what each costs in queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract, Payment, TeamMembership
from core.roles import Role
from finance import access, payment_services, selectors, services
from finance.models import PlanLine, TimeEntry
from tests.api_support import api_for, fresh_throttle_cache  # noqa: F401
from tests.factories import AdviserFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Role
D = Decimal
RCGP_TEAM = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}


@pytest.fixture
def costed(delivery):
    """T1 with a costed plan for both advisers, time logged, an approval, another cost and an invoice paid."""
    contract, lead, admin, today = delivery["contract"], delivery["lead"], delivery["admin"], delivery["today"]
    for adviser, activity, days, rate in ((delivery["adviser"], "scoping", "3", "600"),
                                          (delivery["adviser"], "forward_plan", "2", "600"),
                                          (delivery["other"], "scoping", "2", "500")):
        services.plan_line_add(contract=contract, actor=lead, adviser=adviser, activity=activity, days=D(days),
                               day_rate=D(rate))
    services.time_log(contract=contract, actor=lead, adviser=delivery["adviser"], worked_on=today,
                      activity="scoping", days=D("2"))
    services.extra_days_approve(contract=contract, actor=lead, adviser=delivery["other"], days=D("1"),
                                reason="A second visit")
    services.other_cost_add(contract=contract, actor=lead, incurred_on=today, what="Room hire", amount=D("45.50"))
    invoice = payment_services.invoice_record(contract=contract, actor=admin, funder="nhse", amount=D("4000"),
                                              invoiced_on=today)
    payment_services.payment_mark_paid(payment=invoice, actor=admin, base_version=1, paid_on=today)
    payment_services.invoice_record(contract=contract, actor=admin, funder="commissioner", amount=D("1000"),
                                    invoiced_on=today)
    return delivery


def test_the_rcgp_team_sees_the_burn_and_everyone_who_sees_the_contract_its_payments(costed, client):
    url = reverse("finance:contract", args=["T1"])
    for role, user in costed["users"].items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, role
        text = response.content.decode()
        assert ('id="burn"' in text) == (role in RCGP_TEAM), role
        assert ("Room hire" in text) == (role in RCGP_TEAM), role
        assert 'id="payments"' in text and "£4,000.00 paid of £5,000.00 invoiced" in text, role
        assert ("Record an invoice" in text) == (role == R.RCGP_ADMIN), role
    client.force_login(costed["lead"])
    text = client.get(url).content.decode()
    # 7 days funded (3 + 2 + 2 costed, 1 approved = 8), 2 used; cost 2 × 600 + 45.50.
    assert "8 (7 costed, 1 approved extra)" in text and "2, 6 left" in text
    assert "£1,245.50" in text and "£4,000.00 for 7 days" in text


def test_another_organisations_contract_answers_404(costed, client):
    ContractFactory(reference="X9", practice=costed["practices"]["other"],
                    deputy_lead=UserFactory(role=R.RCGP_DEPUTY_LEAD))
    for role in (R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.COMMISSIONER_LEAD, R.PRACTICE_USER):
        client.force_login(costed["users"][role])
        assert client.get(reverse("finance:contract", args=["X9"])).status_code == 404


def test_an_adviser_logs_time_through_the_page(costed, client):
    client.force_login(costed["users"][R.RCGP_ADVISER])
    url = reverse("finance:time_log", args=["T1"])
    form = client.get(url).content.decode()
    assert "Olu Other" not in form  # an adviser logs only their own time
    today = costed["today"]
    response = client.post(url, {"adviser": costed["adviser"].pk, "worked_on-day": today.day,
                                 "worked_on-month": today.month, "worked_on-year": today.year,
                                 "activity": "forward_plan", "days": "1.5", "note": "Drafted the plan"})
    assert response.status_code == 302
    assert TimeEntry.objects.filter(activity="forward_plan", days=D("1.5")).exists()


def test_time_beyond_the_funded_days_shows_the_error_summary_and_saves_nothing(costed, client):
    client.force_login(costed["users"][R.RCGP_ADVISER])
    today = costed["today"]
    response = client.post(reverse("finance:time_log", args=["T1"]), {
        "adviser": costed["adviser"].pk, "worked_on-day": today.day, "worked_on-month": today.month,
        "worked_on-year": today.year, "activity": "scoping", "days": "3.25", "note": "Kept typing"})
    text = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in text and "Ask the deputy lead to approve extra days first" in text
    assert "Kept typing" in text  # the form keeps what was typed
    assert TimeEntry.objects.count() == 1


def test_a_bad_form_links_each_error_to_its_field(costed, client):
    client.force_login(costed["lead"])
    response = client.post(reverse("finance:plan_line_add", args=["T1"]), {"adviser": "", "days": "two"})
    text = response.content.decode()
    assert response.status_code == 422
    assert 'href="#id_adviser"' in text and "Select the adviser" in text
    assert 'href="#id_days"' in text and "Costed days must be a number" in text
    assert PlanLine.objects.count() == 3


def test_an_invoice_above_the_value_is_refused_on_the_page(costed, client):
    client.force_login(costed["admin"])
    today = costed["today"]
    response = client.post(reverse("finance:invoice", args=["T1"]), {
        "funder": "practice", "amount": "5000.01", "invoiced_on-day": today.day, "invoiced_on-month": today.month,
        "invoiced_on-year": today.year})
    assert response.status_code == 422
    assert "above its value of £10,000.00. Record a variation" in response.content.decode()
    assert Payment.objects.count() == 2


def test_paying_an_invoice_through_the_page_and_a_stale_page(costed, client):
    client.force_login(costed["admin"])
    waiting = Payment.objects.get(paid_on__isnull=True)
    today = costed["today"]
    dated = {"paid_on-day": today.day, "paid_on-month": today.month, "paid_on-year": today.year}
    assert client.post(reverse("finance:paid", args=[waiting.pk]), {**dated, "version": 0}).status_code == 409
    assert client.post(reverse("finance:paid", args=[waiting.pk]), {**dated, "version": 1}).status_code == 302
    assert Contract.objects.get(reference="T1").spent == D("5000.00")


def test_writes_the_user_may_not_make_are_refused_with_the_reason(costed, client):
    client.force_login(costed["users"][R.RCGP_ADVISER])
    line = PlanLine.objects.first()
    assert client.get(reverse("finance:plan_line_edit", args=[line.pk])).status_code == 404
    response = client.post(reverse("finance:plan_line_edit", args=[line.pk]), {"days": "9", "day_rate": "1",
                                                                               "version": 1})
    assert response.status_code == 403
    client.force_login(costed["users"][R.NHSE_REPORTING])
    assert client.post(reverse("finance:invoice", args=["T1"]), {}).status_code == 403


def test_the_adviser_load(costed, client, django_assert_max_num_queries):
    ended = ContractFactory(reference="E1", practice=costed["practices"]["own"], state="closed")
    TeamMembership.objects.create(contract=ended, adviser=costed["adviser"], added_by=costed["lead"])
    for i in range(6):  # more advisers and contracts cost no more queries
        contract = ContractFactory(reference=f"L{i}", practice=costed["practices"]["own"], state="scoping")
        TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(), added_by=costed["lead"])
    rows = {row["adviser"].pk: row for row in selectors.adviser_load()}
    mine = rows[costed["adviser"].pk]
    assert ([c.reference for c in mine["contracts"]], mine["funded"], mine["used"], mine["remaining"]) == (
        ["T1"], D("5"), D("2"), D("3"))
    assert (rows[costed["other"].pk]["funded"], rows[costed["other"].pk]["used"]) == (D("3"), D("0"))
    for role in (R.RCGP_ADVISER, R.COMMISSIONER_LEAD, R.NHSE_REPORTING):
        client.force_login(costed["users"][role])
        assert client.get(reverse("finance:advisers")).status_code == 404
    client.force_login(costed["lead"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:advisers"))
    assert response.status_code == 200 and "Olu Other" in response.content.decode()


def test_the_burn_page_costs_the_same_whatever_its_length(costed, client, django_assert_max_num_queries):
    client.force_login(costed["lead"])
    url = reverse("finance:contract", args=["T1"])
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for _ in range(4):
        adviser = AdviserFactory()
        TeamMembership.objects.create(contract=costed["contract"], adviser=adviser, added_by=costed["lead"])
        services.plan_line_add(contract=costed["contract"], actor=costed["lead"], adviser=adviser,
                               activity="travel", days=D("1"), day_rate=D("100"))
        services.time_log(contract=costed["contract"], actor=costed["lead"], adviser=adviser,
                          worked_on=costed["today"], activity="travel", days=D("0.5"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_contract_pages_panel(costed, client, rf, django_assert_num_queries):
    from finance.contract_panels import finance_panel

    contract = Contract.objects.get(reference="T1")
    for role, queries in ((R.RCGP_DEPUTY_LEAD, 1), (R.RCGP_ADMIN, 1), (R.RCGP_ADVISER, 2), (R.COMMISSIONER_LEAD, 0),
                          (R.NHSE_REPORTING, 0), (R.PRACTICE_USER, 0)):
        request = rf.get("/")
        request.user = costed["users"][role]
        with django_assert_num_queries(queries):
            html = finance_panel(request, contract)
        assert "Paid £4,000.00 of the value of £10,000.00" in html, role
        assert ("Days used 2 of 8 funded" in html) == (role in RCGP_TEAM), role
    client.force_login(costed["lead"])
    assert 'id="time-and-money"' in client.get(reverse("contracts:detail", args=["T1"])).content.decode()


def test_each_rule_gives_the_same_answer_for_one_contract_as_its_queryset(costed):
    other = ContractFactory(reference="X9", practice=costed["practices"]["other"],
                            deputy_lead=UserFactory(role=R.RCGP_DEPUTY_LEAD))
    TeamMembership.objects.create(contract=other, adviser=AdviserFactory(), added_by=other.deputy_lead)
    users = [*costed["users"].values(), UserFactory(role=R.RCGP_ADMIN, is_active=False)]
    wrong = []
    for contract in (costed["contract"], other):
        for user in users:
            for verb, rule in access.FINANCE_VERBS.items():
                one = rule.test(user, Contract.objects.get(pk=contract.pk))
                many = rule.filter(user, Contract.objects.filter(pk=contract.pk)).exists()
                if one != many:
                    wrong.append((contract.reference, user.role, verb, one, many))
    assert wrong == []
    lead = costed["lead"]
    assert access.can(lead, "manage_plan", costed["contract"]) and not access.can(lead, "manage_plan", other)


def test_the_api_gives_payments_to_whoever_sees_the_contract_and_delivery_costs_to_its_team(costed, client,
                                                                                           django_assert_max_num_queries):
    for role in Role.values:
        api = api_for(client, costed, role)
        payments = api.get(reverse("api:payment-list")).json()["results"]
        assert sorted(p["amount"] for p in payments) == [1000.0, 4000.0], role
        costs = api.get(reverse("api:delivery-cost-list")).json()["results"]
        assert len(costs) == (1 if role in RCGP_TEAM else 0), role
        load = api.get(reverse("api:adviser-load-list"))
        assert load.status_code == (200 if role in (R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD) else 403), role
    api = api_for(client, costed, R.RCGP_DEPUTY_LEAD)
    with django_assert_max_num_queries(8):
        [row] = api.get(reverse("api:delivery-cost-list")).json()["results"]
    assert row == {"contract": "T1", "state": "delivery", "value": 10000.0, "days_costed": 7.0, "days_approved": 1.0,
                   "days_funded": 8.0, "days_used": 2.0, "planned_cost": 4000.0, "days_cost": 1200.0,
                   "other_costs": 45.5, "delivery_cost": 1245.5}
    paid = api.get(reverse("api:payment-list"), {"paid": "true"}).json()["results"]
    assert [p["funder"] for p in paid] == ["nhse"]
    csv = api.get(reverse("api:payment-list"), {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert api.get(reverse("api:adviser-load-list"), {"format": "xlsx"}).status_code == 200
    other = ContractFactory(reference="X9", practice=costed["practices"]["other"],
                            deputy_lead=UserFactory(role=R.RCGP_DEPUTY_LEAD))
    hidden = Payment.objects.create(contract=other, funder="nhse", amount=D("1"), invoiced_on=datetime.date(2026, 1, 5))
    assert api.get(reverse("api:payment-detail", args=[hidden.pk])).status_code == 404
