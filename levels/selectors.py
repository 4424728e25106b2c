"""Reads of practices' levels of support, for pages above (events, dashboards) and this app.

These take practices the caller already may see (from practices.access): they do not narrow by user."""

from django.db.models import Count

from .models import Level, LevelChange, PracticeLevel


def current_level(practice):
    """The practice's current level (a ``Level``), or None when none is recorded."""
    pk = getattr(practice, "pk", practice)
    level = PracticeLevel.objects.filter(practice_id=pk).values_list("level", flat=True).first()
    return Level(level) if level else None


def levels_of(practice_ids):
    """{practice id: Level} for those of ``practice_ids`` with a level recorded (one query)."""
    rows = PracticeLevel.objects.filter(practice_id__in=practice_ids).exclude(level="")
    return {pk: Level(level) for pk, level in rows.values_list("practice_id", "level")}


def level_counts(practices):
    """{Level: count} of ``practices`` (a queryset), plus None: those with no level recorded (one query)."""
    rows = (practices.order_by().values("support_level__level").annotate(n=Count("pk")))
    counts = dict.fromkeys(Level, 0)
    counts[None] = 0
    for row in rows:
        key = Level(row["support_level__level"]) if row["support_level__level"] else None
        counts[key] += row["n"]
    return counts


def history(practice):
    """The practice's changes of level, newest first, with who made them."""
    return LevelChange.objects.filter(practice=practice).select_related("changed_by").order_by("-changed_at", "-pk")


def level_summary(practices):
    """The home pages' and the list's table: [(Level, count)] of ``practices`` and the count with no level."""
    counts = level_counts(practices)
    return {"counts": [(level, counts[level]) for level in Level], "no_level": counts[None]}
