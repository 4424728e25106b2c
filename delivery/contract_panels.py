"""The contract page's "Delivery" panel (contracts cannot import this app: it registers it through
contracts/panels.py): the latest visits, meetings, interviews and review meetings, and the support delivered (each
kind, how many times and when last). The RCGP team sees every record; the practice's and commissioner's users the
shared ones, and nothing at all when none is shared. One query (and a team check for an adviser); none at all for a
role that could never read a record (NHSE)."""

from django.template.loader import render_to_string
from markupsafe import Markup

from contracts.panels import register

from . import access, selectors


@register
def delivery_panel(request, contract):
    user = request.user
    if not access.may_read_delivery(user):
        return ""
    team = access.sees_unshared(user, contract)
    records = list(selectors.contract_records(user, contract))
    if not records and not team:
        return ""
    return Markup(render_to_string("delivery/_contract_panel.jinja", {  # noqa: S704  # nosec B704 (our template)
        "contract": contract, "records": records[:selectors.PANEL_RECORDS], "count": len(records), "team": team,
        "may_record": access.can_record_on_team(user, contract, team), "shown": selectors.PANEL_RECORDS,
        "support": selectors.support_delivered(records)}, request=request))
