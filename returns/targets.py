"""The year's deadlines and their targets, and each target's status for a region and for England.

Defaults (003 Key milestones), for a year national NHSE has not set: 5 October 17:00 — 100 % of the allocation
committed and every MoU agreed; 8 January 17:00 — 75 % spent and 4 case studies; 5 April 17:00 — 100 % spent and
10 case studies (the year's total per region).

Status of one target:
- a deadline passed: **met** or **missed**, judged on the figures as they stood at the deadline;
- before it: **on track** when the figure already reaches the target, or would at the pace of the year so far
  (the figure × the days from 1 April to the deadline ÷ the days gone); **at risk** otherwise. Every MoU agreed is
  on track only while none is missing;
- a money target with no allocation entered: **no allocation**.
England's money and MoU targets are judged on England's totals; the case studies target is per region, so
England's is the worst of the regions'.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from .figures import figures_by_region
from .models import Deadline

LONDON = ZoneInfo("Europe/London")
# (month, day, committed %, spent %, every MoU agreed, case studies): the year's three, in order.
DEFAULTS = ((10, 5, 100, None, True, None), (1, 8, None, 75, False, 4), (4, 5, None, 100, False, 10))

MET, MISSED, ON_TRACK, AT_RISK, NO_ALLOCATION = "met", "missed", "on_track", "at_risk", "no_allocation"
STATUS_LABELS = {MET: "Met", MISSED: "Missed", ON_TRACK: "On track", AT_RISK: "At risk",
                 NO_ALLOCATION: "No allocation entered"}
# Worst first: a deadline's (or England's) status is its worst target's.
SEVERITY = [MISSED, AT_RISK, NO_ALLOCATION, ON_TRACK, MET]


def default_deadlines(year):
    """The guidance's three deadlines for the financial year starting in ``year`` (unsaved)."""
    deadlines = []
    for number, (month, day, committed, spent, mous, studies) in enumerate(DEFAULTS, start=1):
        on_year = year if month >= 4 and number < 3 else year + 1
        due = datetime.datetime(on_year, month, day, 17, 0, tzinfo=LONDON)
        deadlines.append(Deadline(financial_year=year, number=number, due_at=due, committed_percent=committed,
                                  spent_percent=spent, all_mous_agreed=mous, case_studies=studies))
    return deadlines


def deadlines_for(year):
    """The year's deadlines: those national NHSE set, else the defaults, unsaved (a page that reads them writes
    nothing; ``deadlines_ensure`` saves them when a write needs them)."""
    return list(Deadline.objects.filter(financial_year=year).order_by("number")) or default_deadlines(year)


@transaction.atomic
def deadlines_ensure(year):
    """The year's deadlines, saved: the defaults are saved the first time a write needs them."""
    if not Deadline.objects.filter(financial_year=year).exists():
        Deadline.objects.bulk_create(default_deadlines(year), ignore_conflicts=True)
    return list(Deadline.objects.filter(financial_year=year).order_by("number"))


@dataclass
class TargetStatus:
    measure: str       # committed, spent, mous, case_studies
    label: str         # "100% committed"
    value: object      # the figure judged (percent, count)
    status: str

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    def as_dict(self):
        return {"measure": self.measure, "target": self.label, "value": self.value, "status": self.status,
                "status_label": self.status_label}


def worst(statuses):
    statuses = list(statuses)
    return min(statuses, key=SEVERITY.index) if statuses else ON_TRACK


def _pace(value, *, year_start, due, now):
    """``value`` projected to the deadline at the pace of the year so far."""
    gone = (now - year_start).total_seconds()
    total = (due - year_start).total_seconds()
    if gone <= 0:
        return value
    return value * total / gone


def _judge(value, target, *, passed, year_start, due, now):
    if value is None:
        return NO_ALLOCATION
    if passed:
        return MET if value >= target else MISSED
    if value >= target or _pace(value, year_start=year_start, due=due, now=now) >= target:
        return ON_TRACK
    return AT_RISK


def target_statuses(deadline, figures, *, now):
    """The statuses of ``deadline``'s targets for one row of figures (returns.figures.Figures) taken as of
    ``min(now, deadline.due_at)``."""
    passed = now >= deadline.due_at
    year_start = datetime.datetime(deadline.financial_year, 4, 1, tzinfo=LONDON)
    judge = {"passed": passed, "year_start": year_start, "due": deadline.due_at, "now": now}
    statuses = []
    if deadline.committed_percent is not None:
        statuses.append(TargetStatus("committed", f"{deadline.committed_percent}% committed", figures.committed_percent,
                                     _judge(figures.committed_percent, deadline.committed_percent, **judge)))
    if deadline.all_mous_agreed:
        missing = figures.mous_missing
        status = (MET if not missing else MISSED) if passed else (ON_TRACK if not missing else AT_RISK)
        statuses.append(TargetStatus("mous", "All MoUs agreed", missing, status))
    if deadline.spent_percent is not None:
        statuses.append(TargetStatus("spent", f"{deadline.spent_percent}% spent", figures.spent_percent,
                                     _judge(figures.spent_percent, deadline.spent_percent, **judge)))
    if deadline.case_studies is not None:
        statuses.append(TargetStatus("case_studies", f"{deadline.case_studies} case studies", figures.case_studies,
                                     _judge(figures.case_studies, deadline.case_studies, **judge)))
    return statuses


def target_board(contracts, *, year, now, regions=None):
    """For each of the year's deadlines: its figures by region and for England (as they stood at the deadline once
    it has passed, else now), each with its targets' statuses and the worst of them. Five queries a deadline."""
    board = []
    for deadline in deadlines_for(year):
        as_of = min(now, deadline.due_at).astimezone(LONDON)
        rows, england = figures_by_region(contracts, year=year, as_of=as_of.date(), regions=regions)
        regional = []
        for row in rows:
            statuses = target_statuses(deadline, row, now=now) if row.key else []
            regional.append({"figures": row, "targets": statuses, "status": worst(t.status for t in statuses)})
        england_targets = target_statuses(deadline, england, now=now)
        for target in england_targets:
            if target.measure == "case_studies":
                target.status = worst(t.status for r in regional for t in r["targets"] if t.measure == "case_studies")
        board.append({"deadline": deadline, "passed": now >= deadline.due_at, "regions": regional,
                      "england": {"figures": england, "targets": england_targets,
                                  "status": worst(t.status for t in england_targets)}})
    return board
