"""Writes of the evaluation at closure: the practice's feedback, the advisers' reflections and case studies.

Each service is atomic, checks its actor through evaluation/access.py whatever the page showed, and raises
DomainError (core.errors) with a message for the person, saving nothing. A change carries the version it started
from; a stale one is refused with what changed (StaleEdit)."""

from django.db import transaction
from django.utils import timezone

from contracts.models import Contract
from contracts.vocabulary import SupportCategory
from core.errors import DomainError, NotAllowed, StaleEdit
from core.versions import save_changes
from forwardplans.vocabulary import AGREEMENT_SCALE

from . import access
from .models import CaseStudy, PracticeFeedback, Reflection
from .vocabulary import PRACTICE_FEEDBACK_STATEMENTS, CaseStudyStatus, Naming

STALE = ("Someone else changed {what} while you were changing it. Nothing of yours was saved; what they changed "
         "is shown below. Check it, then try again.")
MAX_TEXT = 10000
SCALE = dict(AGREEMENT_SCALE)
NAMING_NEEDED = ("Say whether the practice chose to be named or anonymised in the case study: it is the practice's "
                 "choice, and a case study cannot be saved without it.")
FEEDBACK_LABELS = {"answers": "Answers", "went_well": "What went well", "could_be_better": "What could be better"}
REFLECTION_LABELS = {"what_worked": "What worked", "what_did_not": "What did not work", "lessons": "Lessons"}
CASE_STUDY_LABELS = {"support_category": "Support category", "naming": "The practice's choice", "title": "Title",
                     "summary": "Summary", "what_worked": "What worked", "what_did_not": "What did not work",
                     "status": "Status"}


def _text(value, label, *, required=True, limit=MAX_TEXT):
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {label}.")
    if len(value) > limit:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer.")
    return value


def _stale(locked, base_version, labels, what):
    if base_version is None or locked.version != base_version:
        changes = [(label, _shown(locked, name)) for name, label in labels.items()]
        raise StaleEdit(STALE.format(what=what), changes)


def _shown(record, name):
    display = getattr(record, f"get_{name}_display", None)
    if display:
        return display()
    value = getattr(record, name)
    if isinstance(value, dict):
        return ", ".join(f"{SCALE.get(v, v)}" for v in value.values())
    return value


def _save_changes(locked, values, actor, reason):
    return save_changes(locked, values, actor=actor, unchanged="Nothing was changed, so nothing was saved.",
                        reason=reason)


def _locked_contract(contract):
    return Contract.objects.select_for_update().select_related("practice", "commissioner").get(pk=contract.pk)


# The practice's feedback -------------------------------------------------------------------------------------------

def clean_feedback_answers(answers):
    """{statement key: 1-5} for every statement, or DomainError naming what is missing."""
    answers = answers or {}
    cleaned, missing = {}, []
    for key, statement in PRACTICE_FEEDBACK_STATEMENTS:
        try:
            value = int(answers.get(key))
        except (TypeError, ValueError):
            value = None
        if value not in SCALE:
            missing.append(statement)
        else:
            cleaned[key] = value
    if missing:
        raise DomainError("Answer every statement: " + " ".join(missing))
    if set(answers) - set(cleaned):
        raise DomainError("The answers include statements this feedback does not ask.")
    return cleaned


@transaction.atomic
def practice_feedback_give(*, contract, actor, answers, went_well="", could_be_better="", base_version=None):
    """The practice lead gives the practice's feedback at closure, or changes it (from ``base_version``)."""
    contract = _locked_contract(contract)
    refusal = access.refusal(actor, "give_feedback", contract)
    if refusal:
        raise NotAllowed(refusal)
    values = {"answers": clean_feedback_answers(answers),
              "went_well": _text(went_well, "what went well", required=False),
              "could_be_better": _text(could_be_better, "what could have been better", required=False)}
    existing = PracticeFeedback.objects.select_for_update().filter(contract=contract).first()
    if existing is None:
        if base_version is not None:
            raise DomainError("The page was out of date: look at it again and try again.")
        feedback = PracticeFeedback(contract=contract, given_by=actor, **values)
        feedback._change_reason, feedback._history_user = "given", actor
        feedback.save()
        return feedback
    _stale(existing, base_version, FEEDBACK_LABELS, "the practice's feedback")
    return _save_changes(existing, values, actor, "changed")


