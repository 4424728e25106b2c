"""Enquiries: the first approach about support, followed to take-up (issue 19; issue 21 adds the other sources).

Today an enquiry has one source: the special-measures offer the programme writes to every practice CQC places in
special measures (seed 001: "we have mail-shotted all practices placed in SM about take up the offer"). The
practice accepts (and the offer becomes a contract), declines, or does not reply within
``OFFER_REPLY_WORKING_DAYS`` working days. "No reply" is derived from ``reply_due``, never stored: no sweep is
needed, and a late reply can still be recorded. Imported by contracts.models so Django registers it with the
contracts app. Writes: contracts/enquiry_services.py; who sees which: contracts/access.py (``enquiries_for``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .vocabulary import Programme


class EnquiryQuerySet(models.QuerySet):
    def with_status(self, status, today=None):
        """The enquiries whose derived status (``Enquiry.Status``) is ``status`` on ``today``."""
        return self.filter(status_q(status, today))


class Enquiry(models.Model):
    """One enquiry about support, and what came of it."""

    class Source(models.TextChoices):
        # Issue 21 adds the initial conversations (from a practice, commissioner, CQC or NHSE).
        SPECIAL_MEASURES_OFFER = "special_measures_offer", "Special-measures offer"

    class Outcome(models.TextChoices):
        """A reply recorded; blank while none is. "No reply" is derived (``Status``), never recorded."""

        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    class Status(models.TextChoices):
        """What the lists show and filter by: the outcome, or (without one) whether the reply is overdue."""

        AWAITING = "awaiting", "Awaiting reply"
        NO_REPLY = "no_reply", "No reply"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="enquiries")
    source = models.CharField(max_length=40, choices=Source.choices, default=Source.SPECIAL_MEASURES_OFFER)
    episode = models.ForeignKey("practices.SpecialMeasuresEpisode", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="enquiries",
                                help_text="The special-measures episode the offer was made for (one offer each).")
    opened_on = models.DateField(help_text="The day the offer was made.")
    reply_due = models.DateField(null=True, blank=True,
                                 help_text="OFFER_REPLY_WORKING_DAYS working days after the offer (England).")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True, help_text="The day the practice replied.")
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="enquiries", help_text="The contract an accepted offer became.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="Who recorded the reply.")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name_plural = "enquiries"
        constraints = [
            models.UniqueConstraint(fields=["episode"], condition=Q(episode__isnull=False),
                                    name="one_offer_per_episode"),
            # One contract answers one enquiry: the figures count it once.
            models.UniqueConstraint(fields=["contract"], condition=Q(contract__isnull=False),
                                    name="one_enquiry_per_contract"),
            models.CheckConstraint(condition=~Q(outcome="accepted") | Q(contract__isnull=False),
                                   name="accepted_enquiry_has_contract"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome_on__isnull=False),
                                   name="enquiry_outcome_has_date"),
        ]
        indexes = [
            models.Index(fields=["practice", "-opened_on"], name="enquiry_practice_idx"),
            models.Index(fields=["outcome", "reply_due"], name="enquiry_status_idx"),
            models.Index(fields=["-opened_on", "-id"], name="enquiry_opened_idx"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} to {self.practice.name} on {self.opened_on:%d/%m/%Y}"

    def status(self, today=None):
        """The derived status on ``today`` (default: today)."""
        if self.outcome:
            return self.Status(self.outcome)
        today = today or datetime.date.today()
        if self.reply_due is not None and today > self.reply_due:
            return self.Status.NO_REPLY
        return self.Status.AWAITING

    @property
    def current_status(self):
        return self.status()

    @property
    def programme(self):
        return SOURCE_PROGRAMME[self.source]

    @property
    def replied_late(self):
        return bool(self.outcome_on and self.reply_due and self.outcome_on > self.reply_due)


# The programme whose figures count an enquiry of each source (an enquiry that became a contract counts once, as
# that contract: contracts/figures.py).
SOURCE_PROGRAMME = {Enquiry.Source.SPECIAL_MEASURES_OFFER: Programme.SPECIAL_MEASURES}


def status_q(status, today=None):
    """Enquiry.status() as a condition, so that lists filter and figures count in the database."""
    today = today or datetime.date.today()
    if status in (Enquiry.Status.ACCEPTED, Enquiry.Status.DECLINED):
        return Q(outcome=status)
    overdue = Q(reply_due__isnull=False, reply_due__lt=today)
    if status == Enquiry.Status.NO_REPLY:
        return Q(outcome="") & overdue
    if status == Enquiry.Status.AWAITING:
        return Q(outcome="") & ~overdue
    raise ValueError(f"{status!r} is not an enquiry status")
