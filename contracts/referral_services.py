"""Resilience-programme self-referrals (docs/domain.md §5): submit, assess, acknowledge, decline, and NHS England's
regional decision.

Every write goes through a function here, named ``referral_<action>(*, ..., actor)``. Each one
checks who is asking, validates the answers (word limits included, whatever the form already
did), runs in one transaction, and raises DomainError with a message for the person who asked.
Who may see a referral and who may do what with one are the rules of contracts/access.py.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, StaleEdit
from core.roles import is_commissioner_lead, is_practice_lead
from core.validators import MaxWordsValidator
from practices import access as practice_access

from . import access
from .models import Referral, RegionalDecision
from .vocabulary import (
    CRITERIA_KEYS,
    IMPACT_LABELS,
    SCOPE_LABELS,
    Priority,
    Programme,
    SupportCategory,
    YesNoUnknown,
)
from .working_days import acknowledgement_due, working_days_between

WORD_LIMIT = 200
_max_words = MaxWordsValidator(WORD_LIMIT)

# The applicant's answers referral_submit accepts, besides practice, group and date of receipt.
ANSWER_FIELDS = (
    "contact_name", "contact_role", "contact_email", "contact_phone", "commissioner_supports", "categories",
    "past_rcgp_sm_programme", "past_rcgp_sm_year", "past_vulnerable_practice_programme",
    "past_resilience_programme", "past_resilience_years", "issues", "support_needed",
)
_REQUIRED_ANSWERS = {
    "contact_name": "Enter the name of the practice lead to contact.",
    "contact_email": "Enter the contact's email address.",
    "issues": "Describe the issues affecting service, staff and patients.",
    "support_needed": "Describe the support you believe is needed.",
}
OPEN_STATUSES = (Referral.Status.SUBMITTED, Referral.Status.ASSESSED)
EARLIEST_PAST_SUPPORT_YEAR = 2000


def _today():
    return timezone.localdate()


# --- Who may do what -------------------------------------------------------------------------
# The rules are contracts/access.py's (REFERRAL_VERBS), combined from the relations of core/relations.py; these
# names stay for the pages and forms that ask about one referral.

def can_submit(user):
    """Practice leads refer their own practice; commissioner leads refer on a practice's behalf."""
    return access.can_referral(user, "submit")


def submittable_practices(user):
    """The practices ``user`` may submit a self-referral for (or name in a group)."""
    if is_practice_lead(user):
        return practice_access.practices_for(user).filter(pk=user.practice_id)
    if is_commissioner_lead(user):
        return practice_access.practices_for(user)
    return practice_access.practices_for(user).none()


def can_assess(user, referral):
    """Only a lead of the referral's own commissioner assesses it."""
    return access.can_referral(user, "assess", referral)


def can_acknowledge(user, referral):
    return access.can_referral(user, "acknowledge", referral)


def can_decline(user, referral):
    return access.can_referral(user, "decline", referral)


def _require(actor, verb, referral=None):
    refused = access.referral_refusal(actor, verb, referral)
    if refused:
        raise DomainError(refused)


# --- Validation helpers ----------------------------------------------------------------------

def _check_words(label, text):
    try:
        _max_words(text)
    except ValidationError as exc:
        raise DomainError(f"{label}: {exc.messages[0]}") from None


def _full_clean(referral, exclude=()):
    try:
        referral.full_clean(exclude=["group_practices", *exclude], validate_unique=False)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None


def _check_choices(values, allowed, what):
    if not isinstance(values, list | tuple | set | frozenset):
        raise DomainError(f"Choose {what} from the list.")
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise DomainError(f"Unknown {what}: {', '.join(map(str, unknown))}.")
    # Keep the vocabulary's order and drop repeats.
    return [value for value in allowed if value in values]


def _check_scale(value, labels, what):
    if isinstance(value, bool) or not isinstance(value, int) or value not in labels:
        raise DomainError(f"Choose the {what} from 1 to 5.")
    return value


