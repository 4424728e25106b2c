"""A practice's level of support in the Greater Manchester model (seed 004; DESIGN.md §10): Rescue, Resilience,
Improvement, Excellence.

``LevelChange`` is the history: every change of a practice's level, derived (special measures → Rescue, and back
when the episode ends) or set by hand with its reason. ``PracticeLevel`` is the practice's current level, one row
per practice, kept current by levels/services.py in the same transaction as the change, so that lists and the home
pages' counts read one row per practice instead of working the history out again."""

from django.conf import settings
from django.db import models

from practices.models import Practice


class Level(models.TextChoices):
    """The four levels, from the most support to the least (the order is the programme's: Rescue first)."""

    RESCUE = "rescue", "Rescue"
    RESILIENCE = "resilience", "Resilience"
    IMPROVEMENT = "improvement", "Improvement"
    EXCELLENCE = "excellence", "Excellence"


LEVEL_DESCRIPTIONS = {
    Level.RESCUE: "In special measures or at risk of closure: intensive support.",
    Level.RESILIENCE: "Self-referral and tailored support from the programme.",
    Level.IMPROVEMENT: "Training and development: workshops, courses and peer learning.",
    Level.EXCELLENCE: "Recognised good practice, supporting other practices.",
}
NO_LEVEL = "No level recorded"


class Source(models.TextChoices):
    DERIVED = "derived", "Derived"
    SET = "set", "Set by hand"


class PracticeLevel(models.Model):
    """The practice's current level (blank: none recorded), since when and how it came to be."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="support_level")
    level = models.CharField(max_length=12, choices=Level.choices, blank=True, db_index=True)
    since = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; stale saves are refused.")

    class Meta:
        ordering = ["practice"]

    def __str__(self):
        return f"{self.practice_id}: {self.get_level_display() or NO_LEVEL}"


class LevelChange(models.Model):
    """One change of a practice's level: from, to, when, who (blank: derived) and why."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["practice", "-changed_at", "-pk"]
        indexes = [models.Index(fields=["practice", "source", "-changed_at"], name="levelchange_practice_idx"),
                   models.Index(fields=["changed_at"], name="levelchange_at_idx")]

    def __str__(self):
        return f"{self.practice_id}: {self.from_level or '-'} → {self.level or '-'} ({self.source})"
