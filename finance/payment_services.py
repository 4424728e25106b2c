"""Writes of what each funder was invoiced and paid for a contract, refunds on an early end, and variations of the
contract's value (contracts/payment_models.py). RCGP programme admin makes them.

``Contract.spent`` is kept here, in the same transaction as the payment that changes it: the paid invoices less the
paid refunds. Only that field (and ``value``, by a variation) is written, with ``.update``, since other services
change other fields of the contract at the same time."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, Q, Sum, When
from django.utils import timezone

from contracts.models import Contract, Payment, Variation
from contracts.payment_models import Funder
from contracts.vocabulary import EndReason
from contracts.workflow import SIDE_EXITS, State
from core.errors import DomainError, StaleEdit, require_allowed
from returns.selectors import over_allocation

from . import access
from .services import _money, _text

ZERO = Decimal("0.00")
# An end that counts as early for a refund: a side exit, or closed early (the practice withdrew, the GP left).
EARLY_END_REASONS = frozenset({EndReason.EARLY_WITHDRAWAL, EndReason.GP_RETIRED})
SIGNED = Case(When(kind=Payment.Kind.REFUND, then=-F("amount")), default=F("amount"))


def _today():
    return timezone.localdate()


def _locked(contract):
    """The contract's row, locked: two payments at once cannot both pass the check against its value."""
    return Contract.objects.select_for_update().only("pk", "reference", "value", "state", "end_reason",
                                                     "commissioned_on").get(pk=contract.pk)


def _refresh_spent(contract):
    spent = (Payment.objects.filter(contract_id=contract.pk, paid_on__isnull=False)
             .aggregate(s=Sum(SIGNED))["s"] or ZERO)
    Contract.objects.filter(pk=contract.pk).update(spent=spent)
    return spent


def invoiced_net(contract):
    """What is invoiced (paid or not) less refunds: it may not pass the contract's value."""
    return Payment.objects.filter(contract_id=contract.pk).aggregate(s=Sum(SIGNED))["s"] or ZERO


def ended_early(contract):
    return contract.state in SIDE_EXITS or (contract.state == State.CLOSED and contract.end_reason in EARLY_END_REASONS)


def _funder(value):
    if value not in Funder.values:
        raise DomainError("Choose the funder from the list")
    return value


def _date(value, what, *, not_before=None, not_before_text=""):
    if not isinstance(value, datetime.date):
        raise DomainError(f"Enter the {what}")
    if value > _today():
        raise DomainError(f"The {what} must be today or in the past")
    if not_before is not None and value < not_before:
        raise DomainError(f"The {what} must be on or after {not_before_text}, {not_before:%-d %B %Y}")
    return value


@transaction.atomic
def invoice_record(*, contract, actor, funder, amount, invoiced_on, reference="", note=""):
    """Record an invoice to ``funder``. What is invoiced less refunds may not pass the contract's value: a higher
    value needs a recorded variation first."""
    require_allowed(access.refusal(actor, "record_payments", contract))
    locked = _locked(contract)
    funder = _funder(funder)
    amount = _money(amount, "amount")
    invoiced_on = _date(invoiced_on, "invoice date")
    total = invoiced_net(locked) + amount
    if total > locked.value:
        raise DomainError(
            f"This invoice would take what is invoiced for contract {locked.reference} to £{total:,.2f}, above its "
            f"value of £{locked.value:,.2f}. Record a variation of the contract's value first")
    payment = Payment(contract=locked, funder=funder, kind=Payment.Kind.INVOICE, amount=amount,
                      invoiced_on=invoiced_on, reference=(reference or "").strip()[:60], note=(note or "").strip(),
                      recorded_by=actor)
    payment._change_reason = "invoice recorded"
    payment.save()
    return payment


