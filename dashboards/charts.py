"""Figures shaped for the SVG charts in templates/macros/charts.jinja: [(row label, [values])] per series.

Every builder takes a queryset that already went through the access policy.
"""


from django.db.models import Count
from django.db.models.functions import ExtractYear

from contracts.figures import COMPLETED, OUTCOME_CONDITIONS
from contracts.vocabulary import Outcome, Programme
from forwardplans.charts import RAG_SERIES  # noqa: F401  (the programme charts use the plan's colours)
from forwardplans.selectors import rag_counts_by_commissioner
from forwardplans.vocabulary import Rag

# NHS.UK palette; the legend and the table carry the words.
OUTCOME_SERIES = [
    (Outcome.GOOD.label.split(" (")[0], "#007f3b"),
    ("RI, exited SM", "#78be20"),
    ("RI, stays in SM", "#ffb81c"),
    ("Inadequate, in SM", "#d5281b"),
    ("Emergency closure", "#425563"),
    ("Closed with notice", "#768692"),
]


def outcomes_by_programme_year(contracts):
    """Completed contracts' outcome (rating after support) per programme and year commissioned."""
    rows = (contracts.filter(COMPLETED).annotate(year=ExtractYear("commissioned_on"))
            .values("programme", "year")
            .annotate(**{o.value: Count("pk", filter=OUTCOME_CONDITIONS[o]) for o in Outcome})
            .order_by("programme", "year"))
    return [(f"{Programme(r['programme']).label}, {r['year']}", [r[o.value] for o in Outcome]) for r in rows]


def rag_by_commissioner(actions):
    rows = rag_counts_by_commissioner(actions)
    return [(row["commissioner_name"], [row[r] for r in Rag.values]) for row in rows]


def rag_by_plan(plans, summaries):
    return [(f"{p.contract.reference} – {p.contract.practice.name}", [summaries[p.pk].by_rag[r] for r in Rag.values])
            for p in plans]
