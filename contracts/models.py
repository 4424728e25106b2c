"""Referrals, contracts, the adviser pool and teams, and the contract workflow's history."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from practices.ratings import Rating

from .vocabulary import (
    Closure,
    EndReason,
    Outcome,
    Priority,
    Profession,
    Programme,
    YesNoUnknown,
)
from .workflow import ENDED_STATES, State, status_of

FIRST_CONTACT_WITHIN = datetime.timedelta(days=7)
User = settings.AUTH_USER_MODEL


class RegionalDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    NOT_APPROVED = "not_approved", "Not approved"


class Referral(models.Model):
    """A resilience-programme self-referral (docs/domain.md §5) and the commissioner's assessment of it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting assessment"
        ASSESSED = "assessed", "Assessed"
        ACCEPTED = "accepted", "Accepted – contract commissioned"
        DECLINED = "declined", "Not supported"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="referrals",
                                 help_text="The referring (lead) practice.")
    group_practices = models.ManyToManyField("practices.Practice", blank=True, related_name="group_referrals",
                                             help_text="Other practices in a group referral.")
    commissioner = models.ForeignKey("practices.Commissioner", on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(db_index=True)
    # Practice lead contact
    contact_name = models.CharField(max_length=200)
    contact_role = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=30, blank=True)
    commissioner_supports = models.CharField("does the commissioner support this referral?", max_length=10,
                                             choices=YesNoUnknown.choices)
    categories = models.JSONField(default=list, help_text="SupportCategory values requested.")
    # Past support
    past_rcgp_sm_programme = models.BooleanField("supported by the RCGP special measures programme", default=False)
    past_rcgp_sm_year = models.PositiveSmallIntegerField(null=True, blank=True)
    past_vulnerable_practice_programme = models.BooleanField(default=False)
    past_resilience_programme = models.BooleanField(default=False)
    past_resilience_years = models.CharField(max_length=100, blank=True)
    issues = models.TextField("issues affecting service, staff and patients")
    support_needed = models.TextField("support believed to be needed")
    # Commissioner's assessment
    statement_of_support = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    criteria = models.JSONField(default=list, blank=True, help_text="National criteria keys that apply.")
    matrix_scope = models.PositiveSmallIntegerField(null=True, blank=True,
                                                    validators=[MinValueValidator(1), MaxValueValidator(5)])
    matrix_impact = models.PositiveSmallIntegerField(null=True, blank=True,
                                                     validators=[MinValueValidator(1), MaxValueValidator(5)])
    matrix_justification = models.TextField(blank=True)
    assessed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledgement_due = models.DateField(db_index=True,
                                           help_text="10 working days after receipt, England bank holidays excluded.")
    # NHS England's regional decision (003 Annex B, "NHS England Assessment and Decision"), after the commissioner's
    # assessment: commissioning resilience-programme support from the referral waits for an approval.
    regional_decision = models.CharField(max_length=12, choices=RegionalDecision.choices, blank=True, db_default="")
    regional_reason = models.TextField("reason for the regional decision", blank=True, db_default="")
    regional_decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    regional_decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1,
                                          help_text="Bumped on every change; stale saves are refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["commissioner", "status"], name="referral_comm_status_idx")]

    def __str__(self):
        return f"Referral from {self.practice.name} received {self.received_on:%d/%m/%Y}"

    @property
    def acknowledgement_met(self):
        """True/False once acknowledged; None while still waiting."""
        if self.acknowledged_on is None:
            return None
        return self.acknowledged_on <= self.acknowledgement_due


