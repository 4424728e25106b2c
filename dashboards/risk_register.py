"""The risk register (issue 20, item 3): what a quality surveillance group reviews, one row per practice.

Built on ``forwardplans.risk.practice_risk`` (the home pages' ranking, its reasons and its counts from the plans the
reader may open: a commissioner's are the plans shared with it, so an unshared plan's Reds count for nothing), and
extended with what the home page does not show: the special-measures stage (the six-month window as well as special
measures), the commissioner's contractual notices still open on the practice, and the national criteria a
commissioner flagged when it assessed the practice's referral.

Who reads it:
- commissioner users (lead and peer support) over their commissioner's active practices: an ICB's users over the
  practices of all its sub-ICB locations, with a filter by location;
- RCGP admin over the programme's caseload (the active practices of live contracts): RCGP's view of the same risks;
- nobody else (deputy leads, advisers and practices have their home pages; NHSE sees figures, not practices'
  reasons).
Contractual action (the notices) is for commissioner LEADS only; peer support and every RCGP role never see it, not
even as a column.

The rank is practice_risk's, over the whole register, whatever the filters: a practice keeps the rank the home
page gives it, and a filtered view shows where each practice stands among all of the reader's.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.db.models.functions import Coalesce

from contracts import access as contract_access
from contracts.vocabulary import NATIONAL_CRITERIA
from contracts.workflow import LIVE_STATES
from contractual import selectors as contractual_selectors
from core.exports import choice_label
from core.formatting import uk_date
from core.forms import Form
from core.relations import is_rcgp_admin, of_commissioner
from core.roles import is_commissioner_lead
from forwardplans.risk import practice_risk
from practices import access as practice_access
from practices.models import SpecialMeasuresEpisode, commissioner_label
from practices.ratings import Rating
from practices.selectors import practice_list

CRITERIA_LABELS = {key: label for key, _domain, label in NATIONAL_CRITERIA}
NO_RATING = "none"
# The special-measures stage of a practice now: its current episode (practices.models.SpecialMeasuresEpisode).
SPECIAL_MEASURES, WINDOW, NO_STAGE = "special_measures", "window", "none"
STAGES = {SPECIAL_MEASURES: "In special measures", WINDOW: "Six months to improve", NO_STAGE: "Neither"}
SORTS = {
    "risk": "Most at risk first",
    "name": "Practice name",
    "reinspection": "Re-inspection due, soonest first",
    "notices": "Most open contractual notices",
}


def reads_register(user):
    """Commissioner staff of a commissioner, and RCGP admin (a superuser counts as one). No query."""
    return of_commissioner(user) or is_rcgp_admin(user)


def sees_contractual_action(user):
    """Whether the register shows ``user`` contractual action: a commissioner lead only (contractual.access gives
    them their commissioner's cases and notices; peer support and every RCGP role see none of it). No query."""
    return of_commissioner(user) and is_commissioner_lead.test(user)


@dataclass
class RegisterRow:
    """One practice of the register: its ``risk`` (forwardplans.risk.PracticeRisk: rank, reasons, counts) and
    what the register adds."""

    risk: object
    commissioner_id: int = 0
    commissioner: str = ""
    stage: str = NO_STAGE
    stage_since: datetime.date | None = None
    reinspection_due: datetime.date | None = None
    notices: list | None = None  # None: not the reader's to see
    notice_texts: list = field(default_factory=list)  # each open notice in words (notice_text)
    criteria: list = field(default_factory=list)  # labels of the national criteria flagged
    referral_received_on: datetime.date | None = None
    reasons: list = field(default_factory=list)

    @property
    def practice(self):
        return self.risk.practice

    @property
    def rank(self):
        return self.risk.rank

    @property
    def rating(self):
        return self.risk.rating

    @property
    def stage_label(self):
        return STAGES[self.stage]


def _scope(user):
    """The practices of the user's register, as a subquery of ids."""
    practices = practice_list(user).filter(status="active")
    if not of_commissioner(user):  # RCGP admin: the programme's caseload
        live = contract_access.contracts_for(user).filter(state__in=LIVE_STATES).values("practice")
        practices = practices.filter(pk__in=live)
    return practices.values("pk")


def _commissioners(user, ids):
    """{practice id: (commissioner id, label)}. One query."""
    rows = (practice_access.practices_for(user).filter(pk__in=ids).order_by()
            .values_list("pk", "commissioner_id", "commissioner__ods_code", "commissioner__name",
                         "commissioner__kind"))
    return {practice_id: (pk, commissioner_label(code, name, kind)) for practice_id, pk, code, name, kind in rows}


def _windows(ids):
    """{practice id: (started on, re-inspection due)} of the six-month windows still open. One query."""
    rows = (SpecialMeasuresEpisode.objects.filter(practice_id__in=ids, stage=SpecialMeasuresEpisode.Stage.WINDOW,
                                                  ended_on__isnull=True)
            .order_by("practice_id", "started_on", "pk")
            .values_list("practice_id", "started_on", Coalesce("extended_to", "reinspection_due")))
    return {practice_id: (started, due) for practice_id, started, due in rows}  # the latest window wins


def _criteria(user, ids):
    """{practice id: (received on, [criteria labels])}: the national criteria flagged by the latest assessment of a
    referral naming the practice (as the referring practice or one of its group) that the user may see. One
    query."""
    rows = (contract_access.referrals_for(user)
            .filter(Q(practice_id__in=ids) | Q(group_practices__in=ids), assessed_at__isnull=False)
            .order_by("assessed_at", "pk")
            .values_list("practice_id", "group_practices", "received_on", "criteria"))
    wanted, found = set(ids), {}
    for lead, member, received_on, criteria in rows:  # oldest first: the latest assessment wins
        labels = [CRITERIA_LABELS.get(key, key) for key in criteria or []]
        for practice_id in {lead, member} & wanted:
            found[practice_id] = (received_on, labels)
    return {pk: value for pk, value in found.items() if value[1]}


def notice_text(notice, today):
    """An open notice (a summary from contractual.selectors.open_notices_by_practice: kind and dates, never its
    text) in words: "Remedial notice served 3 November 2026: remedy by 1 December 2026"."""
    kind, served, remedy_by = notice["kind_label"], notice["served_on"], notice["remedy_by"]
    if served:
        text = f"{kind} served {uk_date(served)}"
    else:
        text = f"{kind} dated {uk_date(notice['dated_on'])}, not yet served"
    if remedy_by:
        text += f": remedy was due by {uk_date(remedy_by)}" if remedy_by < today else \
            f": remedy by {uk_date(remedy_by)}"
    return text


def _reasons(row):
    """practice_risk's reasons (the ranking's), and the six-month window the ranking does not weigh; the notices and
    the referral criteria have their own columns."""
    reasons = list(row.risk.reasons)
    if row.stage == WINDOW:
        reasons.append(f"Six months to improve since {uk_date(row.stage_since)}"
                       + (f": re-inspection due by {uk_date(row.reinspection_due)}" if row.reinspection_due else ""))
    return reasons


def register(user, *, today=None):
    """The user's register (reads_register), most at risk first. A fixed number of queries whatever the number of
    practices: practice_risk's three, the practices' commissioners, the open windows, the referrals' criteria and,
    for a commissioner lead, the open notices."""
    today = today or datetime.date.today()
    if not reads_register(user):
        return []
    ranked = practice_risk(user, within=_scope(user), today=today)
    ids = [risk.practice.pk for risk in ranked]
    if not ids:
        return []
    commissioners, windows, criteria = _commissioners(user, ids), _windows(ids), _criteria(user, ids)
    notices = contractual_selectors.open_notices_by_practice(ids) if sees_contractual_action(user) else None
    rows = []
    for risk in ranked:
        pk = risk.practice.pk
        commissioner_id, label = commissioners.get(pk, (0, ""))
        row = RegisterRow(risk=risk, commissioner_id=commissioner_id, commissioner=label)
        if risk.special_measures:
            row.stage, row.stage_since, row.reinspection_due = (SPECIAL_MEASURES, risk.practice.sm_started_on,
                                                                risk.reinspection_due)
        elif pk in windows:
            row.stage = WINDOW
            row.stage_since, row.reinspection_due = windows[pk]
        if notices is not None:
            row.notices = list(notices.get(pk, []))
            row.notice_texts = [notice_text(notice, today) for notice in row.notices]
        row.referral_received_on, row.criteria = criteria.get(pk, (None, []))
        row.reasons = _reasons(row)
        rows.append(row)
    return rows


def commissioner_choices(rows):
    """[(id, label)] of the commissioners (sub-ICB locations) of these rows, by label: the filter's choices."""
    return sorted({(row.commissioner_id, row.commissioner) for row in rows}, key=lambda pair: (pair[1], pair[0]))


def filtered(rows, *, commissioner=None, rating=None, stage=None, notices=None):
    """The rows that match every filter given (None: any). ``rating``: a Rating value or NO_RATING; ``stage``: one
    of STAGES; ``notices``: "yes" or "no" (only rows that carry notices can match "yes")."""
    def keep(row):
        if commissioner and row.commissioner_id != commissioner:
            return False
        if rating and (row.rating or NO_RATING) != rating:
            return False
        if stage and row.stage != stage:
            return False
        if notices == "yes" and not row.notices:
            return False
        return not (notices == "no" and row.notices)

    return [row for row in rows if keep(row)]


SORT_KEYS = {
    "risk": lambda row: row.rank,
    "name": lambda row: (row.practice.name, row.practice.pk),
    "reinspection": lambda row: (row.reinspection_due or datetime.date.max, row.rank),
    "notices": lambda row: (-len(row.notices or []), row.rank),
}


def ordered(rows, sort):
    return sorted(rows, key=SORT_KEYS.get(sort, SORT_KEYS["risk"]))


def export_table(rows, *, notices):
    """(header, rows) of the register as people read it on the page: words for choices, dates and counts typed."""
    header = ["Rank", "Practice", "ODS code", "Sub-ICB location", "Current CQC rating", "Special-measures stage",
              "Stage since", "Re-inspection due", "Plans counted", "Red actions", "Overdue actions",
              "Overdue milestones"]
    if notices:
        header += ["Open contractual notices", "Notices"]
    header += ["Referral criteria flagged", "Why it needs attention"]
    body = []
    for row in rows:
        risk = row.risk
        line = [row.rank, row.practice.name, row.practice.ods_code, row.commissioner,
                choice_label(Rating.choices, row.rating), row.stage_label if row.stage != NO_STAGE else "",
                row.stage_since, row.reinspection_due, risk.plans, risk.red_actions, risk.overdue_actions,
                risk.overdue_milestones]
        if notices:
            line += [len(row.notices or []), "; ".join(row.notice_texts)]
        line += ["; ".join(row.criteria), "; ".join(row.reasons)]
        body.append(line)
    return header, body


class RegisterFilterForm(Form):
    """The register's filters and order, read from the query string (every field optional: a value that is not
    one of the choices is reported and that filter left out)."""

    commissioner = forms.TypedChoiceField(label="Sub-ICB location", coerce=int, required=False, empty_value=None)
    rating = forms.ChoiceField(label="Current CQC rating", required=False,
                               choices=[("", "Any rating"), *Rating.choices, (NO_RATING, "No published rating")])
    stage = forms.ChoiceField(label="Special-measures stage", required=False, choices=[("", "Any"), *STAGES.items()])
    notices = forms.ChoiceField(label="Open contractual notices", required=False,
                                choices=[("", "Any"), ("yes", "With open notices"), ("no", "Without open notices")])
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORTS.items()))

    def __init__(self, *args, commissioners, notices, commissioner_label="Sub-ICB location", **kwargs):
        super().__init__(*args, **kwargs)
        if len(commissioners) > 1:  # a filter of one location would filter nothing
            field = self.fields["commissioner"]
            field.label = commissioner_label
            field.choices = [("", f"All ({len(commissioners)})"), *commissioners]
        else:
            del self.fields["commissioner"]
        if not notices:  # not even the filter's name tells peer support or RCGP there is contractual action
            del self.fields["notices"]
            self.fields["sort"].choices = [(k, v) for k, v in SORTS.items() if k != "notices"]

    def filters(self):
        """The valid filters and the sort (the default for one that is not valid)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ({name: data.get(name) or None for name in ("commissioner", "rating", "stage", "notices")
                 if name in self.fields}, data.get("sort") or "risk")
