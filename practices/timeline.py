"""The geometry of a practice's regulatory timeline, drawn as SVG by templates/macros/charts.jinja's ``timeline``.

Numbers only: where each inspection, each episode and each of CQC's enforcement actions sits on a time axis scaled to
the chart's width. The facts themselves stand in the tables under the chart."""

import datetime
from dataclasses import dataclass, field

from .models import SpecialMeasuresEpisode
from .ratings import Rating
from .regulations import EnforcementKind

WIDTH, LEFT, RIGHT = 720, 110, 20
RATING_COLOURS = {Rating.OUTSTANDING: "#005eb8", Rating.GOOD: "#007f3b",
                  Rating.REQUIRES_IMPROVEMENT: "#ed8b00", Rating.INADEQUATE: "#d5281b"}
STAGE_COLOURS = {SpecialMeasuresEpisode.Stage.WINDOW: "#ffb81c",
                 SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES: "#7c2855"}
# CQC's enforcement, from the mildest to the gravest (drawn as diamonds, so told apart from the reports' dots by
# shape as well as colour).
ENFORCEMENT_COLOURS = {EnforcementKind.REQUIREMENT_NOTICE: "#ed8b00", EnforcementKind.WARNING_NOTICE: "#d5281b",
                       EnforcementKind.CONDITIONS: "#330072", EnforcementKind.SUSPENSION: "#425563",
                       EnforcementKind.CANCELLATION: "#212b32"}


@dataclass
class Timeline:
    width: int = WIDTH
    left: int = LEFT
    marks: list = field(default_factory=list)     # (x, colour, title)
    bars: list = field(default_factory=list)      # (x, width, colour, title, open)
    dues: list = field(default_factory=list)      # (x, title)
    years: list = field(default_factory=list)     # (x, year)
    legend: list = field(default_factory=list)    # (colour, label)
    actions: list = field(default_factory=list)   # enforcement: (x, end x or None, colour, title, in force)
    action_legend: list = field(default_factory=list)  # (colour, label) of the kinds drawn


def build(inspections, episodes, today=None, enforcements=()):
    """A Timeline of rated ``inspections``, ``episodes`` and CQC's ``enforcements``, or None when there is nothing
    to draw."""
    today = today or datetime.date.today()
    rated = [i for i in inspections if i.publication_date and i.overall_rating]
    if not rated and not episodes and not enforcements:
        return None
    dates = [i.publication_date for i in rated] + [e.started_on for e in episodes]
    dates += [d for e in episodes for d in (e.ended_on, e.due) if d]
    dates += [d for e in enforcements for d in (e.issued_on, e.ended_on) if d]
    first = datetime.date(min(dates).year, 1, 1)
    last = datetime.date(max(max(dates), today).year + 1, 1, 1)
    span = (last - first).days
    scale = (WIDTH - LEFT - RIGHT) / span

    def x(day):
        return round(LEFT + (day - first).days * scale, 1)

    chart = Timeline()
    for inspection in sorted(rated, key=lambda i: i.publication_date):
        chart.marks.append((x(inspection.publication_date), RATING_COLOURS[inspection.overall_rating],
                            f"Report published {inspection.publication_date:%-d %B %Y}: "
                            f"{inspection.get_overall_rating_display()}"))
    for episode in episodes:
        end = episode.ended_on or today
        title = (f"{episode.get_stage_display()} from {episode.started_on:%-d %B %Y}"
                 + (f" to {episode.ended_on:%-d %B %Y}" if episode.ended_on else ", continuing"))
        chart.bars.append((x(episode.started_on), max(round(x(end) - x(episode.started_on), 1), 3),
                           STAGE_COLOURS[episode.stage], title, episode.ended_on is None))
        if episode.due and episode.ended_on is None:
            chart.dues.append((x(episode.due), f"Re-inspection due by {episode.due:%-d %B %Y}"))
    for action in sorted(enforcements, key=lambda e: (e.issued_on, e.pk or 0)):
        title = (f"{action.get_kind_display()} issued {action.issued_on:%-d %B %Y}"
                 + (f" ({', '.join(action.regulations)})" if action.regulations else "")
                 + (f", ended {action.ended_on:%-d %B %Y}" if action.ended_on else ", in force"))
        end = action.ended_on or today
        chart.actions.append((x(action.issued_on), x(end) if end > action.issued_on else None,
                              ENFORCEMENT_COLOURS[action.kind], title, action.ended_on is None))
    kinds = {action.kind for action in enforcements}
    chart.action_legend = [(ENFORCEMENT_COLOURS[value], label) for value, label in EnforcementKind.choices
                           if value in kinds]
    step = max(1, (last.year - first.year) // 8)
    chart.years = [(x(datetime.date(year, 1, 1)), year) for year in range(first.year, last.year + 1, step)]
    chart.legend = [(RATING_COLOURS[value], label) for value, label in reversed(Rating.choices)]
    chart.legend += [(STAGE_COLOURS[value], label) for value, label in SpecialMeasuresEpisode.Stage.choices]
    return chart