# Reflections -------------------------------------------------------------------------------------------------------

@transaction.atomic
def reflection_save(*, contract, actor, what_worked, what_did_not, lessons, base_version=None):
    """An adviser (or the deputy lead) writes their own reflection on the contract, or changes it."""
    contract = _locked_contract(contract)
    refusal = access.refusal(actor, "reflect", contract)
    if refusal:
        raise NotAllowed(refusal)
    values = {"what_worked": _text(what_worked, "what worked"),
              "what_did_not": _text(what_did_not, "what did not work"),
              "lessons": _text(lessons, "the lessons")}
    existing = Reflection.objects.select_for_update().filter(contract=contract, author=actor).first()
    if existing is None:
        if base_version is not None:
            raise DomainError("The page was out of date: look at it again and try again.")
        reflection = Reflection(contract=contract, author=actor, **values)
        reflection._change_reason, reflection._history_user = "written", actor
        reflection.save()
        return reflection
    _stale(existing, base_version, REFLECTION_LABELS, "your reflection")
    return _save_changes(existing, values, actor, "changed")


# Case studies ------------------------------------------------------------------------------------------------------

def _case_study_values(*, support_category, naming, title, summary, what_worked, what_did_not, status):
    if naming not in Naming.values:
        raise DomainError(NAMING_NEEDED)
    if support_category not in SupportCategory.values:
        raise DomainError("Choose the support category the case study is about.")
    if status not in CaseStudyStatus.values:
        raise DomainError("Say whether the case study is a draft or final.")
    return {"support_category": support_category, "naming": naming,
            "title": _text(title, "a title", limit=200), "summary": _text(summary, "a summary"),
            "what_worked": _text(what_worked, "what worked"),
            "what_did_not": _text(what_did_not, "what did not work"), "status": status}


@transaction.atomic
def case_study_create(*, contract, actor, support_category, naming, title, summary, what_worked, what_did_not,
                      status=CaseStudyStatus.DRAFT):
    """The contract's RCGP team or its commissioner drafts a case study, with the practice's naming choice."""
    contract = _locked_contract(contract)
    refusal = access.refusal(actor, "draft_case_study", contract)
    if refusal:
        raise NotAllowed(refusal)
    values = _case_study_values(support_category=support_category, naming=naming, title=title, summary=summary,
                                what_worked=what_worked, what_did_not=what_did_not, status=status)
    case_study = CaseStudy(contract=contract, created_by=actor, created_on=timezone.localdate(), **values)
    case_study._change_reason, case_study._history_user = "drafted", actor
    case_study.save()
    return case_study


@transaction.atomic
def case_study_update(*, case_study, actor, base_version, **fields):
    """Change a case study if nobody changed it since ``base_version``."""
    unknown = set(fields) - set(CASE_STUDY_LABELS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    locked = CaseStudy.objects.select_for_update().select_related("contract").get(pk=case_study.pk)
    refusal = access.case_study_refusal(actor, "edit", locked)
    if refusal:
        raise NotAllowed(refusal)
    _stale(locked, base_version, CASE_STUDY_LABELS, "this case study")
    values = _case_study_values(**{name: fields.get(name, getattr(locked, name)) for name in CASE_STUDY_LABELS})
    return _save_changes(locked, values, actor, "changed")


@transaction.atomic
def case_study_choose_naming(*, case_study, actor, naming, base_version):
    """The practice lead changes the practice's choice to be named or anonymised (the choice is the practice's)."""
    locked = CaseStudy.objects.select_for_update().select_related("contract").get(pk=case_study.pk)
    refusal = access.case_study_refusal(actor, "choose_naming", locked)
    if refusal:
        raise NotAllowed(refusal)
    if naming not in Naming.values:
        raise DomainError(NAMING_NEEDED)
    _stale(locked, base_version, {"naming": CASE_STUDY_LABELS["naming"]}, "this case study")
    return _save_changes(locked, {"naming": naming}, actor, "the practice's choice")
