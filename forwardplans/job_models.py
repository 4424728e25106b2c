"""Background-job records: reminders sent (once), events and in-app notifications, stored PDFs, the outbox of
jobs waiting for the broker, and the per-user calendar feed.

Imported by forwardplans.models so Django registers them with the forwardplans app.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q

from .document_versions import FILE_PREFIX

User = settings.AUTH_USER_MODEL


class ReminderItem(models.TextChoices):
    MILESTONE = "milestone", "Milestone"
    ACTION = "action", "Action planned completion"
    FIRST_CONTACT = "first_contact", "First contact"
    REFERRAL = "referral", "Referral acknowledgement"
    REINSPECTION = "reinspection", "Special-measures re-inspection (by inspection, before episodes)"
    EPISODE_REINSPECTION = "episode_reinspection", "Special-measures re-inspection"
    CONTRACT_END = "contract_end", "Contract agreement end"
    CONCERN = "concern", "Concern acknowledgement"
    DIGEST = "digest", "Weekly digest"
    PDF_FAILURE = "pdf_failure", "PDF failure"
    EMAIL_FAILURE = "email_failure", "E-mail failure"
    EVENT = "event", "Event"
    ALERT = "alert", "Practice alert"
    FOLLOW_UP = "follow_up", "Monitoring follow-up"
    NOTICE_REMEDY = "notice_remedy", "Contract notice: remedy date"
    NOTICE_APPEAL = "notice_appeal", "Contract notice: appeal window"


class ReminderKind(models.TextChoices):
    WEEK_BEFORE = "week_before", "Due within a week"
    DAY_BEFORE = "day_before", "Due tomorrow"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    WEEKLY = "weekly", "Weekly digest"
    FAILED = "failed", "Failed"
    EVENT = "event", "Something happened"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    NO_ADDRESS = "no_address", "No e-mail address"
    IN_APP = "in_app", "In the app only"
    FAILED = "failed", "Failed"


class SentReminder(models.Model):
    """One reminder to one person. The unique key is claimed (INSERT ... ON CONFLICT DO NOTHING) before
    anything is sent, so concurrent sweeps and retried tasks send each reminder at most once."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    item_type = models.CharField(max_length=20, choices=ReminderItem.choices)
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    due_on = models.DateField()
    batch = models.UUIDField(db_index=True, help_text="The sweep that claimed it.")
    created_at = models.DateTimeField(auto_now_add=True)
    email_status = models.CharField(max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "item_type", "item_id", "kind", "due_on"],
                                    name="uniq_sent_reminder"),
        ]
        indexes = [
            models.Index(fields=["email_status"], condition=Q(email_status__in=["pending", "sending"]),
                         name="reminder_email_todo_idx"),
        ]

    def __str__(self):
        return f"{self.item_type} {self.item_id} {self.kind} {self.due_on} → {self.recipient_id}"


class Event(models.Model):
    """Something that happened on a case that people are told about (forwardplans.events): its kind, the contract
    it is about and who did it. ``detail`` holds facts without free text (counts, version numbers, stages), so
    what a notification shows is rendered from it when it is read, through the access policy."""

    kind = models.CharField(max_length=40)
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="events")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contract", "-at"], name="event_contract_idx")]

    def __str__(self):
        return f"{self.kind} on contract {self.contract_id}"


class Notification(models.Model):
    """What a person sees in the app (and what their e-mail says). Visible only to its recipient.

    It keeps only a neutral title, for its e-mail, and a link; the page renders the rest when it is read, through
    the access policy (forwardplans.events.present): an event's from its event, a reminder's from the item it is
    about (``reminder``; a digest from the ids in ``detail``). A failed job's, told to RCGP admins in the app only,
    keeps its title and body."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    reminder = models.OneToOneField(SentReminder, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="notification")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="A path inside the app.")
    detail = models.JSONField(default=dict, blank=True,
                              help_text="Ids the page renders it from when it is read (never free text).")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.title


class PdfDocument(models.TextChoices):
    REPORT = "report", "Diagnostic report"
    PLAN = "plan", "Forward plan"
    CQC_ACTION_PLAN = "cqc_plan", "CQC action plan"


class PdfStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be created"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class StoredPdf(models.Model):
    """A PDF of one version of a contract's Diagnostic Report or Forward Plan.

    ``content`` is a snapshot of the document taken when the PDF was requested, and ``fingerprint`` its sha256:
    the same content is rendered once, an edited document gets a new PDF, and a retried render draws exactly
    what was asked for. ``number`` counts the PDFs of that document (1, 2, ...).
    """

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="pdfs")
    document = models.CharField(max_length=10, choices=PdfDocument.choices)
    number = models.PositiveIntegerField(help_text="PDF version of this document.")
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the document content it shows.")
    source_revision = models.PositiveIntegerField(
        help_text="Diagnostic report revision, or the sum of the plan's action versions, it was rendered from.")
    source_version = models.CharField(max_length=80, blank=True, help_text="The document version, as printed.")
    source_state = models.CharField(max_length=24, blank=True, help_text="The report's state when rendered.")
    content = models.JSONField(default=dict, help_text="The document as it was when the PDF was requested.")
    status = models.CharField(max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING, db_index=True)
    file = models.CharField(max_length=300, blank=True, help_text="Path under MEDIA_ROOT.")
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Render attempts started.")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "document", "fingerprint"], name="uniq_pdf_content"),
            models.UniqueConstraint(fields=["contract", "document", "number"], name="uniq_pdf_number"),
        ]

    def __str__(self):
        return f"{self.get_document_display()} PDF {self.number} for contract {self.contract_id}"

    @property
    def filename(self):
        """"diagnostic-report-H-101-v2.pdf": the version of the document it shows. A plan's PDF is that plan
        version; a report's is the report's version (kept copies), recorded in its snapshot."""
        if self.document == PdfDocument.PLAN and not self.content.get("file_version"):  # before kept plan versions
            version = f"v{self.number}"
        elif not (version := self.content.get("file_version")):  # snapshotted before versions were recorded
            found = re.search(r"version (\d+)$", self.source_version or "")
            version = f"v{found.group(1)}" if found else f"draft-r{self.source_revision}"
        return f"{FILE_PREFIX[self.document]}-{self.contract.reference}-{version}.pdf"


class OutboxJob(models.Model):
    """A Celery task written in the same transaction as the change that needs it, published after commit.
    When the broker is down the row stays, and the relay (beat, the sweep command) publishes it later."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="Celery's id, once published.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    context = models.JSONField(default=dict, db_default={}, blank=True,
                               help_text="The log context it was enqueued in (core.log_context: request and user "
                                         "ids), published with it.")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["created_at"], condition=Q(published_at__isnull=True),
                                name="outbox_unpublished_idx")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class CalendarFeed(models.Model):
    """A person's secret calendar URL. Only the sha256 of the token is kept; revoking deletes the row."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed of {self.user_id}"
