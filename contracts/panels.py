"""Sections that apps above contracts add to a contract's page.

The contract page lists what the apps above contracts recorded about its delivery (visits and meetings, time and
money, the agreement, evaluation), which this app may not import. They register a panel here when they start:
``panel(request, contract)`` returns the section's HTML, or "" when there is nothing the user may see. Panels are
shown in the order they were registered (INSTALLED_APPS order)."""

_PANELS = []


def register(panel):
    _PANELS.append(panel)
    return panel


def panels_for(request, contract):
    return [html for panel in _PANELS if (html := panel(request, contract))]
