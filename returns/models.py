"""NHS England's side of the money (003 §4 Funding, §8 Reporting, Key milestones): the budget national NHSE
allocates to each region (and ICB) for a financial year, the year's deadlines with their targets, and the regions'
data returns, each submitted as a frozen copy of what the records said."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.regions import Region


class Allocation(models.Model):
    """The budget for one financial year (April-March; ``financial_year`` is the year it starts) that national NHSE
    gives a region (``icb`` blank) or one ICB of it."""

    financial_year = models.PositiveSmallIntegerField(help_text="The year it starts: 2026 is 2026-27.")
    region = models.CharField("NHS England region", max_length=3, choices=Region.choices)
    icb = models.ForeignKey("practices.Commissioner", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="allocations", verbose_name="ICB",
                            help_text="Blank for the region's own budget.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["financial_year", "region", "icb__name"]
        constraints = [
            models.UniqueConstraint(fields=["financial_year", "region"], condition=Q(icb__isnull=True),
                                    name="allocation_one_per_region_year"),
            models.UniqueConstraint(fields=["financial_year", "icb"], condition=Q(icb__isnull=False),
                                    name="allocation_one_per_icb_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["financial_year", "region"], name="allocation_year_region_idx")]

    def __str__(self):
        return f"{self.financial_year} {self.region} {self.icb_id or ''}: £{self.amount}"


class Deadline(models.Model):
    """One of a financial year's data-return deadlines and what must be true by it. National NHSE sets them per
    year; a year without any takes the programme guidance's three (returns/targets.py)."""

    financial_year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(help_text="1, 2, 3: the order of the year's returns.")
    due_at = models.DateTimeField(help_text="e.g. 5 October at 17:00.")
    committed_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Share of the allocation committed by then (blank: no target).")
    spent_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Share of the allocation spent by then (blank: no target).")
    all_mous_agreed = models.BooleanField(default=False, help_text="Every supported practice's MoU signed by then.")
    case_studies = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Case studies per region for the year so far (blank: no target).")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year", "number"]
        constraints = [models.UniqueConstraint(fields=["financial_year", "number"], name="deadline_one_per_number")]

    def __str__(self):
        return f"{self.financial_year} deadline {self.number}"


class DataReturn(models.Model):
    """A region's data return for one deadline, as submitted: ``content`` is the frozen copy of what the records
    said then (returns/builder.py), so later changes to the records never alter it. A resubmission is a new row with
    the next ``number`` and a reason; the earlier ones are kept."""

    region = models.CharField("NHS England region", max_length=3, choices=Region.choices)
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="returns")
    number = models.PositiveSmallIntegerField(default=1, help_text="1 for the first submission, 2 for the next...")
    reason = models.TextField("reason for resubmitting", blank=True)
    content = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["deadline", "region", "-number"]
        constraints = [models.UniqueConstraint(fields=["region", "deadline", "number"],
                                               name="data_return_one_per_number")]
        indexes = [models.Index(fields=["deadline", "region", "-number"], name="data_return_latest_idx")]

    def __str__(self):
        return f"{self.get_region_display()} return {self.number} for {self.deadline}"
