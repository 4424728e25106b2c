"""The confidential staff questionnaire (docs/domain.md §6.4, §8).

The contract's RCGP team opens a questionnaire. The practice invites its staff: each e-mail address gets a
single-use link (sent by a background job), and staff without one get a printed single-use code. Staff answer
without logging in; each invitation lets in one response. Answers keep no user, no IP address, no invitation
and no time finer than the date. Only the practice sees invitations (the RCGP team sees counts), so no one who
reads the answers holds a spare way in. Individual answers are for the contract's advisers and deputy lead only
(forwardplans/access.py); aggregates hide their detail while there are too few responses to keep anyone anonymous.
"""

import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import salted_hmac

from contracts.models import Contract
from contracts.workflow import State
from core.errors import DomainError

from . import outbox, permissions
from .ical import hash_token
from .models import InvitationKind, InvitationStatus, Questionnaire, QuestionnaireInvitation, QuestionnaireResponse
from .vocabulary import AGREEMENT_SCALE, QUESTIONNAIRE_STATEMENTS, STATEMENTS_BY_PURPOSE

MIN_RESPONSES = 3
MAX_COMMENT_WORDS = 500
SCALE_VALUES = [value for value, _label in AGREEMENT_SCALE]
NOT_ENOUGH = "Not enough responses to report"

can_read_answers = permissions.can_read_answers
can_invite_staff = permissions.can_invite_staff

SEND_INVITATIONS_TASK = "forwardplans.tasks.send_questionnaire_invitations"
MAX_INVITATIONS = 500          # per questionnaire: far more than any practice's staff
MAX_CODES_AT_ONCE = 100
MAX_ADDRESS_LENGTH = QuestionnaireInvitation._meta.get_field("email").max_length
# Codes are typed from paper: Crockford's base32 (no I, L, O or U), 16 characters = 80 bits, in groups of 4.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def word_count(text):
    return len((text or "").split())


# Writing ----------------------------------------------------------------------------------------

DIAGNOSTIC = Questionnaire.Purpose.DIAGNOSTIC
CLOSURE_FEEDBACK = Questionnaire.Purpose.CLOSURE_FEEDBACK
# Staff feedback on the support is asked at closure: once the contract has been handed over, or closed after that
# (a side exit delivered no support to give feedback on).
CLOSURE_STATES = frozenset({State.HANDED_OVER, State.CLOSED})


def statements_of(questionnaire_or_purpose):
    """The (key, statement) pairs a questionnaire (or a purpose) asks."""
    purpose = getattr(questionnaire_or_purpose, "purpose", questionnaire_or_purpose)
    return STATEMENTS_BY_PURPOSE[purpose]


def may_take_answers(questionnaire, contract):
    """Whether the contract's state lets the questionnaire invite staff: a diagnostic one while the contract is live;
    a closure feedback one at closure."""
    if questionnaire.purpose == CLOSURE_FEEDBACK:
        return contract.state in CLOSURE_STATES
    return not contract.is_ended


