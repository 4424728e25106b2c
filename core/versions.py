"""Saving an edit of a versioned record: the one step every service's update ends with, once it has locked the row
(``select_for_update``) and checked the version its writer started from."""

from .errors import NothingChanged


def changed_fields(locked, values, *, unchanged):
    """The names in ``values`` whose value differs from ``locked``'s; NothingChanged(``unchanged``) if none do."""
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        raise NothingChanged(unchanged)
    return changed


def save_changes(locked, values, *, actor, unchanged, reason="changed"):
    """Write the changed ``values`` to ``locked``, bump its version and keep who changed which fields in its history
    ("``reason``: field, field"). Raises NothingChanged(``unchanged``), saving nothing, when nothing differs."""
    changed = changed_fields(locked, values, unchanged=unchanged)
    for name in changed:
        setattr(locked, name, values[name])
    locked.version += 1
    locked._change_reason, locked._history_user = f"{reason}: {', '.join(changed)}"[:100], actor
    locked.save(update_fields=[*changed, "version"])
    return locked
