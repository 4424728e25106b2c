"""What follows a committed change of special-measures episodes (practices.episode_changes): the alerts, and for a
practice that entered special measures, the programme's offer of support (contracts.enquiry_services)."""

from django.db.models import Q
from django.utils import timezone

from contracts.enquiry_services import enquiry_offer_open
from practices.episode_changes import ENTERED
from practices.models import SpecialMeasuresEpisode

from .alerts import alerts_raise, recent


def _entered_episodes(changes):
    """The episodes of the practices that entered special measures: by id, or, where a later re-derivation in the
    same transaction wrote it anew, the current episode of the practice with the same start."""
    wanted = Q(pk__in=[c["episode_id"] for c in changes])
    for change in changes:
        wanted |= Q(practice_id=change["practice_id"], started_on=change["on"], ended_on__isnull=True,
                    stage=SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES)
    found = list(SpecialMeasuresEpisode.objects.filter(wanted).order_by("pk"))
    by_id = {e.pk: e for e in found}
    by_start = {(e.practice_id, e.started_on): e for e in found if e.ended_on is None}
    for change in changes:
        episode = by_id.get(change["episode_id"]) or by_start.get((change["practice_id"], change["on"]))
        if episode is not None:
            yield episode


def on_episode_changes(changes):
    """Raise the alerts of the changes; open the offer for each recent entry into special measures (an import of
    old history opens none, as it raises no alert)."""
    alerts_raise(changes=changes)
    today = timezone.localdate()
    entered = [c for c in changes if c["kind"] == ENTERED and recent(c["on"], today)]
    if entered:
        for episode in _entered_episodes(entered):
            enquiry_offer_open(episode=episode, actor=None)
