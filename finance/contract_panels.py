"""The contract page's "Time and money" panel (contracts cannot import this app: it registers through
contracts/panels.py). The RCGP team sees the days and the delivery cost (one query); everyone who sees the contract
sees what has been paid (Contract.spent, already loaded: no query)."""

from django.template.loader import render_to_string
from markupsafe import Markup

from contracts.models import Contract
from contracts.panels import register

from . import access, selectors


@register
def finance_panel(request, contract):
    user = request.user
    summary = None
    if access.may_read_delivery(user) and access.can(user, "read_delivery", contract):
        summary = selectors.with_delivery_summary(Contract.objects.filter(pk=contract.pk)).values(
            "days_costed", "days_approved", "days_used", "planned_cost", "days_cost", "other_costs_total").first()
    return Markup(render_to_string("finance/_contract_panel.jinja",  # noqa: S704  # nosec B704 (our template)
                                   {"contract": contract, "summary": summary}, request=request))