def _record(referral, actor, reason):
    if referral.pk:
        referral.version += 1  # every change moves the version, so a decision taken on an older one is refused
    referral._history_user = actor
    referral._change_reason = reason
    referral.save()


# --- Services --------------------------------------------------------------------------------

@transaction.atomic
def referral_submit(*, actor, practice, group_practices=(), received_on=None, **answers):
    """Submit a self-referral for ``practice`` (and optionally a group of other practices).

    A practice lead refers their own practice; a commissioner lead refers one of their
    commissioner's practices on its behalf. The referral belongs to the practice's commissioner,
    and its acknowledgement is due 10 working days after ``received_on`` (default: today).
    """
    unknown = sorted(set(answers) - set(ANSWER_FIELDS))
    if unknown:
        raise TypeError(f"referral_submit() got unexpected answers: {', '.join(unknown)}")
    _require(actor, "submit")
    allowed = submittable_practices(actor)
    if practice is None or not allowed.filter(pk=practice.pk).exists():
        if is_practice_lead(actor):
            raise DomainError("A practice lead can only submit a self-referral for their own practice.")
        raise DomainError("You can only submit a self-referral for a practice of your own commissioner.")
    group = list({p.pk: p for p in group_practices if p.pk != practice.pk}.values())
    if group:
        visible = set(practice_access.practices_for(actor).filter(pk__in=[p.pk for p in group])
                      .values_list("pk", flat=True))
        if any(p.pk not in visible for p in group):
            raise DomainError("Group referrals can only name practices you can see.")

    received_on = received_on or _today()
    if received_on > _today():
        raise DomainError("The date the referral was received cannot be in the future.")

    for field, message in _REQUIRED_ANSWERS.items():
        if not str(answers.get(field) or "").strip():
            raise DomainError(message)
    _check_words("Issues affecting service, staff and patients", answers["issues"])
    _check_words("Support believed to be needed", answers["support_needed"])
    if answers.get("commissioner_supports") not in YesNoUnknown.values:
        raise DomainError("Say whether the commissioner supports this referral: yes, no or don't know.")
    categories = _check_choices(answers.get("categories") or [], SupportCategory.values, "categories of support")
    if not categories:
        raise DomainError("Choose at least one category of support.")

    sm_year = answers.get("past_rcgp_sm_year") if answers.get("past_rcgp_sm_programme") else None
    if sm_year is not None and (isinstance(sm_year, bool) or not isinstance(sm_year, int)
                                or not EARLIEST_PAST_SUPPORT_YEAR <= sm_year <= received_on.year):
        raise DomainError(f"The year of RCGP special measures support must be between "
                          f"{EARLIEST_PAST_SUPPORT_YEAR} and {received_on.year}.")
    resilience_years = answers.get("past_resilience_years", "") if answers.get("past_resilience_programme") else ""

    referral = Referral(
        practice=practice,
        commissioner=practice.commissioner,
        status=Referral.Status.SUBMITTED,
        submitted_by=actor,
        received_on=received_on,
        acknowledgement_due=acknowledgement_due(received_on),
        contact_name=answers["contact_name"].strip(),
        contact_role=(answers.get("contact_role") or "").strip(),
        contact_email=answers["contact_email"].strip(),
        contact_phone=(answers.get("contact_phone") or "").strip(),
        commissioner_supports=answers["commissioner_supports"],
        categories=categories,
        past_rcgp_sm_programme=bool(answers.get("past_rcgp_sm_programme")),
        past_rcgp_sm_year=sm_year,
        past_vulnerable_practice_programme=bool(answers.get("past_vulnerable_practice_programme")),
        past_resilience_programme=bool(answers.get("past_resilience_programme")),
        past_resilience_years=(resilience_years or "").strip(),
        issues=answers["issues"].strip(),
        support_needed=answers["support_needed"].strip(),
    )
    _full_clean(referral)
    _record(referral, actor, "submitted")
    if group:
        referral.group_practices.set(group)
    return referral


