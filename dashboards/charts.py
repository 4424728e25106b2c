"""Figures shaped for the SVG charts in templates/macros/charts.jinja: [(row label, [values])] per series.

Every builder takes a queryset that already went through the access policy.
"""


from contracts import figures
from contracts.vocabulary import Outcome
from forwardplans.charts import RAG_SERIES  # noqa: F401  (the programme charts use the plan's colours)
from forwardplans.selectors import rag_counts_by_commissioner
from forwardplans.vocabulary import Rag
from practices.selectors import commissioner_labels

# NHS.UK palette; the legend and the table carry the words (in full: "RI" and "SM" mean nothing to a reader).
OUTCOME_SERIES = [
    (Outcome.GOOD.label.split(" (")[0], "#007f3b"),
    ("Requires improvement, exited special measures", "#78be20"),
    ("Requires improvement, stays in special measures", "#ffb81c"),
    ("Inadequate, stays in special measures", "#d5281b"),
    ("Emergency closure", "#425563"),
    ("Closed with notice", "#768692"),
]


def outcomes_by_programme_year(contracts):
    """Completed contracts' outcome (rating after support) per programme and year commissioned."""
    return [(f"{programme.label}, {year}", list(counts.values()))
            for programme, year, counts in figures.outcomes_by_programme_year(contracts)]


def rag_by_commissioner(actions):
    """Actions by RAG per commissioner, each named as pages name it (never a bare code)."""
    rows = rag_counts_by_commissioner(actions)
    labels = commissioner_labels(row["commissioner"] for row in rows)
    return [(labels[row["commissioner"]], [row[r] for r in Rag.values]) for row in rows]


def rag_by_plan(plans, summaries):
    return [(f"{p.contract.reference} – {p.contract.practice.name}", [summaries[p.pk].by_rag[r] for r in Rag.values])
            for p in plans]
