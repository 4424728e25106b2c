"""Writes of practices' levels of support: derivation from special measures, and a level set by hand.

The rule, kept simple so that it can be explained on the page: while a practice is in special measures its level
is Rescue (derived); otherwise it is the latest level set by hand, or none. So when an episode ends (re-rated out
of special measures, or the practice closed) the derived Rescue does not stay: the level falls back to the last
level set by hand before it, or to none. Every change is a ``LevelChange`` row; ``PracticeLevel`` holds the
current one and is written in the same transaction. Derivation runs after every committed change of episodes
(levels/apps.py listens to practices.episode_changes) and in bulk (``levels_derive()``, the ``derive_levels``
command, the demo)."""

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, StaleEdit, require_allowed
from core.validators import MAX_REASON, reason_given
from practices.models import Practice, SpecialMeasuresEpisode

from . import access
from .models import NO_LEVEL, Level, LevelChange, PracticeLevel, Source

STALE = "Someone changed this practice's level of support since you opened the page: check it and try again."


def _label(level):
    return Level(level).label if level else NO_LEVEL


def _last_set(practice_ids):
    """{practice id: the latest level set by hand} (one query: oldest first, so the latest of each practice is the
    one the dict keeps; portable, as the demo runs on SQLite, which has no DISTINCT ON)."""
    rows = (LevelChange.objects.filter(practice_id__in=practice_ids, source=Source.SET)
            .order_by("practice_id", "changed_at", "pk").values_list("practice_id", "level"))
    return dict(rows)


def in_special_measures(practice_ids):
    """{practice id: start of its current special-measures episode} (one query)."""
    rows = (SpecialMeasuresEpisode.objects.current().filter(practice_id__in=practice_ids)
            .order_by("practice_id", "-started_on").values_list("practice_id", "started_on"))
    found = {}
    for pk, started_on in rows:
        found.setdefault(pk, started_on)
    return found


def _write(practice_id, row, level, *, source, reason, actor, now, level_source=None):
    """Record the change of ``practice_id``'s level to ``level`` and keep its current row (``row``, or None).
    ``level_source`` is where the level itself comes from, when not from this change (a hand-set level that the
    derivation restores)."""
    LevelChange.objects.create(practice_id=practice_id, from_level=row.level if row else "", level=level,
                               source=source, reason=reason, changed_by=actor, changed_at=now)
    level_source = level_source or source
    if row is None:
        return PracticeLevel.objects.create(practice_id=practice_id, level=level, since=now, source=level_source)
    row.level, row.since, row.source, row.version = level, now, level_source, row.version + 1
    row.save(update_fields=["level", "since", "source", "version"])
    return row


@transaction.atomic
def levels_derive(*, practice_ids=None, actor=None):
    """Derive the levels of these practices (None: every practice in special measures or with a level) again:
    Rescue while in special measures, else the latest level set by hand, or none. Returns how many changed.

    The practices' rows are locked in a fixed order, so a hand-set change at the same time waits for it."""
    if practice_ids is None:
        practice_ids = set(SpecialMeasuresEpisode.objects.current().values_list("practice_id", flat=True))
        practice_ids |= set(PracticeLevel.objects.values_list("practice_id", flat=True))
    ids = list(Practice.objects.select_for_update().filter(pk__in=list(practice_ids)).order_by("pk")
               .values_list("pk", flat=True))
    if not ids:
        return 0
    in_sm, last_set = in_special_measures(ids), _last_set(ids)
    rows = {row.practice_id: row for row in PracticeLevel.objects.filter(practice_id__in=ids)}
    changed, now = 0, timezone.now()
    for pk in ids:
        row = rows.get(pk)
        current = row.level if row else ""
        if pk in in_sm:
            wanted, source = Level.RESCUE, Source.DERIVED
            reason = f"In special measures since {in_sm[pk]:%-d %B %Y}: Rescue until the episode ends."
        elif pk in last_set:
            wanted, source = last_set[pk], Source.SET
            reason = (f"Not in special measures: back to the level last set by hand "
                      f"({_label(last_set[pk])}).")
        else:
            wanted, source = "", Source.DERIVED
            reason = "Not in special measures, and no level was set by hand before: no level recorded."
        if wanted == current:
            continue
        # The change is derived even when it restores a hand-set level (the derivation made it); the level it
        # restores keeps its source, so that the page says it was set by hand.
        _write(pk, row, wanted, source=Source.DERIVED, level_source=source, reason=reason, actor=actor, now=now)
        changed += 1
    return changed


def on_episode_changes(changes):
    """Listener of practices.episode_changes: derive again the levels of the practices whose episodes changed."""
    levels_derive(practice_ids={change["practice_id"] for change in changes})


def _reason(value):
    return reason_given(value, what="the change of level", max_length=MAX_REASON)


@transaction.atomic
def practice_level_set(*, practice, level, reason, base_version, actor):
    """Set ``practice``'s level by hand, with a reason, from the version the person started from (0: no level
    was recorded). While the practice is in special measures only Rescue stands (it is Rescue already, so any
    change is refused). Returns the practice's current ``PracticeLevel``."""
    require_allowed(access.refusal(actor, "set_level", practice))
    if level not in Level.values:
        raise DomainError("Choose the level of support")
    reason = _reason(reason)
    Practice.objects.select_for_update().filter(pk=practice.pk).values_list("pk", flat=True).get()
    row = PracticeLevel.objects.filter(practice_id=practice.pk).first()
    version = row.version if row else 0
    if base_version is None or int(base_version) != version:
        raise StaleEdit(STALE, [("Level of support", _label(row.level if row else ""))])
    in_sm = in_special_measures([practice.pk])
    if practice.pk in in_sm and level != Level.RESCUE:
        raise DomainError(f"{practice.name} is in special measures: Rescue until the episode ends")
    if row is not None and row.level == level:
        raise DomainError(f"{practice.name} is already at {_label(level)}: choose a different level")
    return _write(practice.pk, row, level, source=Source.SET, reason=reason, actor=actor, now=timezone.now())
