"""The practice page's lines from surveillance (practices cannot import this app: it registers them through
practices/panels.py): when its CQC data was last refreshed, and its recent alerts, for their audience only."""

from django.template.loader import render_to_string
from django.utils.html import format_html
from markupsafe import Markup

from core.formatting import uk_datetime
from practices.panels import register

from . import alert_texts
from .access import alerts_for
from .selectors import last_refreshed

ALERTS_SHOWN = 10


@register
def cqc_data_refreshed(request, practice):
    when = last_refreshed(practice)
    if when is None:
        return Markup('<p class="nhsuk-body-s" id="cqc-refreshed">CQC data: not yet refreshed from the CQC '
                      "API (ratings come from imported files).</p>")
    return format_html('<p class="nhsuk-body-s" id="cqc-refreshed">CQC data last refreshed from the CQC API on {}.</p>',
                       uk_datetime(when))


@register
def practice_alerts(request, practice):
    """The practice's latest alerts (one query), for the people they were sent to; nothing for anyone else."""
    alerts = list(alerts_for(request.user).filter(practice=practice).order_by("-on", "-pk")[:ALERTS_SHOWN])
    if not alerts:
        return ""
    for alert in alerts:
        alert.text = alert_texts.body(alert)
    return Markup(render_to_string("surveillance/_alerts.jinja", {  # noqa: S704  # nosec B704 (our template's output)
        "practice": practice, "alerts": alerts, "shown": ALERTS_SHOWN}, request=request))
