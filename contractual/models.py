"""Contractual action by a commissioner on a practice's GMS, PMS or APMS contract (002 Chapter 3, Annexes 7-9).

A ``ContractualCase`` starts when a concern notification is received (usually from CQC, within one working day of
its visit) and moves through the steps of contractual/lifecycle.py: a risk assessment, an investigation of the
level it calls for, a decision, and the notices that follow with their appeals and outcomes. Who may see any of it
is contractual/access.py: the commissioner's leads; NHSE the metadata only; the practice only the notices served
on it; never RCGP."""

import datetime

from django.conf import settings
from django.db import models

from contracts.working_days import working_days_between

User = settings.AUTH_USER_MODEL

# 002 Annex 9(a): a remedy period is no less than 28 days from the date of the notice; appeals are made in writing
# within 28 days of its service. Calendar days: a bank holiday moves neither.
REMEDY_MINIMUM = datetime.timedelta(days=28)
APPEAL_WITHIN = datetime.timedelta(days=28)
# 002 §82: CQC notifies the commissioner within one working day of its visit.
CQC_NOTIFIES_WITHIN_WORKING_DAYS = 1


class State(models.TextChoices):
    RECEIVED = "received", "Concern received"
    ASSESSED = "assessed", "Risk assessed"
    INVESTIGATING = "investigating", "Under investigation"
    INVESTIGATED = "investigated", "Investigation complete"
    DECIDED = "decided", "Decision made"
    CLOSED = "closed", "Closed"


class Source(models.TextChoices):
    CQC = "cqc", "Care Quality Commission (CQC)"
    PATIENT = "patient", "Patient complaint"
    WHISTLEBLOWER = "whistleblower", "Whistleblower"
    COMMISSIONER = "commissioner", "Commissioner's own monitoring"
    OTHER = "other", "Other"


class RiskOutcome(models.TextChoices):
    LOW = "low", "Low risk"
    MEDIUM = "medium", "Medium risk"
    HIGH = "high", "High risk"


class Level(models.TextChoices):
    MINOR = "minor", "Minor: assurance letter"
    MODERATE = "moderate", "Moderate: practice visit with notice"
    MAJOR = "major", "Major: full practice audit"


class DecisionKind(models.TextChoices):
    NO_ACTION = "no_action", "No contractual action"
    REMEDIAL = "remedial", "Remedial notice"
    BREACH = "breach", "Breach notice"
    SANCTION = "sanction", "Contract sanction"
    TERMINATION = "termination", "Notice of termination"


class ShorterGround(models.TextChoices):
    PATIENT_SAFETY = "patient_safety", "To protect the safety of the practice's patients"
    FINANCIAL_LOSS = "financial_loss", "To protect the commissioner from material financial loss"


class NoticeOutcome(models.TextChoices):
    REMEDIED = "remedied", "Remedied"
    NOT_REMEDIED = "not_remedied", "Not remedied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Appeal upheld"
    DISMISSED = "dismissed", "Appeal dismissed"
    WITHDRAWN = "withdrawn", "Appeal withdrawn"


class ContinuityKind(models.TextChoices):
    SUB_CONTRACT = "sub_contract", "Sub-contract"
    CARETAKER = "caretaker", "Caretaker arrangement"
    LIST_DISPERSAL = "list_dispersal", "List dispersal"


class RegistrationEvent(models.TextChoices):
    SUSPENDED = "suspended", "Registration suspended"
    CANCELLED = "cancelled", "Registration cancelled"


