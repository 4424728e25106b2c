"""The contract page's "Evaluation at closure" panel (contracts cannot import this app: it registers it through
contracts/panels.py): what is due at closure and what was given, with links. Nothing before closure and nothing for
a role that never sees any of it (NHSE), at no query; otherwise two queries, plus one for those who run or answer
the staff feedback questionnaire and one for an adviser's team."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from markupsafe import Markup

from contracts.models import Contract
from contracts.panels import register
from core.roles import Role
from forwardplans import permissions as document_permissions
from forwardplans.models import Questionnaire

from . import access
from .models import PracticeFeedback, Reflection


@register
def evaluation_panel(request, contract):
    user = request.user
    if not access.may_see_any(user) or contract.state not in access.CLOSURE_STATES:
        return ""
    if user.role == Role.RCGP_ADVISER and not hasattr(contract, "current_team"):
        # Who is on the team, asked once: every verb below asks it (core.relations.on_team reads current_team).
        contract.current_team = list(contract.team_members.filter(removed_at__isnull=True)
                                     .select_related("adviser"))
    may = {verb: access.can(user, verb, contract) for verb in access.CONTRACT_VERBS}
    if not may["read_case_studies"]:
        return ""
    reflections = Reflection.objects.filter(contract=OuterRef("pk")).order_by()
    state = (Contract.objects.filter(pk=contract.pk).annotate(
        feedback_on=Subquery(PracticeFeedback.objects.filter(contract=OuterRef("pk")).values("given_on")[:1]),
        reflection_count=Coalesce(Subquery(reflections.values("contract").annotate(n=Count("pk")).values("n")),
                                  Value(0), output_field=IntegerField()),
        reflected=Exists(reflections.filter(author=user.pk)),
    ).values("feedback_on", "reflection_count", "reflected").get())
    case_studies = list(access.case_studies_for(user).filter(contract=contract).order_by("created_on", "pk"))
    runs = document_permissions.can_run_questionnaire.test(user, contract)
    invites = document_permissions.can_invite_staff.test(user, contract)
    questionnaires = (list(contract.questionnaires.filter(purpose=Questionnaire.Purpose.CLOSURE_FEEDBACK))
                      if runs or invites else [])
    return Markup(render_to_string("evaluation/_contract_panel.jinja", {  # noqa: S704  # nosec B704 (our template)
        "contract": contract, "may": may, "state": state, "case_studies": case_studies,
        "staff_feedback": questionnaires, "runs": runs, "invites": invites,
        "reads_answers": document_permissions.can_read_answers.test(user, contract),
        "can_open": runs and not any(q.is_open for q in questionnaires)}, request=request))
