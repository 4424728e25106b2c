"""The practice page's "Contractual action" section (registered through practices/panels.py), for those who may
see it: the commissioner's leads and NHSE (the cases, by state, with their open notices), and the practice's own
users (the notices served on it). One query at most; none for anyone else (RCGP never sees contractual action)."""

from django.db.models import Count, Q
from django.template.loader import render_to_string
from markupsafe import Markup

from core.roles import PRACTICE_ROLES, Role
from practices.panels import register

from . import access
from .models import ContractualCase


def _probe(practice):
    """An unsaved case of ``practice``: whether the user could record one (the practice's commissioner lead)."""
    return ContractualCase(practice=practice, commissioner_id=practice.commissioner_id)


@register
def contractual_action(request, practice):
    user = request.user
    if not access.has_contractual_pages(user):
        return ""
    if user.role in PRACTICE_ROLES:
        notices = list(access.notices_for(user).filter(case__practice=practice).order_by("-dated_on", "-pk")
                       .values("pk", "kind", "dated_on", "served_on", "remedy_by", "outcome"))
        cases = []
        if not notices:
            return ""
    else:
        notices = []
        cases = list(access.cases_for(user).filter(practice=practice).order_by("-received_on", "-pk")
                     .annotate(open_notices=Count("notices", filter=Q(notices__outcome="")))
                     .values("pk", "state", "received_on", "source", "open_notices"))
        if not cases and not (user.role == Role.COMMISSIONER_LEAD and access.can_act(user, _probe(practice))):
            return ""  # nothing to show, and no concern to record here
    return Markup(render_to_string("contractual/_panel.jinja", {  # noqa: S704  # nosec B704 (our template's output)
        "practice": practice, "cases": cases, "notices": notices}, request=request))