def _open_for_assessment(referral):
    if referral.status not in OPEN_STATUSES:
        raise DomainError(f"This referral is {referral.get_status_display().lower()}; it can no longer be "
                          f"assessed or declined.")


@transaction.atomic
def referral_assess(*, referral, actor, statement_of_support, priority, criteria, matrix_scope, matrix_impact,
                    matrix_justification):
    """The commissioner's assessment: statement of support, priority, national criteria, support matrix.

    Only a lead of the referral's commissioner may assess it, while it is awaiting assessment or
    already assessed (a later assessment replaces the earlier one; history keeps both).
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(actor, "assess", referral)
    _open_for_assessment(referral)
    statement_of_support = (statement_of_support or "").strip()
    if not statement_of_support:
        raise DomainError("Write the commissioner's statement of support.")
    _check_words("Statement of support", statement_of_support)
    if priority not in Priority.values:
        raise DomainError("Choose a priority: high, medium or low.")
    criteria = _check_choices(criteria or [], CRITERIA_KEYS, "national criteria")
    matrix_scope = _check_scale(matrix_scope, SCOPE_LABELS, "scope for support")
    matrix_impact = _check_scale(matrix_impact, IMPACT_LABELS, "impact of support")
    matrix_justification = (matrix_justification or "").strip()
    if not matrix_justification:
        raise DomainError("Explain why the referral is placed where it is on the support matrix.")

    referral.statement_of_support = statement_of_support
    referral.priority = priority
    referral.criteria = criteria
    referral.matrix_scope = matrix_scope
    referral.matrix_impact = matrix_impact
    referral.matrix_justification = matrix_justification
    referral.assessed_by = actor
    referral.assessed_at = timezone.now()
    referral.status = Referral.Status.ASSESSED
    _full_clean(referral)
    _record(referral, actor, "assessed")
    return referral


@transaction.atomic
def referral_acknowledge(*, referral, actor, acknowledged_on=None):
    """Record the date the referral was acknowledged (default today): the 10-working-day SLA."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(actor, "acknowledge", referral)
    if referral.acknowledged_on:
        raise DomainError(f"This referral was already acknowledged on {referral.acknowledged_on:%-d %B %Y}.")
    acknowledged_on = acknowledged_on or _today()
    if acknowledged_on < referral.received_on:
        raise DomainError(f"The acknowledgement date cannot be before the referral was received "
                          f"({referral.received_on:%-d %B %Y}).")
    if acknowledged_on > _today():
        raise DomainError("The acknowledgement date cannot be in the future.")
    referral.acknowledged_on = acknowledged_on
    _record(referral, actor, "acknowledged")
    return referral


