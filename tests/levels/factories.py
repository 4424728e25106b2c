"""Factories of levels of support: a hand-set change, through the service as a person would make it."""

from levels.models import PracticeLevel
from levels.services import practice_level_set


def set_level(practice, level, actor, reason="Agreed at the review"):
    """Set ``practice``'s level by hand from the version now stored."""
    version = PracticeLevel.objects.filter(practice=practice).values_list("version", flat=True).first() or 0
    return practice_level_set(practice=practice, level=level, reason=reason, base_version=version, actor=actor)
