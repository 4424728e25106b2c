"""The commissioner's monitoring of its practices: visits, calls, meetings, follow-ups, readiness reviews and review
notes on a forward plan's actions after handover (issue 20; 002 Tables 1-2, §35-43).

Who reads and writes each of them is monitoring/access.py; every write is a service (monitoring/services.py)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core import audit
from core.models import DocumentAccess

User = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    VISIT = "visit", "Visit"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    CONCERN_RAISED = "concern_raised", "Concern raised"
    SUPPORT_OFFERED = "support_offered", "Support offered"
    SUPPORT_GIVEN = "support_given", "Support given"


class MonitoringRecord(models.Model):
    """One dated entry in the commissioner's record of a practice: who was there and what happened. The
    commissioner's own (its sub-ICB location's and its ICB's) unless marked shared with the practice."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="monitoring_records")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    happened_on = models.DateField("date")
    people = models.TextField("who was there", blank=True,
                              help_text="People and organisations, one a line.")
    summary = models.TextField("summary and notes")
    shared_with_practice = models.BooleanField("shared with the practice", default=False)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["practice", "-happened_on"], name="monitoring_practice_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on}"

    @property
    def people_list(self):
        return [line.strip() for line in self.people.splitlines() if line.strip()]


class FollowUp(models.Model):
    """Something to do after a record, by a date (a deadline: reminders, home pages, the calendar feed)."""

    record = models.ForeignKey(MonitoringRecord, on_delete=models.CASCADE, related_name="follow_ups")
    what = models.CharField(max_length=500)
    due_on = models.DateField(db_index=True)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              help_text="Who does it; with no one named, the commissioner's team hears of it.")
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"Follow-up due {self.due_on}"


class Readiness(models.TextChoices):
    READY = "ready", "Ready"
    PARTLY = "partly", "Partly ready"
    NOT_READY = "not_ready", "Not ready"


class AreaStatus(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


# The areas a review of the practice's preparedness before re-inspection looks at (002 §43, and §44-48 for
# patients): key, question. The plan's progress is asked per CQC key question.
READINESS_AREAS = [
    ("engagement", "Is the practice, and every relevant member of its team, engaged in improving and accepting "
                   "their responsibility?"),
    ("gp_performance", "Have any performance issues of GPs linked to the inspection's findings been considered?"),
    ("progress_safe", "Progress against the improvement plan: safe"),
    ("progress_effective", "Progress against the improvement plan: effective"),
    ("progress_caring", "Progress against the improvement plan: caring"),
    ("progress_responsive", "Progress against the improvement plan: responsive"),
    ("progress_well_led", "Progress against the improvement plan: well-led"),
    ("outstanding_actions", "Are the plan's outstanding actions in hand for the re-inspection?"),
    ("no_new_issues", "Is the plan still right: no new issues emerging that call for more root cause analysis?"),
    ("evidence_ready", "Is the evidence CQC will ask for ready?"),
    ("staffing", "Is staffing stable and sufficient?"),
    ("patient_information", "Have patients been told what the rating means and what the practice is doing?"),
]
AREA_KEYS = [key for key, _question in READINESS_AREAS]


class ReadinessReview(models.Model):
    """A review of the practice's preparedness before CQC re-inspects it (002 §43): the areas looked at, each
    answered yes, partly or no with a note, and the overall readiness. The commissioner's own."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="readiness_reviews")
    episode = models.ForeignKey("practices.SpecialMeasuresEpisode", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="readiness_reviews",
                                help_text="The special-measures episode current when it was recorded, if any.")
    reviewed_on = models.DateField("date of the review")
    checklist = models.JSONField(default=dict, help_text="{area key: {'status': AreaStatus, 'note': text}}")
    readiness = models.CharField("overall readiness", max_length=10, choices=Readiness.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        indexes = [models.Index(fields=["practice", "-reviewed_on"], name="readiness_practice_idx")]

    def __str__(self):
        return f"Readiness review on {self.reviewed_on}"

    def areas(self):
        """(question, status label, note) for every area, in order."""
        labels = dict(AreaStatus.choices)
        return [(question, labels.get((self.checklist.get(key) or {}).get("status"), "Not answered"),
                 (self.checklist.get(key) or {}).get("note", "")) for key, question in READINESS_AREAS]


class ActionReviewNote(models.Model):
    """After handover, the commissioner's peer-support team's note of its ongoing support against one action of the
    forward plan. It never changes the action (nor its RAG status, nor its version)."""

    action = models.ForeignKey("forwardplans.Action", on_delete=models.CASCADE, related_name="review_notes")
    note = models.TextField()
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return f"Review note on action {self.action_id}"


# Reading a note's text in a request is logged as a read of the action's plan (core.audit); monitoring records
# belong to no contract, so the access log (per contract) has no place for them.
audit.confidential(ActionReviewNote, document=DocumentAccess.Document.ACTION, contract="action__plan__contract",
                   fields=["note"])
