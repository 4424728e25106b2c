"""Sections that apps above practices add to a practice's page.

The practice page belongs to this app, but what the programme did for the practice (contracts, reports, plans) is
known only to the apps above it, which this one may not import. They register a panel here when they start:
``panel(request, practice)`` returns the section's HTML, or "" when there is nothing the user may see."""

_PANELS = []


def register(panel):
    _PANELS.append(panel)
    return panel


def panels_for(request, practice):
    return [html for panel in _PANELS if (html := panel(request, practice))]
