"""Evaluation at closure: the practice's feedback on the support, the advisers' reflections and case studies
(issue 21 item 5; 002 Annex 1, 003 §9). The staff's anonymous feedback is a questionnaire of the purpose
"closure_feedback" (forwardplans.models.Questionnaire), with the diagnostic one's anonymity.

Who reads and writes each of them is evaluation/access.py; every write is a service (evaluation/services.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from contracts.vocabulary import SupportCategory

from .vocabulary import CaseStudyStatus, Naming

User = settings.AUTH_USER_MODEL


class PracticeFeedback(models.Model):
    """The practice's feedback on the support, given by its practice lead at closure: one per contract."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="practice_feedback")
    answers = models.JSONField(help_text="{statement key: 1-5} (evaluation.vocabulary.PRACTICE_FEEDBACK_STATEMENTS)")
    went_well = models.TextField("what went well", blank=True)
    could_be_better = models.TextField("what could have been better", blank=True)
    given_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    given_on = models.DateField(default=timezone.localdate, db_index=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    def __str__(self):
        return f"Practice feedback on {self.contract_id}"


class Reflection(models.Model):
    """One adviser's reflection on a contract at closure: what worked, what did not, lessons. RCGP only."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="reflections")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    what_worked = models.TextField("what worked")
    what_did_not = models.TextField("what did not work")
    lessons = models.TextField("lessons for other contracts")
    written_on = models.DateField(default=timezone.localdate, db_index=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["written_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "author"], name="one_reflection_per_adviser")]

    def __str__(self):
        return f"Reflection on {self.contract_id}"


class CaseStudy(models.Model):
    """A case study of a contract, under one support category, with the practice's choice to be named or not."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="case_studies")
    support_category = models.CharField(max_length=30, choices=SupportCategory.choices)
    # No default: the choice is the practice's, and a case study without it is refused (evaluation/services.py).
    naming = models.CharField("the practice's choice", max_length=10, choices=Naming.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    what_worked = models.TextField("what worked")
    what_did_not = models.TextField("what did not work")
    status = models.CharField(max_length=5, choices=CaseStudyStatus.choices, default=CaseStudyStatus.DRAFT)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_on = models.DateField(default=timezone.localdate)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name_plural = "case studies"
        indexes = [models.Index(fields=["contract", "-created_on"], name="case_study_contract_idx"),
                   models.Index(fields=["status", "created_on"], name="case_study_status_idx")]

    def __str__(self):
        return self.title

    @property
    def anonymised(self):
        return self.naming == Naming.ANONYMISED
