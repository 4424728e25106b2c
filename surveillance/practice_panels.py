"""The practice page says when its CQC data was last refreshed from the CQC API (practices cannot import this app:
it registers the line through practices/panels.py)."""

from django.utils.html import format_html

from core.formatting import uk_datetime
from practices.panels import register

from .selectors import last_refreshed


@register
def cqc_data_refreshed(request, practice):
    when = last_refreshed(practice)
    if when is None:
        return format_html('<p class="nhsuk-body-s" id="cqc-refreshed">CQC data: not yet refreshed from the CQC '
                           "API (ratings come from imported files).</p>")
    return format_html('<p class="nhsuk-body-s" id="cqc-refreshed">CQC data last refreshed from the CQC API on {}.</p>',
                       uk_datetime(when))