@transaction.atomic
def referral_decline(*, referral, actor, reason):
    """The commissioner does not support the referral; the reason is kept in its history."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(actor, "decline", referral)
    _open_for_assessment(referral)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give the reason the referral is not supported.")
    _check_words("Reason", reason)
    referral.status = Referral.Status.DECLINED
    _record(referral, actor, f"declined: {reason}")
    return referral


def can_decide_regionally(user, referral):
    """The regional team of the referral's region, while the referral is assessed (the decision may change until
    support is commissioned or the referral is not approved)."""
    return referral.status == Referral.Status.ASSESSED and access.can_referral(user, "regional_decision", referral)


@transaction.atomic
def referral_regional_decide(*, referral, actor, decision, reason, base_version):
    """NHS England's regional decision on an assessed self-referral (003 Annex B, "NHS England Assessment and
    Decision"): approved, or not approved, with a reason either way. Only the regional team of the referral's region
    decides, once the commissioner has assessed it. Not approved ends the referral as not supported, the reason
    shown as the decline reason; approved lets resilience-programme support be commissioned from it
    (contracts.services.contract_commission waits for it)."""
    referral = Referral.objects.select_for_update().select_related("practice").get(pk=referral.pk)
    _require(actor, "regional_decision", referral)
    if referral.version != base_version:
        raise StaleEdit("Someone else changed this referral while you were deciding. Nothing of yours was saved.",
                        [("Status", referral.get_status_display()),
                         ("Regional decision", referral.get_regional_decision_display() or "not decided")])
    if referral.status == Referral.Status.SUBMITTED:
        raise DomainError("The commissioner has not assessed this referral yet: the regional decision follows the "
                          "commissioner's assessment.")
    if referral.status != Referral.Status.ASSESSED:
        raise DomainError(f"This referral is {referral.get_status_display().lower()}; the regional decision can no "
                          f"longer be recorded.")
    if decision not in RegionalDecision.values:
        raise DomainError("Choose the regional decision: approved or not approved.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason for the regional decision.")
    _check_words("Reason for the regional decision", reason)
    referral.regional_decision = decision
    referral.regional_reason = reason
    referral.regional_decided_by = actor
    referral.regional_decided_at = timezone.now()
    if decision == RegionalDecision.NOT_APPROVED:
        referral.status = Referral.Status.DECLINED
    _record(referral, actor, f"regional decision: {RegionalDecision(decision).label.lower()}")
    return referral


def waits_for_regional_decision(referral, programme):
    """Why resilience-programme support cannot be commissioned from ``referral`` yet (None: it can). Other
    programmes do not wait for NHS England's regional decision."""
    if referral is None or programme != Programme.RESILIENCE:
        return None
    if referral.regional_decision == RegionalDecision.APPROVED:
        return None
    if referral.regional_decision == RegionalDecision.NOT_APPROVED:
        return "NHS England's regional team did not approve this referral: resilience support cannot be commissioned."
    return ("Commissioning resilience-programme support from this referral waits for NHS England's regional "
            "decision.")


# --- Reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AcknowledgementStatus:
    key: str  # "met", "late", "overdue" or "waiting"
    label: str
    tag_classes: str
    detail: str


def acknowledgement_status(referral, today=None):
    """Where the 10-working-day acknowledgement stands, in words and as an NHS tag colour."""
    today = today or _today()
    due = referral.acknowledgement_due
    if referral.acknowledged_on:
        when = f"Acknowledged on {referral.acknowledged_on:%-d %B %Y}"
        if referral.acknowledgement_met:
            return AcknowledgementStatus("met", "Met", "nhsuk-tag--green", f"{when}, within 10 working days.")
        late = working_days_between(due, referral.acknowledged_on)
        return AcknowledgementStatus("late", "Not met", "nhsuk-tag--red",
                                     f"{when}, {late} working day{'s' if late != 1 else ''} late.")
    if today > due:
        late = working_days_between(due, today)
        return AcknowledgementStatus("overdue", "Overdue", "nhsuk-tag--red",
                                     f"Not yet acknowledged: due {due:%-d %B %Y}, {late} working "
                                     f"day{'s' if late != 1 else ''} ago.")
    left = working_days_between(today, due)
    detail = ("Not yet acknowledged: due today." if left == 0 else
              f"Not yet acknowledged: due by {due:%-d %B %Y} ({left} working day{'s' if left != 1 else ''} left).")
    return AcknowledgementStatus("waiting", "Due today" if left == 0 else "Waiting", "nhsuk-tag--blue", detail)


def decline_reason(referral):
    """The reason given when the referral was declined: NHS England's regional reason when its regional team did not
    approve it, else the commissioner's (kept as its history's change reason)."""
    if referral.status != Referral.Status.DECLINED:
        return ""
    if referral.regional_decision == RegionalDecision.NOT_APPROVED:
        return referral.regional_reason
    record = (referral.history.filter(status=Referral.Status.DECLINED, history_change_reason__startswith="declined: ")
              .order_by("history_date").first())
    return record.history_change_reason.removeprefix("declined: ") if record else ""

