"""Diagnostic reports (with kept versions), forward plans, actions, milestones, RAG history,
progress, evidence, consent to share and the confidential staff questionnaire."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core import audit
from core.models import DocumentAccess

from .vocabulary import KEY_QUESTION_CHOICES, REPORT_SECTIONS, ConsentStatus, CorrectionAnswer, Rag, ReportState

User = settings.AUTH_USER_MODEL


class DiagnosticReport(models.Model):
    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="diagnostic_report")
    state = models.CharField(max_length=24, choices=ReportState.choices, default=ReportState.DRAFT, db_index=True)
    history_text = models.TextField("history", blank=True)
    personnel = models.TextField(blank=True)
    day_to_day = models.TextField("day-to-day function", blank=True)
    demographics = models.TextField("demographics and benchmarks", blank=True)
    staff_opinion = models.TextField(blank=True)
    patient_opinion = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    conclusions = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    good_practice = models.TextField("areas of good practice", blank=True)
    root_causes = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=1, help_text="Bumped on every change of the report.")
    section_versions = models.JSONField(
        default=dict, blank=True, help_text="{section (or root_causes): version}; 1 until first saved. Each section is "
        "saved on its own, from the version its writer started from, so writers of different sections do not clash.")
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"Diagnostic report for {self.contract}"

    def part_version(self, part):
        """The version of one section (or of the root-cause tags, part "root_causes")."""
        return self.section_versions.get(part, 1)

    def part_value(self, part):
        return self.root_causes if part == ROOT_CAUSES_PART else getattr(self, self.field_for(part))

    def section_values(self):
        """{section: text}, for checks (which sections are written) and copies (a kept version), which are not a
        person reading the report: the access log does not count them. A page shows sections through the fields."""
        with audit.not_a_read():
            return {field: getattr(self, self.field_for(field)) for field, _heading in REPORT_SECTIONS}

    @staticmethod
    def field_for(section):
        # "history" is taken by django-simple-history's manager.
        return "history_text" if section == "history" else section


ROOT_CAUSES_PART = "root_causes"
REPORT_PARTS = [name for name, _heading in REPORT_SECTIONS] + [ROOT_CAUSES_PART]


class SectionDraft(models.Model):
    """A writer's unsaved text of one section of a report, kept on the server while they type (never in the browser:
    NHS computers are shared), so that an expired session loses nothing. Only its writer ever sees it."""

    report = models.ForeignKey(DiagnosticReport, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=24)
    text = models.TextField(blank=True)
    base_version = models.PositiveIntegerField(help_text="The section's version when the writer started.")
    saved_at = models.DateTimeField(auto_now=True)

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user", "section"], name="uniq_section_draft")]

    def __str__(self):
        return f"Draft of {self.section} by {self.user_id}"


class ReportVersion(models.Model):
    """A kept copy of the report each time it is sent to the practice or made final."""

    report = models.ForeignKey(DiagnosticReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=24, choices=ReportState.choices)
    sections = models.JSONField()
    root_causes = models.JSONField(default=list)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="uniq_report_version")]

    def __str__(self):
        return f"Version {self.number} ({self.get_state_display()})"


class ReportCorrection(models.Model):
    """A factual-accuracy correction the practice proposes to one section of the report, and the advisers' answer.

    The practice lead drafts corrections while the report is with the practice (only the practice sees drafts);
    returning the report sends them to the advisers together (``returned_in``: the kept version they are about).
    Each is then accepted, or declined with a reason, before the deputy lead resends the report."""

    report = models.ForeignKey(DiagnosticReport, on_delete=models.CASCADE, related_name="corrections")
    section = models.CharField(max_length=24, choices=REPORT_SECTIONS)
    passage = models.TextField("the passage as written")
    correction = models.TextField("the proposed correction")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    returned_in = models.PositiveIntegerField(
        null=True, blank=True, help_text="The kept version it was returned against; empty while a draft.")
    returned_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=10, choices=CorrectionAnswer.choices, blank=True)
    answer_reason = models.TextField(blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [models.Index(fields=["report", "returned_in"], name="correction_report_idx")]

    def __str__(self):
        return f"Correction to {self.get_section_display()}"

    @property
    def is_draft(self):
        return self.returned_at is None


class ForwardPlan(models.Model):
    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="forward_plan")
    inspection = models.ForeignKey(
        "practices.Inspection", null=True, blank=True, on_delete=models.SET_NULL, related_name="forward_plans",
        help_text="The inspection the plan answers: the practice's latest rated one when the plan was started, "
                  "changed by the RCGP team.")
    version = models.PositiveIntegerField(
        default=1, db_default=1, help_text="Bumped when the plan itself changes (its inspection, a version "
                                           "recorded); stale writes are refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"Forward plan for {self.contract}"


class PlanVersion(models.Model):
    """A kept copy of the plan's actions each time it is shared with the commissioner, sent to CQC or agreed (and by
    whom). Its number is the plan's version as copies print it (forwardplans.document_versions)."""

    class Reason(models.TextChoices):
        SHARED = "shared", "Shared with the commissioner"
        SENT_TO_CQC = "sent_to_cqc", "Sent to CQC"
        AGREED = "agreed", "Agreed"

    class Party(models.TextChoices):
        PRACTICE = "practice", "The practice"
        COMMISSIONER = "commissioner", "The commissioner"
        RCGP = "rcgp", "RCGP"

    plan = models.ForeignKey(ForwardPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    agreed_by = models.CharField("agreed for", max_length=12, choices=Party.choices, blank=True,
                                 help_text="The party that agreed it, when the reason is agreed.")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    inspection = models.ForeignKey("practices.Inspection", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="The inspection the plan answered then.")
    snapshot = models.JSONField(help_text="The plan as it was (forwardplans.pdf.plan_snapshot).")

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="uniq_plan_version"),
            models.CheckConstraint(condition=Q(reason="agreed", agreed_by__in=["practice", "commissioner", "rcgp"])
                                   | (~Q(reason="agreed") & Q(agreed_by="")), name="plan_version_agreed_by_party"),
        ]

    def __str__(self):
        return f"Version {self.number} ({self.describe()})"

    def describe(self):
        """"Agreed by the commissioner", "Sent to CQC"."""
        if self.reason == self.Reason.AGREED:
            party = self.get_agreed_by_display()
            return "Agreed by " + ("the " + party[4:] if party.startswith("The ") else party)
        return self.get_reason_display()


