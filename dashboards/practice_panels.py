"""The practice page's "Support from the programme": the practice's contracts the user may see, each with its
diagnostic report and forward plan when the user may open them (the access policy decides both)."""

from django.template.loader import render_to_string
from markupsafe import Markup

from contracts import access as contract_access
from practices.panels import register

from .dashboards import contract_documents


@register
def support_for_practice(request, practice):
    contracts = list(contract_access.contracts_for(request.user).filter(practice=practice)
                     .order_by("-commissioned_on", "-pk"))
    return Markup(render_to_string("practices/_support.jinja", {  # noqa: S704  # nosec B704 (our template's output)
        "practice": practice, "contracts": contracts, "documents": contract_documents(request.user, contracts),
    }, request=request))
