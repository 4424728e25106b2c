"""Writes of practices' special-measures episodes: re-derived after an import, corrected by hand."""

from functools import partial

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.errors import NotAllowed

from . import access, episode_changes, episodes
from .episode_changes import CORRECTION_DIFFERS, ENTERED, LEFT, WINDOW_OPENED
from .models import Inspection, Practice, SpecialMeasuresEpisode

CORRECTABLE = ("route", "started_on", "reinspection_due", "extended_to", "ended_on", "outcome", "exit_rating")


def _facts(row):
    return (row.stage, row.route, row.started_on, row.reinspection_due, row.extended_to, row.ended_on,
            row.outcome)


def _whole(row, inspection_ids):
    """Everything derivation sets: what decides whether a practice's episodes must be written again."""
    return (*map(str, _facts(row)), row.exit_rating, tuple(row.domains), tuple(sorted(inspection_ids)))


def _differs(episode, derived):
    return _facts(episode) not in {_facts(d) for d in derived}


# The changes that matter (practices.episode_changes) -------------------------------------------------------------

def _iso(day):
    return day.isoformat() if day else None


def _change(kind, episode, episode_id, on, key=None):
    """One change for the listeners: the episode's dates and words only."""
    return {"kind": kind, "practice_id": episode.practice_id, "episode_id": episode_id, "on": on,
            "key": key or _iso(episode.started_on),
            "facts": {"stage": episode.stage, "route": episode.route, "started_on": _iso(episode.started_on),
                      "reinspection_due": _iso(episode.extended_to or episode.reinspection_due),
                      "ended_on": _iso(episode.ended_on), "outcome": episode.outcome,
                      "exit_rating": episode.exit_rating, "domains": list(episode.domains)}}


def _closed_during(episode, closed_on):
    return bool(closed_on and _is_current(episode) and episode.started_on <= closed_on)


def _is_current(episode):
    return episode.stage == SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES and episode.ended_on is None


def _derived_changes(before, after):
    """Special measures entered or left and windows opened, from a practice's episodes ``before`` to ``after``
    ((episode, id) pairs). Derivation writes episodes anew, so they are matched by stage and start date."""
    current_before = {e.started_on for e in before if _is_current(e)}
    windows_before = {e.started_on for e in before if e.stage == SpecialMeasuresEpisode.Stage.WINDOW}
    changes = []
    for episode, pk in after:
        if _is_current(episode) and episode.started_on not in current_before:
            changes.append(_change(ENTERED, episode, pk, episode.started_on))
        elif (episode.stage == SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES and episode.ended_on
              and episode.started_on in current_before):
            changes.append(_change(LEFT, episode, pk, episode.ended_on))
        elif episode.stage == SpecialMeasuresEpisode.Stage.WINDOW and episode.started_on not in windows_before:
            changes.append(_change(WINDOW_OPENED, episode, pk, episode.started_on))
    return changes


def _differs_change(episode, today):
    return _change(CORRECTION_DIFFERS, episode, episode.pk, today, key=f"{episode.pk}:{today.isoformat()}")


def _announce(changes):
    """Tell the listeners once the transaction commits (nothing, if it rolls back)."""
    if changes:
        transaction.on_commit(partial(episode_changes.announce, changes))


