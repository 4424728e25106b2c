"""What each funder was invoiced and paid for a contract, refunds on an early end, and variations of its value.

"Spent" everywhere (reports, returns, the API, ``Contract.spent``) means payments made: paid invoices less paid
refunds, counted in the financial year of ``paid_on``. An invoice not yet paid is not spent. The delivery cost (the
advisers' days and other costs the deputy lead manages) is a different figure, kept in the finance app. Imported by
contracts.models so Django registers these with the contracts app. Writes: finance/payment_services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Funder(models.TextChoices):
    NHSE = "nhse", "NHS England"
    COMMISSIONER = "commissioner", "Commissioner (ICB)"
    PRACTICE = "practice", "Practice"
    OTHER = "other", "Other funder"


class Payment(models.Model):
    """An invoice to one funder, and when it was paid; or a refund to one funder, and when it was made."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        REFUND = "refund", "Refund"

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="payments")
    funder = models.CharField(max_length=16, choices=Funder.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.INVOICE)
    reference = models.CharField("invoice or credit note number", max_length=60, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="Pounds; a refund is a positive amount.")
    invoiced_on = models.DateField(help_text="The day the invoice (or the credit note of a refund) was raised.")
    paid_on = models.DateField(null=True, blank=True,
                               help_text="The day the money arrived (or, for a refund, left); blank until then.")
    note = models.TextField(blank=True)
    over_allocation_reason = models.TextField(
        "why spending goes above the allocation", blank=True, db_default="",
        help_text="Required when paying it takes its region's (or ICB's) spending in the year above NHS England's "
                  "allocation (returns/allocations.py).")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["invoiced_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        indexes = [
            models.Index(fields=["contract", "invoiced_on"], name="payment_contract_idx"),
            models.Index(fields=["paid_on"], name="payment_paid_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference or self.pk} to {self.get_funder_display()}: £{self.amount}"

    @property
    def signed_amount(self):
        """What it adds to "spent" once paid: a refund takes away."""
        return -self.amount if self.kind == self.Kind.REFUND else self.amount


class Variation(models.Model):
    """A recorded change of a contract's agreed value: payments beyond the value need one first."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="variations")
    previous_value = models.DecimalField(max_digits=10, decimal_places=2)
    new_value = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.TextField()
    agreed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["agreed_on", "pk"]
        indexes = [models.Index(fields=["contract", "agreed_on"], name="variation_contract_idx")]

    def __str__(self):
        return f"{self.contract.reference}: £{self.previous_value} → £{self.new_value}"
