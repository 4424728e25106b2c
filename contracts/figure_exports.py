"""The programme's figures as CSV or XLSX: the tables of the programme figures page and of the figures on the home
pages (programmes, funding by financial year, outcomes by year commissioned). Each takes figures already scoped
by the access policy, and lays them out as the page does, in words, with counts and amounts as numbers."""

from core.exports import export_response

from .figures import OFFER_LABELS, OUTCOME_LABELS, SUBTOTAL_LABELS, SUBTOTALS
from .vocabulary import EndReason, Outcome, Programme

SHARE_HEADER = ["Count", "Percent of completed"]


def programme_figures_export(fmt, figures, *, scope=None, date_from=None, date_to=None):
    """One programme's figures (contracts.figures.programme_figures): a row per measure, as on the page."""
    programme = Programme(figures["programme"]).label
    header = ["Programme", "Scope", "Commissioned from", "Commissioned to", "Table", "Measure", *SHARE_HEADER]
    lead = [programme, str(scope) if scope else "All you may see", date_from, date_to]
    activity = [
        ("Enquiries", figures["enquiries"]),
        ("Practices supported (live and ended)", figures["supported"]),
        ("Live", figures["live"]),
        ("Ended", figures["ended"]),
        *[(f"Ended: {EndReason(reason).label}", count) for reason, count in figures["ended_by_reason"].items()],
        ("Completed (re-inspected after support)", figures["completed"]),
        ("Awaiting re-inspection", figures["awaiting_reinspection"]),
    ]
    rows = [[*lead, "Activity", measure, count, None] for measure, count in activity]
    rows += [[*lead, "Outcomes of completed support", Outcome(outcome).label, share["count"], share["percent"]]
             for outcome, share in figures["outcomes"].items()]
    rows += [[*lead, "Subtotals", SUBTOTAL_LABELS[name], share["count"], share["percent"]]
             for name, share in figures["subtotals"].items()]
    if "offers" in figures:
        rows += [[*lead, "Special-measures offers", OFFER_LABELS[key], value, None]
                 for key, value in figures["offers"].items() if key != "take_up_percent"]
        rows.append([*lead, "Special-measures offers", OFFER_LABELS["take_up_percent"], figures["offers"]["accepted"],
                     figures["offers"]["take_up_percent"]])
    if "enquiry_outcomes" in figures:
        taken_up = figures["enquiry_outcomes"]
        rows += [[*lead, "Enquiries (every source)", OUTCOME_LABELS[key], value, None]
                 for key, value in taken_up.items() if key != "take_up_percent"]
        rows.append([*lead, "Enquiries (every source)", OUTCOME_LABELS["take_up_percent"], taken_up["accepted"],
                     taken_up["take_up_percent"]])
    return export_response(fmt, f"programme-figures-{figures['programme'].replace('_', '-')}", header, rows)


def programme_outcomes_export(fmt, table):
    """Every programme's activity and outcomes: [(Programme, figures)] (dashboards.programme_table)."""
    header = ["Programme", "Enquiries", "Supported", "Live", "Completed"]
    for name in SUBTOTALS:
        header += [SUBTOTAL_LABELS[name], f"{SUBTOTAL_LABELS[name]} (percent of completed)"]
    rows = []
    for programme, f in table:
        row = [Programme(programme).label, f["enquiries"], f["supported"], f["live"], f["completed"]]
        for name in SUBTOTALS:
            row += [f["subtotals"][name]["count"], f["subtotals"][name]["percent"]]
        rows.append(row)
    return export_response(fmt, "programme-outcomes", header, rows)


def funding_export(fmt, years):
    """Funding by financial year (contracts.funding.funding_by_years): each programme's row, then the year's
    total. Committed: agreements signed in the year; spent: payments made in the year."""
    header = ["Financial year", "Programme", "Contracts", "Contracted (£)", "Committed (£)", "Spent (£)"]
    rows = []
    for year in years:
        for row in year["rows"]:
            rows.append([year["label"], Programme(row["programme"]).label, row["contracts"], row["contracted"],
                         row["committed"], row["spent"]])
        rows.append([year["label"], "All programmes", year["contracts"], year["contracted"], year["committed"],
                     year["spent"]])
    return export_response(fmt, "funding-by-financial-year", header, rows)


def outcomes_by_year_export(fmt, rows):
    """Completed support's outcomes per programme and year commissioned (contracts.figures
    .outcomes_by_programme_year)."""
    header = ["Programme", "Year commissioned", *Outcome.labels, "Total"]
    body = [[programme.label, year, *counts.values(), sum(counts.values())] for programme, year, counts in rows]
    return export_response(fmt, "outcomes-by-programme-and-year", header, body)
