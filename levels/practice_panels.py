"""The practice page's "Level of support" section (practices cannot import this app: it registers it through
practices/panels.py): the current level, the latest changes, and a link to change it for those who may. Whoever
sees the practice sees it (levels/access.py)."""

from django.template.loader import render_to_string
from markupsafe import Markup

from practices.panels import register

from . import access, selectors
from .models import LEVEL_DESCRIPTIONS

PANEL_CHANGES = 3


@register
def level_panel(request, practice):
    # The practice page fetched ``practice`` through practices_for, so the user sees it: the level goes with it.
    # One query: the current row exists only once a change does, so it comes with the latest changes.
    changes = list(selectors.history(practice).select_related("practice__support_level")[:PANEL_CHANGES])
    current = changes[0].practice.support_level if changes else None
    return Markup(render_to_string("levels/_practice_panel.jinja", {  # noqa: S704  # nosec B704 (our template)
        # Names of their own: the test client's response.context mixes in every template's context, the page's too.
        "practice": practice, "level_now": current, "level_changes": changes, "level_shown": PANEL_CHANGES,
        "level_descriptions": LEVEL_DESCRIPTIONS, "may_set_level": access.can(request.user, "set_level", practice)},
        request=request))
