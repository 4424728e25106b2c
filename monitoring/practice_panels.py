"""The practice page's "Monitoring" panel (practices cannot import this app: it registers it through
practices/panels.py): the latest records, each with its open follow-ups, for the commissioner's users, and the
records shared with the practice for its own users. One query; none at all for a role that could never read a
record (RCGP, NHSE)."""

from django.template.loader import render_to_string
from markupsafe import Markup

from practices.panels import register

from . import access, selectors


@register
def monitoring_panel(request, practice):
    user = request.user
    if not access.may_read_monitoring(user):
        return ""
    monitors = access.may_monitor(user, practice)  # no query: the practice's commissioner is already loaded
    if not monitors and user.practice_id != practice.pk:
        return ""
    records = list(selectors.practice_records(user, practice)[:selectors.PANEL_RECORDS])
    if not records and not monitors:
        return ""
    return Markup(render_to_string("monitoring/_practice_panel.jinja", {  # noqa: S704  # nosec B704 (our template)
        "practice": practice, "records": records, "monitors": monitors, "shown": selectors.PANEL_RECORDS},
        request=request))
