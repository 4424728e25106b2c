"""The agreement (memorandum of understanding) between a contract's practice, its commissioner and the RCGP: the
parties' signatures, the named leads, SMART objectives in three groups, contributions by party, the exit strategy,
and the termination and payment terms (002 Annex 1; 003 Annex D, the MoU: clauses 7, 11, 13, 14, 16, Appendices 1-2).

Who reads and writes it is agreements/access.py; every write is a service (agreements/services.py)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

User = settings.AUTH_USER_MODEL


class Party(models.TextChoices):
    PRACTICE = "practice", "Practice"
    COMMISSIONER = "commissioner", "Commissioner"
    RCGP = "rcgp", "RCGP"


class LeadKind(models.TextChoices):
    """MoU clause 7: the strategic and operational leads (the commissioner's side) and the practice lead."""
    STRATEGIC = "strategic", "Strategic lead"
    OPERATIONAL = "operational", "Operational lead"
    PRACTICE = "practice", "Practice lead"


class ObjectiveGroup(models.TextChoices):
    """MoU Appendix 1, 1.3: the three groups of key objectives."""
    OPERATIONAL_STABILITY = "operational_stability", "Securing operational stability"
    WAYS_OF_WORKING = "ways_of_working", "Developing more effective ways of working"
    FUTURE_SUSTAINABILITY = "future_sustainability", "Working towards future sustainability"


class Theme(models.TextChoices):
    """MoU Appendix 2, 1.4-1.11: the themes of the menu of support; "other" for rows added as required (1.12)."""
    RAPID_INTERVENTION = "rapid_intervention", "Rapid intervention and management support"
    DIAGNOSTIC = "diagnostic", "Diagnostic services to identify areas for improvement"
    SPECIALIST_ADVICE = "specialist_advice", "Specialist advice and guidance (HR, IT, management, finance)"
    COACHING = "coaching", "Coaching, supervision and mentorship"
    MANAGEMENT_CAPACITY = "management_capacity", "Practice management capacity support"
    WORKFORCE = "workforce", "Coordinated support with workforce issues"
    CHANGE_MANAGEMENT = "change_management", "Change management and improvement support"
    PERSONAL_RESILIENCE = "personal_resilience", "Personal resilience training"
    OTHER = "other", "Other support"


# The seeds' wording, prefilled into a new agreement and editable.
TERMINATION_TERMS = (
    "Any party may end this agreement by giving at least three months' notice in writing to the others, without "
    "reason. Where all relevant senior staff of the practice do not engage consistently and appropriately, the RCGP "
    "will tell the practice of its concerns and, if they are not resolved, may end its involvement; the commissioner "
    "may end the agreement on one month's notice in writing where, acting reasonably and in discussion with the "
    "local medical committee, it considers that the practice has failed to co-operate or to fulfil its "
    "responsibilities. Where ending is not agreed by all parties, the leads escalate it to the strategic lead.")
PAYMENT_TERMS = (
    "The practice will agree a plan of payment with the RCGP for the costs of the RCGP's work before support "
    "begins, and the commissioner will match-fund the practice's payment. If the practice or the RCGP ends the "
    "agreement before the agreed package of support is complete, the RCGP will decide whether a partial refund is "
    "appropriate, on the basis of the staff time spent and the direct and third-party costs incurred so far. The "
    "RCGP will not refund the practice simply because the practice considers the support ineffective. Each party "
    "otherwise bears its own costs.")
EXIT_STRATEGY = (
    "Support is time-limited: it ends when the objectives below are met or on the end date, whichever is sooner, "
    "with the practice's own arrangements in place to keep the improvements going and the commissioner's ongoing "
    "monitoring after handover.")


class Agreement(models.Model):
    """A contract's agreement: drafted by its commissioner lead, deputy lead or RCGP admin, signed by each party's own
    people; signed once all three have signed (``signed_on``: the last signature's date)."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="agreement")
    drafted_on = models.DateField(help_text="Signatures cannot be dated before this.")
    starts_on = models.DateField("support starts", null=True, blank=True)
    ends_on = models.DateField("support ends", null=True, blank=True)
    exit_strategy = models.TextField(blank=True)
    termination_terms = models.TextField(blank=True)
    payment_terms = models.TextField(blank=True)
    signed_on = models.DateField(null=True, blank=True, db_index=True,
                                 help_text="When the last of the three parties signed; empty until all have.")
    drafted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-drafted_on", "-pk"]

    def __str__(self):
        return f"Agreement for contract {self.contract_id}"


class Signature(models.Model):
    """One party's signatory (name, position) and the date they signed (empty until they do)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(max_length=20, choices=Party.choices)
    name = models.CharField(max_length=200, blank=True)
    position = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="agreement_one_signature_per_party")]

    def __str__(self):
        return f"{self.get_party_display()} signature"


class Lead(models.Model):
    """A named lead of MoU clause 7 (and its contact points, clause 17)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="leads")
    kind = models.CharField(max_length=20, choices=LeadKind.choices)
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "kind"], name="agreement_one_lead_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class Objective(models.Model):
    """A SMART objective (MoU Appendix 1): what, how we will know, and by when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="objectives")
    group = models.CharField(max_length=30, choices=ObjectiveGroup.choices)
    objective = models.TextField()
    # Blank only on the rows prefilled from the contract's objective texts: every save asks for both, and the
    # agreement cannot be signed until each objective has them.
    measure = models.TextField("how we will know", blank=True)
    achieve_by = models.DateField("achieve by", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "achieve_by", "pk"]
        indexes = [models.Index(fields=["agreement", "group"], name="objective_agreement_group_idx")]

    def __str__(self):
        return self.objective[:60]


class Contribution(models.Model):
    """What each party puts in to one theme of support (MoU Appendix 2): sums as money where one is given, and the
    practice's in-kind contribution as text."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="contributions")
    theme = models.CharField(max_length=30, choices=Theme.choices)
    description = models.TextField("service commissioned or agreed")
    commissioner_amount = models.DecimalField("NHSE/commissioner contribution (£)", max_digits=10, decimal_places=2,
                                              null=True, blank=True)
    commissioner_detail = models.CharField("NHSE/commissioner contribution: detail", max_length=500, blank=True)
    practice_in_kind = models.TextField("the practice's in-kind contribution", blank=True)
    rcgp_amount = models.DecimalField("RCGP contribution (£)", max_digits=10, decimal_places=2, null=True,
                                      blank=True)
    rcgp_detail = models.CharField("RCGP contribution: detail", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "pk"]

    def __str__(self):
        return f"{self.get_theme_display()} contribution"
