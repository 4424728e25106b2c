"""The changes of special-measures episodes that matter, told to the apps above practices that act on them.

practices cannot import those apps (surveillance raises alerts; the programme opens its offer), so they listen here
when they start (``listen``), and practices.services ``announce``s each committed re-derivation's or correction's
changes: ``[{"kind", "practice_id", "episode_id", "on", "key", "facts"}]`` where ``kind`` is one of KINDS, ``on``
the date of the change, ``key`` what makes it this change (its episode's start date) and ``facts`` its dates and
words (never free text)."""

ENTERED, LEFT, WINDOW_OPENED, CORRECTION_DIFFERS = (
    "entered_special_measures", "left_special_measures", "window_opened", "correction_differs")
KINDS = (ENTERED, LEFT, WINDOW_OPENED, CORRECTION_DIFFERS)

_LISTENERS = []


def listen(listener):
    """Call ``listener(changes)`` after each committed change of episodes (registered once however often)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def announce(changes):
    changes = list(changes)
    if changes:
        for listener in list(_LISTENERS):
            listener(changes)