@transaction.atomic
def payment_mark_paid(*, payment, actor, base_version, paid_on, over_allocation_reason=""):
    """Record the day an invoice was paid (or a refund made). ``Contract.spent`` follows. A payment that takes its
    region's (or ICB's) spending in that financial year above NHS England's allocation needs
    ``over_allocation_reason`` (returns/selectors.py ``over_allocation``)."""
    payment = Payment.objects.select_for_update().select_related("contract").get(pk=payment.pk)
    require_allowed(access.refusal(actor, "record_payments", payment.contract))
    if payment.version != base_version:
        raise StaleEdit("Someone else changed this payment while you were changing it. Nothing of yours was saved.",
                        [("Paid on", f"{payment.paid_on:%-d %B %Y}" if payment.paid_on else "not paid")])
    if payment.paid_on:
        raise DomainError(f"This {payment.get_kind_display().lower()} was already paid on "
                          f"{payment.paid_on:%-d %B %Y}")
    _locked(payment.contract)
    payment.paid_on = _date(paid_on, "date it was paid", not_before=payment.invoiced_on,
                            not_before_text="the invoice date")
    reason = (over_allocation_reason or "").strip()
    over = over_allocation(payment.contract, payment.signed_amount, payment.paid_on)
    if over and not reason:
        raise DomainError(f"{over}. Enter why the payment goes above the allocation")
    payment.over_allocation_reason = reason if over else ""
    payment.version += 1
    payment._change_reason = "paid"
    payment.save()
    _refresh_spent(payment.contract)
    return payment


def net_paid(contract, funder):
    """What ``funder`` has paid for the contract, less refunds to it (made or recorded)."""
    rows = Payment.objects.filter(contract_id=contract.pk, funder=funder)
    return rows.aggregate(s=Sum(SIGNED, filter=Q(kind=Payment.Kind.REFUND) | Q(paid_on__isnull=False)))["s"] or ZERO


@transaction.atomic
def refund_record(*, contract, actor, funder, amount, invoiced_on, paid_on=None, reference="", note=""):
    """Record a refund to ``funder`` of a contract that ended early, never more than that funder's net paid."""
    require_allowed(access.refusal(actor, "record_payments", contract))
    locked = _locked(contract)
    if not ended_early(locked):
        raise DomainError(f"Contract {locked.reference} did not end early: refunds are for a contract that ended "
                          f"early (declined, withdrawn, failed to engage, or closed on an early withdrawal or the "
                          f"GP leaving)")
    funder = _funder(funder)
    amount = _money(amount, "refund")
    invoiced_on = _date(invoiced_on, "date of the credit note")
    if paid_on is not None:
        paid_on = _date(paid_on, "date the refund was made", not_before=invoiced_on,
                        not_before_text="the credit note's date")
    paid = net_paid(locked, funder)
    if amount > paid:
        raise DomainError(f"{Funder(funder).label} has paid £{paid:,.2f} net for contract {locked.reference}: a "
                          f"refund cannot be more than that")
    payment = Payment(contract=locked, funder=funder, kind=Payment.Kind.REFUND, amount=amount,
                      invoiced_on=invoiced_on, paid_on=paid_on, reference=(reference or "").strip()[:60],
                      note=(note or "").strip(), recorded_by=actor)
    payment._change_reason = "refund recorded"
    payment.save()
    _refresh_spent(locked)
    return payment


@transaction.atomic
def variation_record(*, contract, actor, new_value, reason, agreed_on):
    """Record a variation of the contract's agreed value; ``Contract.value`` becomes ``new_value``."""
    require_allowed(access.refusal(actor, "record_payments", contract))
    locked = _locked(contract)
    new_value = _money(new_value, "new value")
    reason = _text(reason, "Enter the reason for the variation")
    agreed_on = _date(agreed_on, "date the variation was agreed")
    if new_value == locked.value:
        raise DomainError(f"The contract's value is already £{new_value:,.2f}")
    invoiced = invoiced_net(locked)
    if new_value < invoiced:
        raise DomainError(f"£{invoiced:,.2f} is already invoiced for contract {locked.reference}: the new value "
                          f"cannot be less than that")
    variation = Variation(contract=locked, previous_value=locked.value, new_value=new_value, reason=reason,
                          agreed_on=agreed_on, recorded_by=actor)
    variation._change_reason = "variation recorded"
    variation.save()
    Contract.objects.filter(pk=locked.pk).update(value=new_value)
    return variation
