"""Writes of practices' special-measures episodes: re-derived after an import, corrected by hand."""

from django.db import transaction
from django.db.models import Max, Prefetch
from simple_history.utils import bulk_create_with_history

from core.errors import NotAllowed

from . import access, episodes
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
                differs = _differs(episode, derived)
                if differs != episode.differs_from_derived:
                    episode.differs_from_derived = differs
                    flagged.append(episode)
            continue
        if not corrected and (sorted(_whole(e, [i.pk for i in e.inspections.all()]) for e in current)
                              == sorted(_whole(d, d.inspections) for d in derived)):
            continue
        changed += 1
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
    return episode
