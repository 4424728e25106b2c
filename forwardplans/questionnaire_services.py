"""The confidential staff questionnaire (DESIGN.md §2 step 4, §4).

The contract's RCGP team opens a questionnaire; staff answer through its secret link without
logging in; answers keep no user, no IP address and no time finer than the date. Individual
answers are for the contract's advisers and deputy lead only (resilience.policy); aggregates hide
their detail while there are too few responses to keep anyone anonymous.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from contracts.models import Contract
from resilience.errors import DomainError

from . import permissions
from .models import Questionnaire, QuestionnaireResponse
from .vocabulary import AGREEMENT_SCALE, QUESTIONNAIRE_STATEMENTS

MIN_RESPONSES = 3
MAX_COMMENT_WORDS = 500
SCALE_VALUES = [value for value, _label in AGREEMENT_SCALE]
NOT_ENOUGH = "Not enough responses to report"

can_read_answers = permissions.can_read_answers


def word_count(text):
    return len((text or "").split())


# Writing ----------------------------------------------------------------------------------------

@transaction.atomic
def questionnaire_open(*, contract, actor):
    """The contract's RCGP team opens a staff questionnaire; one may be open per contract at a time."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not permissions.can_run_questionnaire.test(actor, contract):
        raise DomainError("Only the contract’s RCGP team can run a staff questionnaire.")
    if contract.is_ended:
        raise DomainError("This contract has ended, so a staff questionnaire cannot be opened.")
    if contract.questionnaires.filter(closed_at__isnull=True).exists():
        raise DomainError("A staff questionnaire is already open for this contract. Close it before opening "
                          "another.")
    return Questionnaire.objects.create(contract=contract, opened_by=actor)


@transaction.atomic
def questionnaire_close(*, questionnaire, actor):
    """The contract's RCGP team closes the questionnaire: its link stops accepting answers."""
    questionnaire = Questionnaire.objects.select_for_update().select_related("contract").get(pk=questionnaire.pk)
    if not permissions.can_run_questionnaire.test(actor, questionnaire.contract):
        raise DomainError("Only the contract’s RCGP team can close a staff questionnaire.")
    if not questionnaire.is_open:
        raise DomainError("This questionnaire is already closed.")
    questionnaire.closed_at = timezone.now()
    questionnaire.save(update_fields=["closed_at"])
    return questionnaire


def clean_answers(answers):
    """{statement key: 1-5} for every statement, or DomainError naming what is missing or wrong."""
    answers = answers or {}
    cleaned, problems = {}, []
    for key, statement in QUESTIONNAIRE_STATEMENTS:
        value = answers.get(key)
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value not in SCALE_VALUES:
            problems.append(statement)
        else:
            cleaned[key] = value
    if problems:
        raise DomainError("Answer every statement: " + " ".join(problems))
    unknown = set(answers) - set(cleaned)
    if unknown:
        raise DomainError("The answers include statements this questionnaire does not ask.")
    return cleaned


@transaction.atomic
def questionnaire_submit(*, token, answers, comments=""):
    """Store one anonymous response: the answers, the comments and the date only – no user, no IP, no time."""
    questionnaire = Questionnaire.objects.select_for_update().filter(token=token).first() if token else None
    if questionnaire is None:
        raise DomainError("This questionnaire link is not valid.")
    if not questionnaire.is_open:
        raise DomainError("This questionnaire has closed.")
    cleaned = clean_answers(answers)
    comments = (comments or "").strip()
    if word_count(comments) > MAX_COMMENT_WORDS:
        raise DomainError(f"Comments must be {MAX_COMMENT_WORDS} words or fewer.")
    return QuestionnaireResponse.objects.create(questionnaire=questionnaire, answers=cleaned, comments=comments,
                                                received_on=timezone.localdate())


# Reading ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str
    count: int


@dataclass(frozen=True)
class StatementAggregate:
    key: str
    statement: str
    count: int
    mean: Decimal | None           # 1 decimal place; None while too few responses
    distribution: tuple            # ScalePoints 1-5; empty while too few responses

    @property
    def disagree(self):
        return sum(p.count for p in self.distribution if p.value <= 2)

    @property
    def agree(self):
        return sum(p.count for p in self.distribution if p.value >= 4)


@dataclass(frozen=True)
class QuestionnaireAggregates:
    total: int
    too_few: bool
    statements: tuple
    minimum: int = MIN_RESPONSES

    @property
    def message(self):
        return NOT_ENOUGH if self.too_few else ""


def _value(key):
    return Cast(KT(f"answers__{key}"), IntegerField())


def questionnaire_aggregates(questionnaire):
    """Per statement: count, mean (1 dp) and distribution over the scale; plus total responses.

    One aggregate query. With fewer than MIN_RESPONSES responses, only the counts are given and
    ``too_few`` is set, so pages and the report show "Not enough responses to report".
    """
    aggregations = {"total": Count("pk")}
    for key, _statement in QUESTIONNAIRE_STATEMENTS:
        value = _value(key)
        aggregations[f"{key}__count"] = Count("pk", filter=Q(**{f"answers__{key}__isnull": False}))
        aggregations[f"{key}__sum"] = Sum(value)
        for point in SCALE_VALUES:
            aggregations[f"{key}__{point}"] = Count("pk", filter=Q(**{f"answers__{key}": point}))
    row = QuestionnaireResponse.objects.filter(questionnaire=questionnaire).aggregate(**aggregations)
    total = row["total"]
    too_few = total < MIN_RESPONSES
    statements = []
    for key, statement in QUESTIONNAIRE_STATEMENTS:
        count = row[f"{key}__count"]
        if too_few or not count:
            mean, distribution = None, ()
        else:
            mean = (Decimal(row[f"{key}__sum"]) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            distribution = tuple(ScalePoint(value, label, row[f"{key}__{value}"]) for value, label in AGREEMENT_SCALE)
        statements.append(StatementAggregate(key, statement, count, mean, distribution))
    return QuestionnaireAggregates(total=total, too_few=too_few, statements=tuple(statements))


def _quoted(statement):
    return f"‘{statement}’"


def questionnaire_summary_text(questionnaire, aggregates=None):
    """A short plain-text paragraph quoting the aggregates, for the Diagnostic Report's staff opinion section."""
    aggregates = aggregates or questionnaire_aggregates(questionnaire)
    total = aggregates.total
    responded = f"{total} member{'s' if total != 1 else ''} of staff responded to the confidential questionnaire."
    if total == 0:
        return "No staff responded to the confidential questionnaire."
    if aggregates.too_few:
        return f"{responded} {NOT_ENOUGH} (at least {aggregates.minimum} are needed to keep answers anonymous)."
    parts = [responded]
    for item in aggregates.statements:
        if item.mean is None:
            continue
        parts.append(f"{_quoted(item.statement)}: mean {item.mean} of 5 ({item.agree} of {item.count} agree or "
                     f"strongly agree, {item.disagree} of {item.count} disagree or strongly disagree).")
    return " ".join(parts)
