"""What CQC did about an inspection (enforcement) and what a practice told its patients; imported by
practices.models so Django registers them with the practices app."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .regulations import EnforcementKind


class Enforcement(models.Model):
    """One enforcement action CQC took (requirement or warning notice, conditions, suspension, cancellation),
    entered by RCGP admin or a commissioner lead from the report: CQC's location records carry none."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="enforcements")
    inspection = models.ForeignKey("practices.Inspection", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="enforcements", help_text="The inspection whose report it follows.")
    kind = models.CharField(max_length=20, choices=EnforcementKind.choices)
    regulations = models.JSONField(default=list, blank=True, help_text="Labels from practices.regulations.")
    issued_on = models.DateField()
    comply_by = models.DateField(null=True, blank=True, help_text="The date CQC set for compliance, if any.")
    ended_on = models.DateField(null=True, blank=True, help_text="Met, lifted or withdrawn on.")
    summary = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["practice", "issued_on", "pk"]
        indexes = [models.Index(fields=["practice", "issued_on"], name="enforcement_practice_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.issued_on}"


class PatientInformation(models.Model):
    """What a practice rated Inadequate or in special measures told its patients, where, when, and who is the
    named senior responsible person (002 §44-48). Seen by the practice and its commissioner."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="patient_information")
    episode = models.ForeignKey("practices.SpecialMeasuresEpisode", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="patient_information")
    told_on = models.DateField()
    what = models.TextField(help_text="What patients were told.")
    channels = models.JSONField(default=list, help_text="practices.regulations.PatientChannel values.")
    senior_responsible_person = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["practice", "-told_on", "-pk"]
        indexes = [models.Index(fields=["practice", "-told_on"], name="patient_info_practice_idx")]

    def __str__(self):
        return f"Patients told on {self.told_on}"