@transaction.atomic
def episodes_rederive(*, practice_ids, actor=None, reason="derived from the inspections"):
    """Derive the episodes of these practices again from their inspections, in a fixed number of queries.

    A correction stands until an inspection newer than the one it was made against is published: until then
    only its ``differs_from_derived`` flag is kept up to date. After it, derivation replaces the episodes, still
    taking a hand-recorded CQC placement (002 §23) as given, since the inspections cannot show one. Returns the
    number of practices whose episodes changed."""
    practices = {p.pk: p for p in Practice.objects.filter(pk__in=practice_ids).only("pk", "closed_on")}
    inspections = {}
    for inspection in Inspection.objects.rated().filter(practice_id__in=practices).only(
            "pk", "practice_id", "publication_date", "overall_rating", *episodes.DOMAIN_FIELDS):
        inspections.setdefault(inspection.practice_id, []).append(inspection)
    existing = {}
    for episode in (SpecialMeasuresEpisode.objects.filter(practice_id__in=practices)
                    .prefetch_related(Prefetch("inspections", queryset=Inspection.objects.only("pk")))):
        existing.setdefault(episode.practice_id, []).append(episode)
    to_create, links, flagged, changed = [], [], [], 0
    # befores: (a practice's episodes before, where its new ones start in to_create, how many) for the changes.
    befores, changes, today = [], [], timezone.localdate()
    for pk, practice in practices.items():
        history = inspections.get(pk, [])
        latest = max((i.publication_date for i in history), default=None)
        current = existing.get(pk, [])
        corrected = [e for e in current if e.source == SpecialMeasuresEpisode.Source.CORRECTED]
        placements = [e.started_on for e in corrected if e.route == SpecialMeasuresEpisode.Route.PLACED_BY_CQC]
        derived = episodes.derive(history, closed_on=practice.closed_on, placements=placements)
        if corrected and all(e.corrected_as_of and (latest is None or latest <= e.corrected_as_of)
                             for e in corrected):
            for episode in corrected:
                if _closed_during(episode, practice.closed_on):
                    # A closure ends special measures whatever a correction said about it.
                    episode.ended_on = practice.closed_on
                    episode.outcome = SpecialMeasuresEpisode.Outcome.PRACTICE_CLOSED
                    episode._change_reason, episode._history_user = "practice closed", actor
                    episode.save(update_fields=["ended_on", "outcome"])
                    changes.append(_change(LEFT, episode, episode.pk, episode.ended_on))
                differs = _differs(episode, derived)
                if differs != episode.differs_from_derived:
                    if differs:
                        changes.append(_differs_change(episode, today))
                    episode.differs_from_derived = differs
                    flagged.append(episode)
            continue
        if not corrected and (sorted(_whole(e, [i.pk for i in e.inspections.all()]) for e in current)
                              == sorted(_whole(d, d.inspections) for d in derived)):
            continue
        changed += 1
        befores.append((current, len(to_create), len(derived)))
        for episode in current:
            episode._change_reason = "replaced: newer inspection" if episode in corrected else reason
            episode._history_user = actor
            episode.delete()
        for d in derived:
            to_create.append(SpecialMeasuresEpisode(
                practice_id=pk, stage=d.stage, route=d.route, started_on=d.started_on,
                reinspection_due=d.reinspection_due, extended_to=d.extended_to, ended_on=d.ended_on,
                outcome=d.outcome, exit_rating=d.exit_rating, domains=d.domains))
            links.append(d.inspections)
    for episode in flagged:
        episode._change_reason, episode._history_user = "compared with derivation", actor
        episode.save(update_fields=["differs_from_derived"])
    created = bulk_create_with_history(to_create, SpecialMeasuresEpisode, default_user=actor,
                                       default_change_reason=reason)
    through = SpecialMeasuresEpisode.inspections.through
    through.objects.bulk_create([through(specialmeasuresepisode_id=episode.pk, inspection_id=inspection_id)
                                 for episode, ids in zip(created, links, strict=True) for inspection_id in ids])
    for before, first, count in befores:
        changes += _derived_changes(before, [(e, e.pk) for e in created[first:first + count]])
    _announce(changes)
    return changed


def _latest_publication(practice):
    return Inspection.objects.rated().filter(practice=practice).aggregate(m=Max("publication_date"))["m"]


@transaction.atomic
def episode_correct(*, practice, actor, reason, episode=None, stage=SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES,
                    **values):
    """Correct ``episode`` (or record a new one, e.g. a CQC placement the data does not show) with ``reason``.

    The correction stands until a newer inspection is published; where the inspections, derived again, do not
    bear it out, it is flagged."""
    if not access.can(actor, "correct_episodes", practice):
        raise NotAllowed("Only RCGP admins and the practice's commissioner leads correct special measures.")
    if not reason or not reason.strip():
        raise ValueError("A correction needs a reason.")
    unknown = set(values) - set(CORRECTABLE)
    if unknown:
        raise TypeError(f"not correctable: {sorted(unknown)}")
    if episode is None:
        episode = SpecialMeasuresEpisode(practice=practice, stage=stage)
    elif episode.practice_id != practice.pk:
        raise NotAllowed("That episode is of another practice.")
    before = list(SpecialMeasuresEpisode.objects.filter(practice=practice))  # as stored, not as ``episode`` is now
    for name, value in values.items():
        setattr(episode, name, value if value is not None or name not in ("route", "outcome", "exit_rating")
                else "")
    episode.source = SpecialMeasuresEpisode.Source.CORRECTED
    episode.corrected_as_of = _latest_publication(practice)
    history = list(Inspection.objects.rated().filter(practice=practice))
    placements = [e.started_on for e in practice.episodes.filter(
        source=SpecialMeasuresEpisode.Source.CORRECTED, route=SpecialMeasuresEpisode.Route.PLACED_BY_CQC)
        .exclude(pk=episode.pk)]
    if episode.route == SpecialMeasuresEpisode.Route.PLACED_BY_CQC and episode.started_on:
        placements.append(episode.started_on)
    episode.differs_from_derived = _differs(episode, episodes.derive(history, closed_on=practice.closed_on,
                                                                     placements=placements))
    episode._change_reason, episode._history_user = reason.strip(), actor
    episode.save()
    _announce(_corrected_changes(episode, before))
    return episode


def _corrected_changes(episode, before):
    """What a correction changed that matters: the episode is matched by its id (its dates may be what changed)."""
    old = next((e for e in before if e.pk == episode.pk), None)
    changes = []
    in_measures = any(_is_current(e) for e in before)
    if _is_current(episode) and not in_measures:
        changes.append(_change(ENTERED, episode, episode.pk, episode.started_on))
    elif (episode.stage == SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES and episode.ended_on
          and old is not None and _is_current(old)):
        changes.append(_change(LEFT, episode, episode.pk, episode.ended_on))
    elif episode.stage == SpecialMeasuresEpisode.Stage.WINDOW and (old is None or old.stage != episode.stage):
        changes.append(_change(WINDOW_OPENED, episode, episode.pk, episode.started_on))
    if episode.differs_from_derived and not (old is not None and old.differs_from_derived):
        changes.append(_differs_change(episode, timezone.localdate()))
    return changes
