"""The delivery record of a contract: the advisers' visits and meetings, structured interviews with key people,
review meetings, and the kinds of support given at each (issue 21, item 2; seed 001, DESIGN.md §9).

Who reads and writes them is delivery/access.py; every write is a service (delivery/services.py)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .vocabulary import HEADINGS, INTERVIEW_HEADINGS, RecordKind, SupportKind

User = settings.AUTH_USER_MODEL


class DeliveryRecord(models.Model):
    """One dated entry in the RCGP team's record of a contract's delivery. The RCGP team's own unless marked shared
    with the practice and its commissioner; an interview is never shared (its answers are confidential)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="delivery_records")
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    happened_on = models.DateField("date")
    attendees = models.TextField("who attended", blank=True, help_text="People and organisations, one a line.")
    purpose = models.TextField(blank=True)
    notes = models.TextField("notes for the RCGP team", blank=True)
    interviewee_role = models.CharField("the person's role", max_length=200, blank=True,
                                        help_text="Interviews: the key person's role, not their name.")
    answers = models.JSONField(default=dict, blank=True, help_text="Interviews: {heading key: answer}.")
    decisions = models.TextField(blank=True, help_text="Review meetings: what was decided.")
    support_plan = models.TextField("agreed support plan", blank=True, help_text="Review meetings.")
    support_kinds = models.JSONField(default=list, blank=True, help_text="SupportKind values given at it.")
    shared = models.BooleanField("shared with the practice and commissioner", default=False)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["contract", "-happened_on"], name="delivery_contract_idx"),
                   models.Index(fields=["contract", "kind"], name="delivery_contract_kind_idx")]
        constraints = [models.CheckConstraint(condition=~models.Q(kind=RecordKind.INTERVIEW, shared=True),
                                              name="delivery_interview_never_shared")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on}"

    @property
    def is_interview(self):
        return self.kind == RecordKind.INTERVIEW

    @property
    def is_review_meeting(self):
        return self.kind == RecordKind.REVIEW_MEETING

    @property
    def attendee_list(self):
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]

    @property
    def support_labels(self):
        labels = dict(SupportKind.choices)
        return [labels.get(kind, kind) for kind in self.support_kinds]

    def answered_headings(self):
        """(heading, answer) for each heading answered, in the method's order."""
        return [(heading, self.answers[key]) for key, heading, _hint in INTERVIEW_HEADINGS if self.answers.get(key)]

    @staticmethod
    def heading(key):
        return HEADINGS.get(key, key)
