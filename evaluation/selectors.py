"""Reads of the evaluation: what a contract's panel shows, and the counts by commissioner and financial year.
Every queryset comes from evaluation/access.py."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, When
from django.db.models.functions import ExtractYear

from contracts.funding import financial_year
from contracts.vocabulary import SupportCategory
from forwardplans.models import Questionnaire, QuestionnaireResponse
from practices.models import Commissioner

from . import access
from .models import CaseStudy, PracticeFeedback, Reflection
from .vocabulary import CaseStudyStatus, Naming


def _financial_year(date_field):
    """The April-March financial year a date falls in, as the calendar year it starts in (SQL)."""
    year = ExtractYear(date_field)
    return Case(When(**{f"{date_field}__month__lt": 4}, then=year - 1), default=year, output_field=IntegerField())


@dataclass
class CountRow:
    commissioner: Commissioner
    year: int
    feedback: int = 0
    staff_responses: int = 0
    reflections: int = 0
    drafts: int = 0
    finals: int = 0
    named: int = 0
    anonymised: int = 0
    by_category: dict = field(default_factory=dict)

    @property
    def financial_year(self):
        return financial_year(self.year)[2]

    @property
    def case_studies(self):
        return self.drafts + self.finals


def counts_by_commissioner_and_year(user):
    """One row per (the contract's commissioner, financial year) with anything counted, newest year first, over the
    contracts the user counts (access.counted_contracts). A record counts in the financial year it was made:
    feedback given, a staff response received, a reflection written, a case study drafted. Five queries."""
    contracts = access.counted_contracts(user).values("pk")
    rows = {}

    def row(commissioner_id, year):
        return rows.setdefault((commissioner_id, year), CountRow(commissioner=commissioner_id, year=year))

    def grouped(queryset, commissioner_path, date_field, *extra):
        return (queryset.annotate(fy=_financial_year(date_field), commissioner_id=F(commissioner_path)).order_by()
                .values("commissioner_id", "fy", *extra).annotate(n=Count("pk")))

    for item in grouped(PracticeFeedback.objects.filter(contract__in=contracts), "contract__commissioner",
                        "given_on"):
        row(item["commissioner_id"], item["fy"]).feedback += item["n"]
    responses = QuestionnaireResponse.objects.filter(questionnaire__purpose=Questionnaire.Purpose.CLOSURE_FEEDBACK,
                                                     questionnaire__contract__in=contracts)
    for item in grouped(responses, "questionnaire__contract__commissioner", "received_on"):
        row(item["commissioner_id"], item["fy"]).staff_responses += item["n"]
    for item in grouped(Reflection.objects.filter(contract__in=contracts), "contract__commissioner", "written_on"):
        row(item["commissioner_id"], item["fy"]).reflections += item["n"]
    for item in grouped(CaseStudy.objects.filter(contract__in=contracts), "contract__commissioner", "created_on",
                        "status", "naming", "support_category"):
        counted = row(item["commissioner_id"], item["fy"])
        n = item["n"]
        if item["status"] == CaseStudyStatus.FINAL:
            counted.finals += n
        else:
            counted.drafts += n
        if item["naming"] == Naming.NAMED:
            counted.named += n
        else:
            counted.anonymised += n
        counted.by_category[item["support_category"]] = counted.by_category.get(item["support_category"], 0) + n
    commissioners = Commissioner.objects.in_bulk({commissioner_id for commissioner_id, _year in rows})
    for counted in rows.values():
        counted.commissioner = commissioners[counted.commissioner]
    return sorted(rows.values(), key=lambda r: (-r.year, r.commissioner.name, r.commissioner.ods_code))


COUNT_HEADER = ["Commissioner", "ODS code", "Financial year", "Practice feedback", "Staff responses",
                "Reflections", "Case studies: draft", "Case studies: final", "Case studies: named",
                "Case studies: anonymised", *(f"Case studies: {label}" for _value, label in SupportCategory.choices)]


def count_table(rows):
    """The counts as rows under COUNT_HEADER, for downloads."""
    return [[r.commissioner.name, r.commissioner.ods_code, r.financial_year, r.feedback, r.staff_responses,
             r.reflections, r.drafts, r.finals, r.named, r.anonymised,
             *(r.by_category.get(value, 0) for value in SupportCategory.values)] for r in rows]


# A contract's panel ------------------------------------------------------------------------------------------------

@dataclass
class ContractEvaluation:
    feedback: object = None                 # PracticeFeedback, if the user may read it
    reflections: list = field(default_factory=list)
    own_reflection: object = None
    case_studies: list = field(default_factory=list)
    staff_questionnaires: list = field(default_factory=list)


