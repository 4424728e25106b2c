"""Who may see and act on contractual action (issue 20; 002 Chapter 3), written once.

- The practice's commissioner's LEADS (its sub-ICB location, and the ICB above it) see and act on everything.
- NHSE reporting sees every case's type, dates and outcome, never its text (the API's metadata serializer and the
  pages' ``sees_text``).
- The practice's own users see only the notices SERVED on their practice, nothing of another practice, and no case
  record beyond them.
- RCGP (every RCGP role, admin included) sees none of it: contractual action is between the commissioner and the
  contractor.

Each rule is a ``core.roles.Rule`` from core/relations.py, so a list (``cases_for``, ``notices_for``) and a check on
one record (``can``) cannot disagree; a hidden record answers 404 exactly as a missing one (``get_*_or_404``).
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from core.relations import active, commissioner_ids, of_commissioner, own_commissioner
from core.roles import NHSE_ROLES, RCGP_ROLES, Role, Rule, is_commissioner_lead, is_nhse, is_practice_user

from .models import Appeal, ContractualCase, Notice

lead_of_case = is_commissioner_lead & own_commissioner("commissioner")


def _not_rcgp(user, record=None):
    return active(user) and not user.is_superuser and user.role not in RCGP_ROLES


not_rcgp = Rule(_not_rcgp, "not_rcgp", q=lambda user: _not_rcgp(user))

VIEW_CASE = not_rcgp & (lead_of_case | is_nhse)
ACT = not_rcgp & lead_of_case


def _served_on_own_practice(user, notice=None):
    return (notice is not None and is_practice_user(user) and bool(user.practice_id)
            and notice.served_on is not None and notice.case.practice_id == user.practice_id)


served_on_own_practice = Rule(
    _served_on_own_practice, "served_on_own_practice",
    q=lambda user: (Q(served_on__isnull=False, case__practice_id=user.practice_id)
                    if is_practice_user(user) and user.practice_id else False))


def _case_lead(user, notice=None):
    return notice is not None and lead_of_case.test(user, notice.case)


notice_case_lead = Rule(
    _case_lead, "lead_of_notice_case",
    q=lambda user: (Q(case__commissioner__in=commissioner_ids(user))
                    if is_commissioner_lead.test(user) and of_commissioner(user) else False))

VIEW_NOTICE = not_rcgp & (notice_case_lead | is_nhse | served_on_own_practice)

REFUSAL = "Only the practice's commissioner lead can record contractual action."


def cases_for(user):
    """Contractual cases the user may see (NHSE: their metadata only)."""
    return VIEW_CASE.filter(user, ContractualCase.objects.all())


def notices_for(user):
    """Notices the user may see: a practice's users only those served on their practice."""
    return VIEW_NOTICE.filter(user, Notice.objects.all())


def cases_with_notices_for(user):
    """The cases a user reads through their notices: a practice's users, the cases whose notices were served on
    their practice (and nothing else of the case); everyone else, ``cases_for``."""
    if getattr(user, "role", None) in (Role.PRACTICE_USER, Role.PRACTICE_LEAD):
        return ContractualCase.objects.filter(pk__in=notices_for(user).values("case"))
    return cases_for(user)


def can_act(user, case):
    return ACT.test(user, case)


def refusal(user, case):
    return None if can_act(user, case) else REFUSAL


def sees_text(user):
    """NHSE sees type, dates and outcome, never the text of a case or notice (a regional team sees no case at all:
    contractual action stays with national NHSE)."""
    return active(user) and user.role not in NHSE_ROLES


def has_contractual_pages(user):
    """Whether any contractual action can be the user's to see (no query): the practice page's link."""
    return active(user) and not user.is_superuser and (
        user.role in (Role.COMMISSIONER_LEAD, Role.NHSE_REPORTING, Role.PRACTICE_USER, Role.PRACTICE_LEAD))


def get_case_or_404(user, pk):
    return get_object_or_404(cases_for(user).select_related("practice", "commissioner"), pk=pk)


def appeal_of(user, notice):
    """The appeal against ``notice``, through the notices the user may see (None if there is none to see)."""
    return Appeal.objects.filter(notice__in=notices_for(user), notice=notice).first()


def get_notice_or_404(user, pk):
    return get_object_or_404(notices_for(user).select_related("case__practice", "case__commissioner"), pk=pk)
