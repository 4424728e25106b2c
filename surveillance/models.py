"""What each sync left behind: its run report (SyncRun) and the CQC locations still to fetch again (RetryItem)."""

from django.db import models


class SyncRun(models.Model):
    """One run of ``sync_cqc`` or ``sync_ods``: when, how far it read, what it did and what failed, and why."""

    class Kind(models.TextChoices):
        CQC = "cqc", "CQC ratings"
        CQC_FULL = "cqc_full", "CQC ratings (full)"
        ODS = "ods", "ODS practice file"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Succeeded with failures"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    # CQC: the end timestamp of the last change window read completely; the next run starts there.
    watermark = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=500, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    given_up = models.PositiveIntegerField(default=0)
    # [{"item": location id or file, "reason": text, "given_up": bool}]
    failures = models.JSONField(default=list, blank=True)
    # [{"kind": "new_inspection" | "rating_fell" | ..., "practice": ODS code, "detail": text}]: the changes that
    # matter, for the alerts to read.
    changes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)  # what failed the whole run, if it failed

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.started_at:%Y-%m-%d %H:%M}"


class RetryItem(models.Model):
    """A CQC location that failed: fetched again by later runs until it succeeds or reaches the try limit."""

    location_id = models.CharField(max_length=20, unique=True)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    given_up = models.BooleanField(default=False, db_index=True)
    first_failed_at = models.DateTimeField()
    last_tried_at = models.DateTimeField()

    class Meta:
        ordering = ["location_id"]

    def __str__(self):
        return self.location_id