class Contract(models.Model):
    reference = models.CharField(max_length=20, unique=True, help_text="e.g. 31, or 31A for a follow-on.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ons",
                               help_text="The contract this one follows on from.")
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="contracts")
    practices = models.ManyToManyField("practices.Practice", blank=True, related_name="group_contracts",
                                       help_text="Other practices when the contract is for a group or PCN.")
    commissioner = models.ForeignKey("practices.Commissioner", on_delete=models.PROTECT, related_name="contracts")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts")
    programme = models.CharField(max_length=32, choices=Programme.choices, db_index=True)
    categories = models.JSONField(default=list, blank=True, help_text="SupportCategory values.")
    state = models.CharField(max_length=32, choices=State.choices, default=State.COMMISSIONED, db_index=True)
    commissioned_on = models.DateField(db_index=True)
    commissioned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deputy_lead = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="led_contracts")
    first_contact_on = models.DateField(null=True, blank=True)
    # Funding (pounds)
    value = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    nhse_contribution = models.DecimalField("NHSE/commissioner contribution", max_digits=10, decimal_places=2,
                                            default=Decimal("0"))
    practice_contribution = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    # Payments made (paid invoices less paid refunds: contracts/payment_models.py), kept by finance.payment_services.
    spent = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    # Agreement / MoU
    mou_signed_on = models.DateField("agreement signed", null=True, blank=True)
    mou_starts_on = models.DateField("agreement starts", null=True, blank=True)
    mou_ends_on = models.DateField("agreement ends", null=True, blank=True)
    objectives_operational_stability = models.TextField(blank=True)
    objectives_ways_of_working = models.TextField("objectives: more effective ways of working", blank=True)
    objectives_future_sustainability = models.TextField(blank=True)
    # Ending and outcome
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, choices=EndReason.choices, blank=True)
    exit_reason = models.TextField(blank=True, help_text="Why the practice declined, support was withdrawn, ...")
    rating_before = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    in_special_measures_before = models.BooleanField(null=True, blank=True)
    rating_after = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    in_special_measures_after = models.BooleanField(null=True, blank=True)
    closure = models.CharField(max_length=16, choices=Closure.choices, default=Closure.NONE)
    notes = models.TextField("adviser-only notes", blank=True)
    imported = models.BooleanField(default=False, help_text="Loaded from the RCGP's records (import_contracts): it "
                                   "keeps its imported stage and its documents are kept outside this service.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-commissioned_on", "reference"]
        indexes = [
            models.Index(fields=["commissioner", "state"], name="contract_comm_state_idx"),
            models.Index(fields=["programme", "commissioned_on"], name="contract_prog_date_idx"),
            models.Index(fields=["deputy_lead", "state"], name="contract_lead_state_idx"),
        ]

    def __str__(self):
        return f"Contract {self.reference} – {self.practice.name}"

    @property
    def status(self):
        return status_of(self.state)

    @property
    def is_ended(self):
        return self.state in ENDED_STATES

    @property
    def first_contact_due(self):
        return self.commissioned_on + FIRST_CONTACT_WITHIN

    def first_contact_status(self, today=None):
        """'met', 'late' (made after the week), 'overdue' (not made and past due) or 'due'."""
        if self.first_contact_on:
            return "met" if self.first_contact_on <= self.first_contact_due else "late"
        today = today or datetime.date.today()
        return "overdue" if today > self.first_contact_due else "due"

    @property
    def outcome(self):
        return outcome_of(self.closure, self.rating_after, self.in_special_measures_after)

    @property
    def awaiting_reinspection(self):
        return self.end_reason == EndReason.CARRIED_FORWARD_FOR_REINSPECTION and self.outcome is None


def outcome_of(closure, rating_after, in_sm_after):
    """The outcome category; a closure outranks a rating. None while there is no outcome yet."""
    if closure == Closure.EMERGENCY:
        return Outcome.EMERGENCY_CLOSURE
    if closure == Closure.WITH_NOTICE:
        return Outcome.CLOSED_WITH_NOTICE
    if rating_after in (Rating.GOOD, Rating.OUTSTANDING):
        return Outcome.GOOD
    if rating_after == Rating.REQUIRES_IMPROVEMENT:
        return Outcome.REQUIRES_IMPROVEMENT_IN_SM if in_sm_after else Outcome.REQUIRES_IMPROVEMENT_EXITED_SM
    if rating_after == Rating.INADEQUATE:
        return Outcome.INADEQUATE_IN_SM
    return None


class ContractTransition(models.Model):
    """One move of a contract through the workflow: who, when, from, to, and why."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=32, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=32, choices=State.choices)
    by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    effective_on = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["contract", "at"], name="transition_contract_at_idx")]

    def __str__(self):
        return f"{self.contract.reference}: {self.from_state} → {self.to_state}"


class Adviser(models.Model):
    """A member of the RCGP adviser pool (advisers and deputy leads)."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="adviser_profile")
    profession = models.CharField(max_length=24, choices=Profession.choices)
    region = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField(default=3, help_text="How many live contracts at once.")
    active = models.BooleanField(default=True)
    unavailable_until = models.DateField(null=True, blank=True, help_text="Away (leave, other work) until this day.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]

    def __str__(self):
        return self.user.get_full_name() or self.user.username


class ConflictOfInterest(models.Model):
    """A declared conflict: the adviser may not work with this practice or commissioner."""

    adviser = models.ForeignKey(Adviser, on_delete=models.CASCADE, related_name="conflicts")
    practice = models.ForeignKey("practices.Practice", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    commissioner = models.ForeignKey("practices.Commissioner", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    description = models.CharField(max_length=300)
    declared_on = models.DateField(default=datetime.date.today)
    ended_on = models.DateField(null=True, blank=True, help_text="No longer a conflict from this day.")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(practice__isnull=False) | Q(commissioner__isnull=False),
                                   name="conflict_names_practice_or_commissioner"),
        ]

    def __str__(self):
        return f"{self.adviser}: {self.description}"


class TeamMembership(models.Model):
    """An adviser on a contract's team; removal keeps the row (removed_at) so history stays."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="team_members")
    adviser = models.ForeignKey(Adviser, on_delete=models.PROTECT, related_name="memberships")
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    capacity_override_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "adviser"], condition=Q(removed_at__isnull=True),
                                    name="one_current_membership"),
        ]
        indexes = [models.Index(fields=["adviser", "removed_at"], name="membership_adviser_idx")]

    def __str__(self):
        return f"{self.adviser} on {self.contract.reference}"


from .enquiry_models import Enquiry  # noqa: E402, F401
from .payment_models import Payment, Variation  # noqa: E402, F401