class ContractualCase(models.Model):
    """One concern about a practice and the contractual action taken on it."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="contractual_cases")
    # The practice's commissioner when the concern was received: the access rules read it (core/relations.py).
    commissioner = models.ForeignKey("practices.Commissioner", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED)
    received_on = models.DateField("date the concern notification was received")
    source = models.CharField(max_length=20, choices=Source.choices)
    cqc_visit_on = models.DateField("date of CQC's visit", null=True, blank=True)
    summary = models.TextField("summary of the concern")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    performer_referred_on = models.DateField("performer concern referred on", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["practice", "-received_on"], name="contractual_case_practice_idx")]

    def __str__(self):
        return f"Contractual case {self.pk} ({self.practice_id})"

    @property
    def cqc_notified_within_one_working_day(self):
        """True (met), False (late) or None (not a CQC notification, or no visit date) (002 §82)."""
        if self.source != Source.CQC or self.cqc_visit_on is None:
            return None
        return working_days_between(self.cqc_visit_on, self.received_on) <= CQC_NOTIFIES_WITHIN_WORKING_DAYS

    @property
    def cqc_notification_text(self):
        met = self.cqc_notified_within_one_working_day
        if met is None:
            return ""
        return "CQC notified within one working day: " + ("met" if met else "late")


class RiskAssessment(models.Model):
    case = models.OneToOneField(ContractualCase, on_delete=models.CASCADE, related_name="risk_assessment")
    outcome = models.CharField(max_length=10, choices=RiskOutcome.choices)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)

    def __str__(self):
        return f"{self.get_outcome_display()} on {self.assessed_on}"


class Investigation(models.Model):
    """The investigation the risk assessment called for (002 §103-119), at one of three levels."""

    case = models.OneToOneField(ContractualCase, on_delete=models.CASCADE, related_name="investigation")
    level = models.CharField(max_length=10, choices=Level.choices)
    started_on = models.DateField()
    # Minor: an assurance letter and the practice's reply.
    assurance_letter_sent_on = models.DateField(null=True, blank=True)
    reply_received_on = models.DateField(null=True, blank=True)
    # Moderate: a practice visit, with notice to the practice.
    visit_notice_on = models.DateField("notice of the visit given on", null=True, blank=True)
    visit_on = models.DateField("visit date", null=True, blank=True)
    # Major: a full audit and its report.
    audit_report_on = models.DateField("audit report dated", null=True, blank=True)
    findings = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"{self.get_level_display()} investigation"


class Decision(models.Model):
    """What the commissioner decided (002 §86-100). A case may have more than one: a notice not remedied leads to
    a further decision (a breach notice, a sanction, termination)."""

    case = models.ForeignKey(ContractualCase, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(blank=True)
    # 002 §99: legal advice is sought before a notice of termination.
    legal_advice_on = models.DateField(null=True, blank=True)
    legal_advice_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.decided_on}"


class NoticeKind(models.TextChoices):
    REMEDIAL = "remedial", "Remedial notice"
    BREACH = "breach", "Breach notice"
    SANCTION = "sanction", "Notice of sanction"
    TERMINATION = "termination", "Notice of termination"


class Notice(models.Model):
    """A notice to the contractor (002 Annex 9): the terms breached, what must be done and by when."""

    case = models.ForeignKey(ContractualCase, on_delete=models.CASCADE, related_name="notices")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    terms_breached = models.TextField("terms of the contract breached")
    actions_required = models.TextField(blank=True)
    dated_on = models.DateField("date of the notice")
    served_on = models.DateField(null=True, blank=True, db_index=True)
    remedy_by = models.DateField(null=True, blank=True, db_index=True)
    shorter_ground = models.CharField(max_length=20, choices=ShorterGround.choices, blank=True)
    shorter_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=NoticeOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["dated_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.dated_on}"

    @property
    def is_open(self):
        return not self.outcome

    @property
    def appeal_by(self):
        return self.served_on + APPEAL_WITHIN if self.served_on else None


class Appeal(models.Model):
    """An appeal in writing against a notice. One received after its 28 days is kept as received out of time, with
    the commissioner's decision whether to consider it (never silently accepted)."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="appeal")
    received_on = models.DateField()
    in_time = models.BooleanField()
    considered = models.BooleanField(default=True)
    out_of_time_decision = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=AppealOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"Appeal received {self.received_on}"

    @property
    def timing_text(self):
        return "Received in time" if self.in_time else "Received out of time"


class ContinuityArrangement(models.Model):
    """How patients keep a service when the registration is suspended or cancelled (002 §120-)."""

    case = models.ForeignKey(ContractualCase, on_delete=models.CASCADE, related_name="continuity")
    registration = models.CharField(max_length=20, choices=RegistrationEvent.choices)
    kind = models.CharField(max_length=20, choices=ContinuityKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.starts_on}"
