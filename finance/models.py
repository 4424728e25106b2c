"""The delivery cost of a contract (seed 001, "turnaround plan costed"): the deputy lead's costed plan of adviser days
by adviser and activity at a day rate, approved extra days, the days advisers log and other costs.

The delivery cost is what the work costs RCGP: days used × the rate each entry was priced at + other costs. It is
a different figure from "spent" (payments made by the funders: contracts/payment_models.py). Who reads and writes
each: finance/access.py; every write is a service (finance/services.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .vocabulary import Activity

User = settings.AUTH_USER_MODEL


class PlanLine(models.Model):
    """One line of the costed turnaround plan: an adviser's days on one activity at a day rate."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="plan_lines")
    adviser = models.ForeignKey("contracts.Adviser", on_delete=models.PROTECT, related_name="plan_lines")
    activity = models.CharField(max_length=24, choices=Activity.choices)
    days = models.DecimalField(max_digits=6, decimal_places=2, help_text="Costed days, in quarter days.")
    day_rate = models.DecimalField(max_digits=8, decimal_places=2, help_text="Pounds a day.")
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["contract", "adviser", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "adviser", "activity"], name="one_plan_line_per_activity"),
            models.CheckConstraint(condition=Q(days__gt=0) & Q(day_rate__gte=0), name="plan_line_positive"),
        ]
        indexes = [models.Index(fields=["adviser", "contract"], name="plan_line_adviser_idx")]

    def __str__(self):
        return f"{self.adviser}: {self.days} days of {self.get_activity_display()} at £{self.day_rate}"

    @property
    def cost(self):
        return self.days * self.day_rate


class ExtraDays(models.Model):
    """The deputy lead's approval of days beyond an adviser's costed days: it raises what the adviser may log."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="extra_days")
    adviser = models.ForeignKey("contracts.Adviser", on_delete=models.PROTECT, related_name="extra_days")
    days = models.DecimalField(max_digits=6, decimal_places=2)
    reason = models.TextField()
    approved_on = models.DateField()
    approved_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["approved_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(days__gt=0), name="extra_days_positive")]
        indexes = [models.Index(fields=["contract", "adviser"], name="extra_days_contract_idx"),
                   models.Index(fields=["adviser"], name="extra_days_adviser_idx")]

    def __str__(self):
        return f"{self.days} extra days for {self.adviser} approved on {self.approved_on}"


class TimeEntry(models.Model):
    """Days an adviser worked on a contract, priced when logged at the rate of their plan line for the activity (or,
    for an activity they have no line for, at their highest rate on the plan)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="time_entries")
    adviser = models.ForeignKey("contracts.Adviser", on_delete=models.PROTECT, related_name="time_entries")
    worked_on = models.DateField("date")
    activity = models.CharField(max_length=24, choices=Activity.choices)
    days = models.DecimalField(max_digits=4, decimal_places=2, help_text="In quarter days.")
    day_rate = models.DecimalField(max_digits=8, decimal_places=2, help_text="The rate it was priced at.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-worked_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(days__gt=0), name="time_entry_positive")]
        indexes = [models.Index(fields=["contract", "adviser"], name="time_entry_contract_idx"),
                   models.Index(fields=["adviser", "worked_on"], name="time_entry_adviser_idx")]

    def __str__(self):
        return f"{self.adviser}: {self.days} days of {self.get_activity_display()} on {self.worked_on}"

    @property
    def cost(self):
        return self.days * self.day_rate


class OtherCost(models.Model):
    """A cost of delivering the contract other than advisers' days (room hire, printing, ...)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="other_costs")
    incurred_on = models.DateField("date")
    what = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-incurred_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="other_cost_positive")]
        indexes = [models.Index(fields=["contract", "incurred_on"], name="other_cost_contract_idx")]

    def __str__(self):
        return f"{self.what}: £{self.amount}"
