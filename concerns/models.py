"""Concerns raised under the duty to report (docs/domain.md §9): patient safety, safeguarding, fraud or
professional misconduct, seen by the RCGP team on a contract. They reach the commissioner's lead and RCGP admin
whatever the practice has agreed to share, and nobody else (concerns/access.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core import audit
from core.models import DocumentAccess

User = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    PATIENT_SAFETY = "patient_safety", "Patient safety"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    FRAUD = "fraud", "Fraud"
    MISCONDUCT = "professional_misconduct", "Professional misconduct"


class ActionTaken(models.TextChoices):
    CQC = "cqc", "Referred to the Care Quality Commission (CQC)"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Referred to the safeguarding lead"
    COUNTER_FRAUD = "counter_fraud", "Referred to counter-fraud"
    PERFORMERS_LIST = "performers_list", "Referred to the performers-list process"
    PROFESSIONAL_REGULATOR = "regulator", "Referred to a professional regulator (GMC, NMC)"
    POLICE = "police", "Reported to the police"
    NO_FURTHER_ACTION = "no_further_action", "No further action needed"
    OTHER = "other", "Other"


class Concern(models.Model):
    """One concern: what was seen, when and who is involved (roles, never patient identifiers), who raised it, its
    acknowledgement (due by the end of the next working day in England) and whether the practice was told. Open
    until a receiver closes it; the retention job keeps an open one whatever its contract's age."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="concerns")
    category = models.CharField(max_length=30, choices=Category.choices)
    description = models.TextField("what was seen")
    observed_on = models.DateField("when it was seen")
    people_involved = models.TextField("who is involved", help_text="Roles, not names or patient identifiers.")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledgement_due = models.DateField(db_index=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    practice_told_at = models.DateTimeField(null=True, blank=True)
    practice_not_told_reason = models.TextField(blank=True, help_text="Why telling the practice would put someone "
                                                "at risk (the practice is told otherwise).")
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["contract", "-raised_at"], name="concern_contract_idx")]

    def __str__(self):
        return f"{self.get_category_display()} concern on {self.contract_id}"

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def status(self):
        """(words, tag colour) of where the concern stands now."""
        if self.closed_at is not None:
            return "Closed", "grey"
        if self.acknowledged_at is not None:
            return "Acknowledged", "blue"
        if self.acknowledgement_due < timezone.localdate():
            return "Not acknowledged in time: escalated to RCGP admin", "red"
        return "Waiting for acknowledgement", "yellow"


class ConcernAction(models.Model):
    """What a receiver did about a concern, with who and when."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=30, choices=ActionTaken.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.concern_id})"


# The access log (core.audit): reading a concern's text in a request is logged as a read of the contract's concern.
audit.confidential(Concern, document=DocumentAccess.Document.CONCERN, contract="contract_id",
                   fields=["description", "people_involved", "practice_not_told_reason"])
audit.confidential(ConcernAction, document=DocumentAccess.Document.CONCERN, contract="concern__contract",
                   fields=["note"])
