"""bench/scale_data.py (installed in the test settings) sets no "spent" of its own: each contract's spent is the
paid invoices it creates, as payment_services would keep it."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F, Sum

from contracts.models import Contract, Payment

pytestmark = pytest.mark.django_db


def test_the_scale_datas_spent_agrees_with_its_payments():
    call_command("generate_scale_data", "--scale", "0.003", "--today", "2026-06-01", stdout=io.StringIO())
    paid = dict(Payment.objects.filter(paid_on__isnull=False).values("contract").annotate(s=Sum("amount"))
                .values_list("contract", "s"))
    assert paid and all(contract.spent == paid.get(contract.pk, 0) for contract in Contract.objects.all())
    assert not Payment.objects.filter(paid_on__lt=F("invoiced_on")).exists()
    assert Payment.history.count() == Payment.objects.count()

