"""Allocations and targets: national NHSE sets them; the rules of each write; the overspend guard on payments."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Payment
from core.errors import DomainError, NotAllowed, NothingChanged, StaleEdit
from core.roles import Role
from finance.payment_services import payment_mark_paid
from practices.models import Commissioner
from returns.allocation_services import allocation_set, deadline_update
from returns.models import Allocation, Deadline
from returns.targets import LONDON
from tests.factories import CommissionerFactory, ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def nhse(world):
    return world["users"][Role.NHSE_REPORTING]


def _paid(contract, amount, paid_on, kind=Payment.Kind.INVOICE):
    return Payment.objects.create(contract=contract, funder="nhse", kind=kind, amount=D(amount),
                                  invoiced_on=paid_on, paid_on=paid_on)


def test_national_nhse_sets_and_changes_a_regions_allocation(nhse):
    allocation = allocation_set(financial_year=2025, region="Y62", amount="100000.00", note="", base_version=0,
                                actor=nhse)
    assert (allocation.amount, allocation.version, allocation.recorded_by) == (D("100000.00"), 1, nhse)
    changed = allocation_set(financial_year=2025, region="Y62", amount=D("120000"), note="Top-up", base_version=1,
                             actor=nhse)
    assert (changed.amount, changed.version, changed.note) == (D("120000"), 2, "Top-up")
    with pytest.raises(NothingChanged):
        allocation_set(financial_year=2025, region="Y62", amount=D("120000"), note="Top-up", base_version=2,
                       actor=nhse)


def test_a_stale_allocation_is_refused_with_what_changed(nhse):
    allocation_set(financial_year=2025, region="Y62", amount=D("100"), base_version=0, actor=nhse)
    with pytest.raises(StaleEdit) as error:
        allocation_set(financial_year=2025, region="Y62", amount=D("200"), base_version=0, actor=nhse)
    assert ("Allocation", "£100.00") in error.value.changes
    assert Allocation.objects.get().amount == D("100")


@pytest.mark.parametrize("role", [Role.NHSE_REGIONAL, Role.RCGP_ADMIN, Role.COMMISSIONER_LEAD])
def test_only_national_nhse_sets_allocations(world, role):
    with pytest.raises(NotAllowed):
        allocation_set(financial_year=2025, region="Y62", amount=D("1"), base_version=0, actor=world["users"][role])
    assert not Allocation.objects.exists()


def test_an_icb_allocation_needs_an_icb_of_the_region(world, nhse):
    icb = CommissionerFactory(ods_code="QOP", kind=Commissioner.Kind.ICB, region="Y62")
    allocation = allocation_set(financial_year=2025, region="Y62", icb=icb, amount=D("5000"), base_version=0,
                                actor=nhse)
    assert allocation.icb == icb
    with pytest.raises(DomainError, match="is not in North East"):
        allocation_set(financial_year=2025, region="Y63", icb=icb, amount=D("5000"), base_version=0, actor=nhse)
    with pytest.raises(DomainError, match="is not an ICB"):  # a sub-ICB location with no children
        allocation_set(financial_year=2025, region="Y62", icb=world["own"], amount=D("5000"), base_version=0,
                       actor=nhse)
    world["own"].parent = None
    child = CommissionerFactory(ods_code="99X", parent=world["own"], region="Y62")
    assert child.parent == world["own"]
    # A commissioner with sub-ICB locations under it counts as an ICB, whatever its recorded kind.
    assert allocation_set(financial_year=2025, region="Y62", icb=world["own"], amount=D("1"), base_version=0,
                          actor=nhse).icb == world["own"]


@pytest.mark.parametrize("amount, message", [("-1", "£0 or more"), ("1.234", "pounds and pence"),
                                             ("lots", "in pounds")])
def test_a_bad_amount_is_refused(nhse, amount, message):
    with pytest.raises(DomainError, match=message):
        allocation_set(financial_year=2025, region="Y62", amount=amount, base_version=0, actor=nhse)


def test_an_allocation_below_what_is_spent_needs_a_note(world, nhse):
    contract = ContractFactory(practice=world["practices"]["own"], value=D("9000"))
    _paid(contract, "6000", datetime.date(2025, 6, 1))
    with pytest.raises(DomainError, match=r"already spent £6,000.00 in 2025-26.*note saying why"):
        allocation_set(financial_year=2025, region="Y62", amount=D("5000"), note=" ", base_version=0, actor=nhse)
    assert not Allocation.objects.exists()
    allocation = allocation_set(financial_year=2025, region="Y62", amount=D("5000"), note="Budget cut in June",
                                base_version=0, actor=nhse)
    assert allocation.note == "Budget cut in June"
    # Another region's spending does not count.
    assert allocation_set(financial_year=2025, region="Y63", amount=D("1"), base_version=0, actor=nhse)


def test_the_allocations_page_keeps_what_was_typed_and_saves_nothing_on_bad_input(client, world, nhse):
    contract = ContractFactory(practice=world["practices"]["own"], value=D("9000"))
    _paid(contract, "6000", datetime.date(2025, 6, 1))
    client.force_login(nhse)
    url = reverse("returns:allocations") + "?financial_year=2025"
    response = client.post(url, {"region": "Y62", "icb": "", "amount": "5000", "note": "", "version": "0"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "already spent £6,000.00" in html and 'value="5000"' in html
    assert not Allocation.objects.exists()
    response = client.post(url, {"region": "", "icb": "", "amount": "", "note": "", "version": "0"})
    assert response.status_code == 422
    assert "Select the NHS England region" in response.content.decode() or "region" in response.content.decode()
    response = client.post(url, {"region": "Y62", "icb": "", "amount": "7000", "note": "", "version": "0"})
    assert response.status_code == 302
    assert Allocation.objects.get().amount == D("7000")
    page = client.get(url)
    assert page.status_code == 200 and "£7,000.00" in page.content.decode() and "£6,000.00" in page.content.decode()
    stale = client.post(url, {"region": "Y62", "icb": "", "amount": "8000", "note": "", "version": "0"})
    assert stale.status_code == 409 and "What the other person saved" in stale.content.decode()


def test_deadline_update_saves_the_defaults_first_and_checks_its_input(nhse):
    due = datetime.datetime(2025, 10, 10, 12, 0, tzinfo=LONDON)
    deadline = deadline_update(financial_year=2025, number=1, due_at=due, committed_percent=90,
                               all_mous_agreed=True, base_version=1, actor=nhse)
    assert (deadline.due_at, deadline.committed_percent, deadline.version) == (due, 90, 2)
    assert Deadline.objects.filter(financial_year=2025).count() == 3
    assert Deadline.objects.get(financial_year=2025, number=2).spent_percent == 75  # the default kept
    with pytest.raises(StaleEdit):
        deadline_update(financial_year=2025, number=1, due_at=due, committed_percent=80, base_version=1, actor=nhse)
    with pytest.raises(DomainError, match="0 to 100"):
        deadline_update(financial_year=2025, number=2, due_at=datetime.datetime(2026, 1, 8, 17, tzinfo=LONDON),
                        spent_percent=120, base_version=1, actor=nhse)
    with pytest.raises(DomainError, match="inside the 2025-26 financial year"):
        deadline_update(financial_year=2025, number=3, due_at=datetime.datetime(2026, 6, 1, 17, tzinfo=LONDON),
                        spent_percent=100, base_version=1, actor=nhse)
    with pytest.raises(DomainError, match="after deadline 1"):
        deadline_update(financial_year=2025, number=2, due_at=datetime.datetime(2025, 9, 1, 17, tzinfo=LONDON),
                        spent_percent=75, base_version=1, actor=nhse)


@pytest.mark.parametrize("role", [Role.NHSE_REGIONAL, Role.RCGP_ADMIN])
def test_only_national_nhse_sets_targets(world, role):
    with pytest.raises(NotAllowed):
        deadline_update(financial_year=2025, number=1, due_at=datetime.datetime(2025, 10, 5, 17, tzinfo=LONDON),
                        base_version=1, actor=world["users"][role])


def test_the_deadline_page_changes_a_deadline(client, nhse):
    client.force_login(nhse)
    url = reverse("returns:deadline_edit", args=[2025, 2])
    assert client.get(url).status_code == 200
    data = {"due_on-day": "9", "due_on-month": "1", "due_on-year": "2026", "due_time": "25:00", "spent_percent": "70",
            "case_studies": "4", "all_mous_agreed": "no", "version": "1"}
    bad = client.post(url, data)
    assert bad.status_code == 422 and "24-hour clock" in bad.content.decode()
    assert not Deadline.objects.exists()
    assert client.post(url, {**data, "due_time": "12:00"}).status_code == 302
    saved = Deadline.objects.get(financial_year=2025, number=2)
    assert (saved.spent_percent, saved.due_at) == (70, datetime.datetime(2026, 1, 9, 12, tzinfo=LONDON))
    assert "70%" in client.get(reverse("returns:targets", args=[2025])).content.decode()


# The overspend guard ------------------------------------------------------------------------------------------------

def test_a_payment_above_the_regions_allocation_needs_a_reason(world, nhse):
    admin = world["users"][Role.RCGP_ADMIN]
    contract = ContractFactory(practice=world["practices"]["own"], value=D("9000"))
    allocation_set(financial_year=2025, region="Y62", amount=D("5000"), base_version=0, actor=nhse)
    _paid(contract, "4000", datetime.date(2025, 6, 1))
    invoice = Payment.objects.create(contract=contract, funder="nhse", amount=D("1500"),
                                     invoiced_on=datetime.date(2025, 7, 1))
    with pytest.raises(DomainError, match=r"£5,500.00 after this payment, above its allocation of £5,000.00"):
        payment_mark_paid(payment=invoice, actor=admin, base_version=1, paid_on=datetime.date(2025, 7, 2))
    invoice.refresh_from_db()
    assert invoice.paid_on is None
    paid = payment_mark_paid(payment=invoice, actor=admin, base_version=1, paid_on=datetime.date(2025, 7, 2),
                             over_allocation_reason="Agreed with the region in June")
    assert paid.paid_on and paid.over_allocation_reason == "Agreed with the region in June"


def test_a_payment_within_the_allocation_or_with_none_entered_needs_no_reason(world, nhse):
    admin = world["users"][Role.RCGP_ADMIN]
    contract = ContractFactory(practice=world["practices"]["other"], value=D("9000"))
    first = Payment.objects.create(contract=contract, funder="nhse", amount=D("8000"),
                                   invoiced_on=datetime.date(2025, 7, 1))
    assert payment_mark_paid(payment=first, actor=admin, base_version=1, paid_on=datetime.date(2025, 7, 2)).paid_on
    allocation_set(financial_year=2026, region="Y63", amount=D("1000"), base_version=0, actor=nhse)
    # The allocation of 2026-27 does not judge a payment made in 2025-26.
    second = Payment.objects.create(contract=contract, funder="nhse", amount=D("500"),
                                    invoiced_on=datetime.date(2025, 7, 1))
    assert payment_mark_paid(payment=second, actor=admin, base_version=1, paid_on=datetime.date(2026, 3, 31)).paid_on


def test_an_icbs_allocation_is_checked_too(world, nhse):
    admin = world["users"][Role.RCGP_ADMIN]
    icb = CommissionerFactory(ods_code="QOP", kind=Commissioner.Kind.ICB, region="Y62")
    Commissioner.objects.filter(pk=world["own"].pk).update(parent=icb)
    contract = ContractFactory(practice=world["practices"]["own"], commissioner=world["own"], value=D("9000"))
    allocation_set(financial_year=2025, region="Y62", amount=D("100000"), base_version=0, actor=nhse)
    allocation_set(financial_year=2025, region="Y62", icb=icb, amount=D("1000"), base_version=0, actor=nhse)
    invoice = Payment.objects.create(contract=contract, funder="nhse", amount=D("1200"),
                                     invoiced_on=datetime.date(2025, 7, 1))
    with pytest.raises(DomainError, match=r"ICB QOP|£1,200.00 after this payment, above its allocation of £1,000.00"):
        payment_mark_paid(payment=invoice, actor=admin, base_version=1, paid_on=datetime.date(2025, 7, 2))


def test_the_paid_form_asks_for_the_reason_and_the_payment_row_shows_it(client, world, nhse):
    admin = world["users"][Role.RCGP_ADMIN]
    contract = ContractFactory(practice=world["practices"]["own"], value=D("9000"))
    allocation_set(financial_year=2025, region="Y62", amount=D("1000"), base_version=0, actor=nhse)
    invoice = Payment.objects.create(contract=contract, funder="nhse", amount=D("1500"),
                                     invoiced_on=datetime.date(2025, 7, 1))
    client.force_login(admin)
    url = reverse("finance:paid", args=[invoice.pk])
    data = {"paid_on-day": "2", "paid_on-month": "7", "paid_on-year": "2025", "version": "1"}
    refused = client.post(url, data)
    assert refused.status_code == 422 and "above its allocation of £1,000.00" in refused.content.decode()
    assert Payment.objects.get(pk=invoice.pk).paid_on is None
    assert client.post(url, {**data, "over_allocation_reason": "Urgent support"}).status_code == 302
    page = client.get(reverse("finance:contract", args=[contract.reference])).content.decode()
    assert "Above the allocation: Urgent support" in page
