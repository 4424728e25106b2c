"""Special-measures episodes derived from a practice's inspection history (002 §19-24), pure: no database.

Walking the rated inspections in publication order:
- Inadequate overall places the practice in special measures (route ``overall_inadequate``), re-inspection due
  six months after publication.
- Otherwise an Inadequate key question or population group opens a six-month window (its own stage). At the next
  inspection the window closes: improved when none of those domains is still Inadequate; not improved when one is,
  and special measures begin (route ``domain_inadequate_not_improved``) from that inspection.
- In special measures, a re-inspection with nothing Inadequate ends the episode (``exited``, with the new rating);
  one still Inadequate anywhere extends it six months from its publication.
- Closure of the practice ends whatever is open (``practice_closed``).
- CQC placing a practice straight into special measures (002 §23) is not in the data: ``placements`` (dates
  recorded by hand) open an episode with route ``placed_by_cqc``.
"""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from .ratings import KEY_QUESTIONS, POPULATION_GROUPS, Rating

SIX_MONTHS = relativedelta(months=6)
DOMAIN_FIELDS = tuple(f for f, _api, _label in KEY_QUESTIONS) + tuple(f for f, _api, _label in POPULATION_GROUPS)

WINDOW, SPECIAL_MEASURES = "window", "special_measures"
OVERALL, DOMAIN, PLACED = "overall_inadequate", "domain_inadequate_not_improved", "placed_by_cqc"
EXITED, CLOSED, IMPROVED, NOT_IMPROVED = "exited", "practice_closed", "improved", "not_improved"


@dataclass
class Episode:
    """One derived stage; ``inspections``: ids (or whatever ``key`` the caller's inspections carry)."""

    stage: str
    started_on: datetime.date
    route: str = ""
    reinspection_due: datetime.date | None = None
    extended_to: datetime.date | None = None
    ended_on: datetime.date | None = None
    outcome: str = ""
    exit_rating: str = ""
    domains: list = field(default_factory=list)
    inspections: list = field(default_factory=list)

    def facts(self):
        """What a correction is compared on."""
        return (self.stage, self.route, self.started_on, self.reinspection_due, self.extended_to, self.ended_on,
                self.outcome)


def inadequate_domains(inspection):
    return [name for name in DOMAIN_FIELDS if getattr(inspection, name, "") == Rating.INADEQUATE]


def derive(inspections, *, closed_on=None, placements=()):
    """Episodes (oldest first) from ``inspections``: objects with ``pk``, ``publication_date``,
    ``overall_rating`` and the key-question and population-group fields. Unpublished or unrated ones are
    ignored."""
    rated = sorted((i for i in inspections if i.publication_date and i.overall_rating),
                   key=lambda i: (i.publication_date, i.pk or 0))
    pending = sorted(placements)
    episodes, window, measures = [], None, None

    def enter(route, on, inspection=None):
        nonlocal measures
        measures = Episode(SPECIAL_MEASURES, on, route=route, reinspection_due=on + SIX_MONTHS,
                           inspections=[inspection.pk] if inspection else [])
        episodes.append(measures)

    for inspection in rated:
        published = inspection.publication_date
        if closed_on and published > closed_on:
            break
        domains = inadequate_domains(inspection)
        placed_here = False
        while pending and pending[0] <= published:
            on = pending.pop(0)
            if measures is None:
                if window is not None:
                    window.ended_on, window.outcome, window = on, NOT_IMPROVED, None
                # A placement on the day of the report that prompted it comes from that report.
                placed_here = on == published
                enter(PLACED, on, inspection if placed_here else None)
        if placed_here:
            continue
        if measures is not None:
            measures.inspections.append(inspection.pk)
            if inspection.overall_rating == Rating.INADEQUATE or domains:
                measures.extended_to = published + SIX_MONTHS
            else:
                measures.ended_on, measures.outcome = published, EXITED
                measures.exit_rating = inspection.overall_rating
                measures = None
            continue
        if window is not None:
            window.inspections.append(inspection.pk)
            still = inspection.overall_rating == Rating.INADEQUATE or set(domains) & set(window.domains)
            window.ended_on, window.outcome = published, NOT_IMPROVED if still else IMPROVED
            window = None
            if still:
                enter(OVERALL if inspection.overall_rating == Rating.INADEQUATE else DOMAIN, published, inspection)
                continue
        if inspection.overall_rating == Rating.INADEQUATE:
            enter(OVERALL, published, inspection)
        elif domains:
            window = Episode(WINDOW, published, reinspection_due=published + SIX_MONTHS, domains=domains,
                             inspections=[inspection.pk])
            episodes.append(window)
    for on in pending:
        if measures is None and not (closed_on and on > closed_on):
            if window is not None:
                window.ended_on, window.outcome, window = on, NOT_IMPROVED, None
            enter(PLACED, on)
    if closed_on:
        for open_one in (window, measures):
            if open_one is not None:
                open_one.ended_on, open_one.outcome = closed_on, CLOSED
    return episodes