# An action's free text: what the access log counts as reading it (its RAG, dates and lead are figures).
ACTION_TEXT = ["problem", "underlying_issue", "action_planned", "resources", "sources_of_support", "evidence_needed",
               "eventual_goal", "next_steps"]


class Action(models.Model):
    plan = models.ForeignKey(ForwardPlan, on_delete=models.CASCADE, related_name="actions")
    key_question = models.CharField("CQC key question", max_length=20, choices=KEY_QUESTION_CHOICES)
    other_key_questions = models.JSONField(
        "other key questions", default=list, db_default=[], blank=True,
        help_text="Keys of the other key questions it answers besides key_question (the plan is grouped by that).")
    regulations = models.JSONField(
        "CQC regulations", default=list, db_default=[], blank=True,
        help_text='The regulations it answers, labels of practices.regulations ("Regulation 12: Safe care and '
                  'treatment"), in CQC\'s order.')
    regulation_other = models.CharField(
        "other regulation or standard", max_length=200, blank=True, db_default="",
        help_text="Wording naming none of CQC's fundamental standards (a contract clause, say).")
    # What it answers as one line of text, written by the services from the two fields above: what copies, search
    # (its GIN index, migration 0005) and the API's `regulation` read.
    regulation = models.CharField("CQC regulation", max_length=1000, blank=True)
    problem = models.TextField("problem as found")
    root_causes = models.JSONField(
        default=list, db_default=[], blank=True,
        help_text="RootCause values (forwardplans/vocabulary.py) the action answers, as the report tags them.")
    underlying_issue = models.TextField("underlying issue (root cause)")
    action_planned = models.TextField("action(s) planned (SMART)")
    lead_person = models.CharField(max_length=200)
    lead_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_actions",
                                  help_text="The lead's account, for reminders.")
    responsible = models.CharField("responsible person(s)", max_length=300, blank=True)
    accountable = models.CharField("accountable person", max_length=300, blank=True)
    resources = models.TextField("resources required", blank=True)
    sources_of_support = models.TextField(blank=True)
    evidence_needed = models.TextField()
    eventual_goal = models.TextField("eventual goal (how we know it is resolved)", blank=True)
    planned_completion = models.DateField("planned completion date", db_index=True)
    next_steps = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first.")
    rag_status = models.CharField("RAG status", max_length=5, choices=Rag.choices, default=Rag.RED, db_index=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "pk"]
        indexes = [models.Index(fields=["plan", "key_question", "priority"], name="action_plan_kq_idx")]

    def __str__(self):
        return self.action_planned[:80]


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(max_length=300)
    due_on = models.DateField(db_index=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="milestone_open_due_idx"),
            # A plan's open milestones (overdue counts in plan summaries and home pages; issue 9).
            models.Index(fields=["action", "due_on"], condition=Q(done_on__isnull=True),
                         name="milestone_open_action_idx"),
        ]

    def __str__(self):
        return self.description

    def is_overdue(self, today=None):
        return self.done_on is None and self.due_on < (today or datetime.date.today())