@transaction.atomic
def questionnaire_open(*, contract, actor, purpose=DIAGNOSTIC):
    """The contract's RCGP team opens a staff questionnaire (diagnostic, while the contract is live) or asks its
    staff for anonymous feedback on the support (closure feedback, at closure); one of each may be open at a time."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if purpose not in Questionnaire.Purpose.values:
        raise DomainError("Unknown kind of staff questionnaire.")
    if not permissions.can_run_questionnaire.test(actor, contract):
        raise DomainError("Only the contract’s RCGP team can run a staff questionnaire.")
    if purpose == CLOSURE_FEEDBACK:
        if contract.state not in CLOSURE_STATES:
            raise DomainError("Staff feedback on the support is asked at closure: once the contract has been handed "
                              "over or closed.")
    elif contract.is_ended:
        raise DomainError("This contract has ended, so a staff questionnaire cannot be opened.")
    if contract.questionnaires.filter(purpose=purpose, closed_at__isnull=True).exists():
        what = "staff feedback questionnaire" if purpose == CLOSURE_FEEDBACK else "staff questionnaire"
        raise DomainError(f"A {what} is already open for this contract. Close it before opening another.")
    return Questionnaire.objects.create(contract=contract, opened_by=actor, purpose=purpose)


@transaction.atomic
def questionnaire_close(*, questionnaire, actor):
    """The contract's RCGP team closes the questionnaire: no invitation lets anyone in any more, e-mails not
    yet sent are not sent, and every staff e-mail address is forgotten."""
    questionnaire = Questionnaire.objects.select_for_update().select_related("contract").get(pk=questionnaire.pk)
    if not permissions.can_run_questionnaire.test(actor, questionnaire.contract):
        raise DomainError("Only the contract’s RCGP team can close a staff questionnaire.")
    if not questionnaire.is_open:
        raise DomainError("This questionnaire is already closed.")
    questionnaire.closed_at = timezone.now()
    questionnaire.save(update_fields=["closed_at"])
    # The addresses were only needed to send the invitations; nobody can answer now.
    invitations = questionnaire.invitations.all()
    invitations.filter(status=InvitationStatus.PENDING).update(status=InvitationStatus.NOT_SENT)
    invitations.exclude(email="", address_key="", error="").update(email="", address_key="", error="")
    return questionnaire


def clean_answers(answers, statements=QUESTIONNAIRE_STATEMENTS):
    """{statement key: 1-5} for every statement, or DomainError naming what is missing or wrong."""
    answers = answers or {}
    cleaned, problems = {}, []
    for key, statement in statements:
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


# Invitations ------------------------------------------------------------------------------------

def new_code():
    """A fresh secret: CODE_LENGTH characters of CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code):
    """'ABCDEFGHJKMNPQRS' -> 'ABCD-EFGH-JKMN-PQRS', for printing and links."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text):
    """The code as stored (hashed), from what someone typed or the link held: case, spaces and hyphens are
    ignored, and O, I and L read as 0, 1 and 1. None if it cannot be a code."""
    code = "".join((text or "").upper().split()).replace("-", "").translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def invitation_hash(code):
    return hash_token(code)


def find_invitation(text):
    """The invitation a typed code or link token opens (any state), or None."""
    code = normalise_code(text)
    if code is None:
        return None
    return (QuestionnaireInvitation.objects.select_related("questionnaire__contract__practice")
            .filter(token_hash=invitation_hash(code)).first())


def _questionnaire_for_inviting(questionnaire, actor):
    """The questionnaire, locked (so closing waits for new invitations, and they for it), if ``actor`` may
    invite staff to it now."""
    questionnaire = (Questionnaire.objects.select_for_update(of=("self",)).select_related("contract")
                     .get(pk=questionnaire.pk))
    if not permissions.can_invite_staff.test(actor, questionnaire.contract):
        raise DomainError("Only the practice can invite its staff to the questionnaire.")
    if not questionnaire.is_open:
        raise DomainError("This questionnaire has closed, so no more staff can be invited.")
    if not may_take_answers(questionnaire, questionnaire.contract):
        raise DomainError("This contract has ended, so no more staff can be invited.")
    return questionnaire


def _room_for(questionnaire, adding):
    if questionnaire.invitations.count() + adding > MAX_INVITATIONS:
        raise DomainError(f"A questionnaire can have at most {MAX_INVITATIONS} invitations.")


def address_key(questionnaire, address):
    """A keyed hash of an address within one questionnaire: tells "invited before" without keeping the address."""
    return salted_hmac("forwardplans.questionnaire_invitation", f"{questionnaire.pk}:{address.lower()}",
                       algorithm="sha256").hexdigest()


def split_addresses(text):
    """The addresses in pasted text: one per line, or separated by commas, semicolons or spaces."""
    for separator in ",;":
        text = text.replace(separator, " ")
    return text.split()


@dataclass(frozen=True)
class Invited:
    invited: tuple          # addresses that will be sent an invitation
    already: tuple          # addresses that already have one (not sent again)


@transaction.atomic
def questionnaire_invite_by_email(*, questionnaire, addresses, actor):
    """The practice invites staff by e-mail: each new address gets a single-use link, sent after commit by a
    background job. An address invited before (even one already used, whose address is gone) is not sent
    another; one that could not be sent to may be tried again. Any address that is not valid refuses the lot
    (DomainError naming them), so nothing is half done."""
    questionnaire = _questionnaire_for_inviting(questionnaire, actor)
    seen, wanted, bad = set(), [], []
    for raw in addresses:
        address = raw.strip().strip("<>").strip()
        if not address:
            continue
        try:
            validate_email(address)
            if len(address) > MAX_ADDRESS_LENGTH:
                raise ValidationError("too long")
        except ValidationError:
            bad.append(raw.strip()[:100])
            continue
        local, _at, domain = address.rpartition("@")
        address = f"{local}@{domain.lower()}"
        if address.lower() not in seen:
            seen.add(address.lower())
            wanted.append(address)
    if bad:
        raise DomainError("These are not valid e-mail addresses: " + ", ".join(bad[:20])
                          + (f" and {len(bad) - 20} more" if len(bad) > 20 else "") + ".")
    if not wanted:
        raise DomainError("Enter at least one e-mail address.")
    keys = {address: address_key(questionnaire, address) for address in wanted}
    kept = set(questionnaire.invitations.filter(address_key__in=keys.values()).values_list("address_key", flat=True))
    already = tuple(a for a in wanted if keys[a] in kept)
    new = [a for a in wanted if keys[a] not in kept]
    _room_for(questionnaire, len(new))
    invitations = QuestionnaireInvitation.objects.bulk_create([
        QuestionnaireInvitation(questionnaire=questionnaire, kind=InvitationKind.EMAIL, email=address,
                                address_key=keys[address]) for address in new])
    if invitations:
        outbox.enqueue(SEND_INVITATIONS_TASK, [invitation.pk for invitation in invitations])
    return Invited(invited=tuple(new), already=already)


@transaction.atomic
def questionnaire_issue_codes(*, questionnaire, count, actor):
    """The practice asks for ``count`` printable single-use codes, for staff without an e-mail address.
    Returns the codes (formatted for printing): they are shown this once and only their hashes are kept."""
    questionnaire = _questionnaire_for_inviting(questionnaire, actor)
    if not isinstance(count, int) or not 1 <= count <= MAX_CODES_AT_ONCE:
        raise DomainError(f"Ask for between 1 and {MAX_CODES_AT_ONCE} codes.")
    _room_for(questionnaire, count)
    codes = [new_code() for _ in range(count)]
    QuestionnaireInvitation.objects.bulk_create([
        QuestionnaireInvitation(questionnaire=questionnaire, kind=InvitationKind.CODE, status=InvitationStatus.PRINTED,
                                token_hash=invitation_hash(code)) for code in codes])
    return [format_code(code) for code in codes]


# Answering --------------------------------------------------------------------------------------

ALREADY_USED = "This invitation has already been used to answer the questionnaire."


@transaction.atomic
def questionnaire_submit(*, token, answers, comments=""):
    """Store one anonymous response through a single-use invitation (its link token or typed code).

    The invitation is marked used by a conditional UPDATE in the same transaction, so of two submissions at
    once only one counts. The response keeps the answers, the comments and the date only: no user, no IP, no
    time and no link to the invitation; the invitation keeps only that it was used (its address is cleared).
    """
    invitation = find_invitation(token)
    if invitation is None:
        raise DomainError("This questionnaire link or code is not valid.")
    # The questionnaire's lock orders this against closing it.
    questionnaire = Questionnaire.objects.select_for_update().get(pk=invitation.questionnaire_id)
    if not questionnaire.is_open:
        raise DomainError("This questionnaire has closed.")
    cleaned = clean_answers(answers, statements_of(questionnaire))
    comments = (comments or "").strip()
    if word_count(comments) > MAX_COMMENT_WORDS:
        raise DomainError(f"Comments must be {MAX_COMMENT_WORDS} words or fewer.")
    if not QuestionnaireInvitation.objects.filter(pk=invitation.pk, used=False).update(used=True, email=""):
        raise DomainError(ALREADY_USED)
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
    statements_asked = statements_of(questionnaire)
    aggregations = {"total": Count("pk")}
    for key, _statement in statements_asked:
        value = _value(key)
        aggregations[f"{key}__count"] = Count("pk", filter=Q(**{f"answers__{key}__isnull": False}))
        aggregations[f"{key}__sum"] = Sum(value)
        for point in SCALE_VALUES:
            aggregations[f"{key}__{point}"] = Count("pk", filter=Q(**{f"answers__{key}": point}))
    row = QuestionnaireResponse.objects.filter(questionnaire=questionnaire).aggregate(**aggregations)
    total = row["total"]
    too_few = total < MIN_RESPONSES
    statements = []
    for key, statement in statements_asked:
        count = row[f"{key}__count"]
        if too_few or not count:
            mean, distribution = None, ()
        else:
            mean = (Decimal(row[f"{key}__sum"]) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            distribution = tuple(ScalePoint(value, label, row[f"{key}__{value}"]) for value, label in AGREEMENT_SCALE)
        statements.append(StatementAggregate(key, statement, count, mean, distribution))
    return QuestionnaireAggregates(total=total, too_few=too_few, statements=tuple(statements))


@dataclass(frozen=True)
class InvitationCounts:
    invited: int        # e-mails waiting or sent, and printed codes
    answered: int       # invitations used
    emails: int = 0     # of those invited, by e-mail
    codes: int = 0      # of those invited, with a printed code
    waiting: int = 0    # e-mails not sent yet
    failed: int = 0     # e-mails that could not be sent


def invitation_counts(questionnaire):
    """How many staff were invited and how many answered: numbers only, for the RCGP team and the practice."""
    row = QuestionnaireInvitation.objects.filter(questionnaire=questionnaire).aggregate(
        emails=Count("pk", filter=Q(kind=InvitationKind.EMAIL) & ~Q(status__in=[InvitationStatus.FAILED,
                                                                                InvitationStatus.NOT_SENT])),
        codes=Count("pk", filter=Q(kind=InvitationKind.CODE)),
        answered=Count("pk", filter=Q(used=True)),
        waiting=Count("pk", filter=Q(status__in=[InvitationStatus.PENDING, InvitationStatus.SENDING])),
        failed=Count("pk", filter=Q(status=InvitationStatus.FAILED)),
    )
    return InvitationCounts(invited=row["emails"] + row["codes"], **row)


def _quoted(statement):
    return f"‘{statement}’"


def questionnaire_summary_text(questionnaire, aggregates=None):
    """A short plain-text paragraph quoting the aggregates, for the Diagnostic Report's staff opinion section."""
    aggregates = aggregates or questionnaire_aggregates(questionnaire)
    total = aggregates.total
    what = ("the anonymous feedback questionnaire" if questionnaire.purpose == CLOSURE_FEEDBACK
            else "the confidential questionnaire")
    responded = f"{total} member{'s' if total != 1 else ''} of staff responded to {what}."
    if total == 0:
        return f"No staff responded to {what}."
    if aggregates.too_few:
        return f"{responded} {NOT_ENOUGH} (at least {aggregates.minimum} are needed to keep answers anonymous)."
    parts = [responded]
    for item in aggregates.statements:
        if item.mean is None:
            continue
        parts.append(f"{_quoted(item.statement)}: mean {item.mean} of 5 ({item.agree} of {item.count} agree or "
                     f"strongly agree, {item.disagree} of {item.count} disagree or strongly disagree).")
    return " ".join(parts)
