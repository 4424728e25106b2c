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


class PracticeAlert(models.Model):
    """A change that matters to a practice (a new CQC report, a rating that fell or rose, special measures entered
    or left, a six-month window opened, a closure, ...), told to the practice's audience (surveillance.audiences).

    Raised once: (practice, kind, key) is unique, so a re-run of a sync or a re-derivation of the episodes never
    raises it again. ``detail`` holds facts only (rating words, dates, codes), never free text."""

    class Kind(models.TextChoices):
        NEW_INSPECTION = "new_inspection", "New CQC inspection report"
        RATING_FELL = "rating_fell", "CQC rating fell"
        RATING_ROSE = "rating_rose", "CQC rating rose"
        ENTERED_SPECIAL_MEASURES = "entered_special_measures", "Entered special measures"
        LEFT_SPECIAL_MEASURES = "left_special_measures", "Left special measures"
        WINDOW_OPENED = "window_opened", "Six months to improve began"
        PRACTICE_CLOSED = "practice_closed", "Practice closed"
        PRACTICE_REOPENED = "practice_reopened", "Practice re-opened"
        COMMISSIONER_CHANGED = "commissioner_changed", "Commissioner changed"
        CORRECTION_DIFFERS = "correction_differs", "Corrected special measures differ from the inspections"

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # What makes it this change and no other: a report's link id, an episode's start date, ...
    key = models.CharField(max_length=100)
    on = models.DateField(help_text="The date of the change (a report's publication, an episode's start, ...).")
    detail = models.JSONField(default=dict, blank=True, help_text="Facts only: rating words, dates, codes.")
    raised_at = models.DateTimeField()
    sync_run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["practice", "kind", "key"], name="uniq_practice_alert")]
        indexes = [models.Index(fields=["practice", "-on", "-id"], name="alert_practice_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: practice {self.practice_id} on {self.on}"