class RagChange(models.Model):
    """Every RAG change: who, when, from, to and why."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="rag_changes")
    from_status = models.CharField(max_length=5, choices=Rag.choices)
    to_status = models.CharField(max_length=5, choices=Rag.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.TextField()
    evidence_justification = models.TextField(
        blank=True, help_text="Why Green without uploaded evidence (where the evidence is, or why none is needed).")

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class ProgressEntry(models.Model):
    """The dated 'progress to date' log."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress")
    entry_date = models.DateField()
    text = models.TextField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["-entry_date", "-pk"]
        verbose_name_plural = "progress entries"

    def __str__(self):
        return f"{self.entry_date}: {self.text[:40]}"


def evidence_path(instance, filename):
    return f"evidence/{instance.action.plan_id}/{secrets.token_hex(16)}"


class Evidence(models.Model):
    """An uploaded file. Stored under MEDIA_ROOT (outside the web root) under a random name; served only
    through a view that asks the access policy."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = audit.AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name


class ConsentToShare(models.Model):
    """The practice's decision on sharing the DR and FP with the commissioner. History keeps every decision."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="consent")
    status = models.CharField(max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.NOT_DECIDED,
                              db_index=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.contract}: {self.get_status_display()}"


def new_token():
    """Kept for migration 0001, which made the (since removed) open questionnaire link."""
    return secrets.token_urlsafe(24)


class Questionnaire(models.Model):
    """A confidential staff questionnaire. Staff answer without logging in, each through a single-use
    invitation the practice sends (QuestionnaireInvitation); there is no shared link."""

    class Purpose(models.TextChoices):
        # The same anonymity serves both: single-use invitations, answers kept without who or when (only the day).
        DIAGNOSTIC = "diagnostic", "Confidential staff questionnaire (scoping)"
        CLOSURE_FEEDBACK = "closure_feedback", "Anonymous staff feedback on the support (at closure)"

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="questionnaires")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.DIAGNOSTIC,
                               db_default=Purpose.DIAGNOSTIC)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"Staff questionnaire for {self.contract}"

    @property
    def is_open(self):
        return self.closed_at is None


