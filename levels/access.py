"""Who may see and set a practice's level of support (docs/architecture.md, "Access").

- Seeing a practice's level and its history: whoever sees the practice (practices.access: commissioner users their
  practices, RCGP admin and deputy leads all, advisers their contracts' practices, the practice itself, national
  NHSE all, a regional team its region's).
- Setting it by hand: RCGP admin (all), and commissioner leads for their own commissioner's practices — the same
  people who correct special-measures episodes, from which Rescue is derived.

Each is a ``Rule`` with both faces (core/roles.py); records come from ``practices_for`` and the ``*_for`` helpers
here, so a hidden practice answers 404 as a missing one does."""

from core import relations
from core.roles import is_commissioner_lead
from practices.access import VIEW_PRACTICE, get_practice_or_404, practices_for
from practices.models import Practice

from .models import LevelChange, PracticeLevel

SET_LEVEL = relations.sees_all | (is_commissioner_lead & relations.own_commissioner("commissioner"))
VERBS = {"view": VIEW_PRACTICE, "set_level": SET_LEVEL}
REFUSALS = {"set_level": "Only RCGP admins and the practice's commissioner leads set its level of support."}

__all__ = ["VERBS", "can", "refusal", "practices_for", "get_practice_or_404", "levels_for", "level_changes_for",
           "may_set_any", "open_practices_for"]


def can(user, verb, practice):
    """May ``user`` do ``verb`` ("view" or "set_level") with ``practice``?"""
    return VERBS[verb].test(user, practice)


def refusal(user, verb, practice):
    """Why ``user`` may not do ``verb`` with ``practice`` (written for them), or None when they may."""
    return None if can(user, verb, practice) else REFUSALS.get(verb, "You cannot do that.")


def may_set_any(user):
    """Whether the user's role sets levels at all (no query): RCGP admin, or a commissioner lead of an organisation."""
    return relations.is_rcgp_admin(user) or (relations.of_commissioner(user) and is_commissioner_lead.test(user))


def open_practices_for(user):
    """The practices the user sees that are not closed: the lists and counts of levels (a closed practice is at no
    level of support any more, whatever its history says)."""
    return practices_for(user).exclude(status=Practice.Status.CLOSED)


def levels_for(user):
    """Current levels of the practices the user may see."""
    return PracticeLevel.objects.filter(practice__in=practices_for(user))


def level_changes_for(user):
    """Changes of level of the practices the user may see."""
    return LevelChange.objects.filter(practice__in=practices_for(user))
