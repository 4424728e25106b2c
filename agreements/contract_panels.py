"""The contract page's "Agreement" panel (contracts cannot import this app: it registers it through
contracts/panels.py): signed or not, by whom, and a link. Two queries (the agreement, its signatures); none for a
role that could never read an agreement (NHSE)."""

from django.template.loader import render_to_string
from markupsafe import Markup

from contracts.panels import register

from . import access, selectors


@register
def agreement_panel(request, contract):
    user = request.user
    if not access.may_ever_read(user) or not access.can(user, "read", contract):
        return ""
    agreement = selectors.panel_agreement(contract)
    return Markup(render_to_string("agreements/_contract_panel.jinja", {  # noqa: S704  # nosec B704 (our template)
        "contract": contract, "agreement": agreement,
        "signatures": selectors.signatures_in_order(agreement) if agreement else [],
        "may_write": access.can(user, "write", contract)}, request=request))