class QuestionnaireResponse(models.Model):
    """One anonymous answer: no user, no IP address, no invitation, and only the date it arrived."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="responses")
    answers = models.JSONField()
    comments = models.TextField(blank=True)
    received_on = models.DateField(default=datetime.date.today)

    objects = audit.AuditedQuerySet.as_manager()

    def __str__(self):
        return f"Response {self.pk}"


class InvitationKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    CODE = "code", "Printed code"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    PRINTED = "printed", "Printed code"
    NOT_SENT = "not_sent", "Not sent: the questionnaire closed first"


class QuestionnaireInvitation(models.Model):
    """One member of staff's single-use way in: an e-mailed link or a printed code.

    Only the sha256 of its secret is kept (an e-mail's secret is made when it is sent, and exists only in the
    message). Using it sets ``used`` and nothing else: no time, and no link to the response it let in. The
    e-mail address is kept only while it is needed: it is cleared once the invitation is sent, when it is used,
    and for every invitation when the questionnaire closes (an address that could not be sent to is kept until
    then, for the practice to correct). Only the practice sees invitations (forwardplans/access.py).
    """

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=8, choices=InvitationKind.choices)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    email = models.EmailField(blank=True)
    # A keyed hash (HMAC with SECRET_KEY) of the address, so the same person is not invited twice even after the
    # address itself is cleared; blank for codes and for e-mails that could not be sent. Cleared at closing.
    address_key = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["questionnaire", "status"], name="invitation_status_idx"),
                   models.Index(fields=["status", "claimed_at"], name="invitation_sending_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(used=False) | Q(email=""), name="used_invitation_keeps_no_address"),
            models.CheckConstraint(condition=~Q(kind="code") | (Q(email="") & Q(address_key="")),
                                   name="code_invitation_has_no_address"),
            models.UniqueConstraint(fields=["questionnaire", "address_key"], condition=~Q(address_key=""),
                                    name="one_invitation_per_address"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} invitation {self.pk}"


# Background jobs: reminders, notifications, stored PDFs, the outbox and calendar feeds (issue #6).
from .job_models import (  # noqa: E402, F401
    CalendarFeed,
    Event,
    Notification,
    OutboxJob,
    SentReminder,
    StoredPdf,
)

# The access log: which fields are confidential text, and which records are stored files (core.audit). Reading one
# in a request is logged by the audit middleware; counts, values() and deferred (only()) reads are not.
_Document = DocumentAccess.Document
audit.confidential(DiagnosticReport, document=_Document.REPORT, contract="contract_id",
                   fields=[DiagnosticReport.field_for(name) for name, _heading in REPORT_SECTIONS])
audit.confidential(SectionDraft, document=_Document.REPORT, contract="report__contract", fields=["text"])
audit.confidential(ReportCorrection, document=_Document.REPORT, contract="report__contract",
                   fields=["passage", "correction", "answer_reason"])
audit.confidential(ReportVersion, document=_Document.REPORT_VERSION, contract="report__contract", fields=["sections"],
                   detail=lambda version: f"version {version.__dict__['number']}" if "number" in version.__dict__
                   else "")
audit.confidential(Action, document=_Document.ACTION, contract="plan__contract", fields=ACTION_TEXT)
audit.confidential(PlanVersion, document=_Document.PLAN, contract="plan__contract", fields=["snapshot"],
                   detail=lambda version: f"version {version.__dict__['number']}" if "number" in version.__dict__
                   else "")
audit.confidential(Milestone, document=_Document.ACTION, contract="action__plan__contract", fields=["description"])
audit.confidential(RagChange, document=_Document.ACTION, contract="action__plan__contract",
                   fields=["reason", "evidence_justification"])
audit.confidential(ProgressEntry, document=_Document.ACTION, contract="action__plan__contract", fields=["text"])
audit.confidential(QuestionnaireResponse, document=_Document.QUESTIONNAIRE, contract="questionnaire__contract",
                   fields=["answers", "comments"])
audit.confidential_file(Evidence, document=_Document.EVIDENCE, contract="action__plan__contract",
                        detail=lambda evidence: evidence.__dict__.get("original_name", ""))
audit.confidential_file(StoredPdf, document=_Document.PDF, contract="contract_id",
                        detail=lambda pdf: pdf.filename if StoredPdf.contract.is_cached(pdf) else "")
