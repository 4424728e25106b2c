"""Enquiries: the first approach about support, followed to take-up (issues 19 and 21).

Two kinds. The special-measures offer the programme writes to every practice CQC places in special measures (seed
001: "we have mail-shotted all practices placed in SM about take up the offer"): the practice accepts (and the
offer becomes a contract), declines, or does not reply within ``OFFER_REPLY_WORKING_DAYS`` working days. An
offer's "no reply" is derived from ``reply_due``, never stored: no sweep is needed, and a late reply can still be
recorded. And the initial conversation (seed 001's first step) from a practice, a commissioner, CQC or NHSE: when,
what was asked, who got in touch, and its outcome as recorded: became a contract, declined, not eligible or no
reply (recorded, since a conversation has no reply date). Imported by contracts.models so Django registers it with the
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
        SPECIAL_MEASURES_OFFER = "special_measures_offer", "Special-measures offer"
        # The initial conversations, by who got in touch.
        PRACTICE = "practice", "Conversation with the practice"
        COMMISSIONER = "commissioner", "Conversation with the commissioner"
        CQC = "cqc", "Conversation with CQC"
        NHSE = "nhse", "Conversation with NHS England"

    class Outcome(models.TextChoices):
        """An outcome recorded; blank while none is. An offer's "no reply" is derived (``Status``), never recorded;
        a conversation's is recorded."""

        ACCEPTED = "accepted", "Became a contract"
        DECLINED = "declined", "Declined"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        NO_REPLY = "no_reply", "No reply"

    class Status(models.TextChoices):
        """What the lists show and filter by: the outcome, or (without one) whether an offer's reply is overdue."""

        AWAITING = "awaiting", "Awaiting reply"
        NO_REPLY = "no_reply", "No reply"
        ACCEPTED = "accepted", "Became a contract"
        DECLINED = "declined", "Declined"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="enquiries")
    source = models.CharField(max_length=40, choices=Source.choices, default=Source.SPECIAL_MEASURES_OFFER)
    programme = models.CharField(max_length=40, choices=Programme.choices, default=Programme.SPECIAL_MEASURES,
                                 help_text="The programme whose figures count it (offers: special measures).")
    asked = models.TextField("what was asked", blank=True, help_text="A conversation's question (an offer: blank).")
    contact_name = models.CharField("who got in touch", max_length=200, blank=True)
    episode = models.ForeignKey("practices.SpecialMeasuresEpisode", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="enquiries",
                                help_text="The special-measures episode the offer was made for (one offer each).")
    opened_on = models.DateField(help_text="The day the offer was made, or the conversation took place.")
    reply_due = models.DateField(null=True, blank=True,
                                 help_text="OFFER_REPLY_WORKING_DAYS working days after the offer (England).")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True, help_text="The day the practice replied.")
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="enquiries", help_text="The contract the enquiry became.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="Who recorded the outcome.")
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
            # A conversation says what was asked; an offer's "no reply" is derived, never stored.
            models.CheckConstraint(condition=Q(source="special_measures_offer") | ~Q(asked=""),
                                   name="conversation_has_asked"),
            models.CheckConstraint(condition=~Q(source="special_measures_offer", outcome="no_reply"),
                                   name="offer_no_reply_derived"),
        ]
        indexes = [
            models.Index(fields=["practice", "-opened_on"], name="enquiry_practice_idx"),
            models.Index(fields=["outcome", "reply_due"], name="enquiry_status_idx"),
            models.Index(fields=["-opened_on", "-id"], name="enquiry_opened_idx"),
            models.Index(fields=["source", "-opened_on"], name="enquiry_source_idx"),
            models.Index(fields=["programme", "opened_on"], name="enquiry_programme_idx"),
        ]

    def __str__(self):
        joint = "to" if self.is_offer else "about"
        return f"{self.get_source_display()} {joint} {self.practice.name} on {self.opened_on:%d/%m/%Y}"

    @property
    def is_offer(self):
        return self.source == self.Source.SPECIAL_MEASURES_OFFER

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
    def replied_late(self):
        return bool(self.outcome_on and self.reply_due and self.outcome_on > self.reply_due)


CONVERSATION_SOURCES = [source for source in Enquiry.Source.values if source != Enquiry.Source.SPECIAL_MEASURES_OFFER]


def status_q(status, today=None):
    """Enquiry.status() as a condition, so that lists filter and figures count in the database."""
    today = today or datetime.date.today()
    if status in (Enquiry.Status.ACCEPTED, Enquiry.Status.DECLINED, Enquiry.Status.NOT_ELIGIBLE):
        return Q(outcome=status)
    overdue = Q(reply_due__isnull=False, reply_due__lt=today)
    if status == Enquiry.Status.NO_REPLY:
        return Q(outcome=Enquiry.Outcome.NO_REPLY) | (Q(outcome="") & overdue)
    if status == Enquiry.Status.AWAITING:
        return Q(outcome="") & ~overdue
    raise ValueError(f"{status!r} is not an enquiry status")
