"""The wider offer beyond contracts (issue 23 items 2 and 3; seed 004): events and training with their places,
invitations, registrations by practice and attendance; and practice-to-practice peer support (an Excellence
practice supporting a Rescue or Resilience one).

Who sees and writes each is events/access.py; every write is a service (events/services.py)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from practices.models import Commissioner, Practice

from .vocabulary import Attendance, AttendeeRole, Kind

User = settings.AUTH_USER_MODEL


class Event(models.Model):
    """A conference, workshop, course, diploma place or bursary, with its places and who is invited.

    Invited: every practice (``open_to_all``), or the practices of ``invited_commissioners`` (an ICB's sub-ICB
    locations' practices too) and the ``invited_practices``."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True, help_text="Blank when online only.")
    online = models.BooleanField(default=False)
    organiser = models.CharField(max_length=200, default="RCGP")
    places = models.PositiveIntegerField(help_text="How many people may register (all practices together).")
    registration_closes_on = models.DateField(help_text="The last day to register; the event's first day by "
                                                        "default. Registration closes when the event starts anyway.")
    open_to_all = models.BooleanField(default=False)
    invited_commissioners = models.ManyToManyField(Commissioner, blank=True, related_name="+")
    invited_practices = models.ManyToManyField(Practice, blank=True, related_name="+")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.title


class Registration(models.Model):
    """One place taken at an event by one person of a practice; cancelling it (before the event) frees the place.
    Attendance is recorded on it after the event starts."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="event_registrations")
    attendee_name = models.CharField("attendee's name", max_length=200)
    attendee_role = models.CharField("attendee's role", max_length=20, choices=AttendeeRole.choices)
    registered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attendance = models.CharField(max_length=15, choices=Attendance.choices, blank=True)
    attendance_recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                               related_name="+")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "practice__name", "attendee_name", "pk"]
        indexes = [models.Index(fields=["event", "cancelled_at"], name="registration_event_idx"),
                   models.Index(fields=["practice", "event"], name="registration_practice_idx")]

    def __str__(self):
        return f"{self.attendee_name} ({self.practice_id}) at event {self.event_id}"

    @property
    def active(self):
        return self.cancelled_at is None


class PeerSupport(models.Model):
    """An Excellence practice supporting a Rescue or Resilience one (the levels were checked when it started and
    are kept as they were then)."""

    supporting = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="peer_support_given")
    supported = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="peer_support_received")
    supporting_level = models.CharField(max_length=12, help_text="The supporting practice's level when it started.")
    supported_level = models.CharField(max_length=12, help_text="The supported practice's level when it started.")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    support = models.TextField("what the support is")
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name_plural = "peer support"

    def __str__(self):
        return f"{self.supporting_id} supporting {self.supported_id}"
