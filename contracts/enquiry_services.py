"""Writes of enquiries: the special-measures offer is made, a conversation recorded, and what came of each.

``enquiry_offer_open`` is called when a practice enters special measures (the alerts of surveillance); it is
idempotent, one offer per special-measures episode. ``enquiry_record`` records an initial conversation (from a
practice, commissioner, CQC or NHSE). ``enquiry_record_reply`` records the outcome of either. An offer's "no reply"
is never recorded: it is derived from ``reply_due`` (contracts/enquiry_models.py), and a late reply can still be
recorded; a conversation's is recorded.

Who may record which outcome, from what (REPLIES below; the rules are contracts/access.py's):

| enquiry      | outcome      | when it is                            | who                          | needs      |
|--------------|--------------|---------------------------------------|------------------------------|------------|
| offer        | accepted     | awaiting a reply, or past it          | RCGP admin; practice lead    | a contract |
| offer        | declined     | awaiting a reply, or past it          | RCGP admin; practice lead    | –          |
| offer        | accepted     | declined (the practice changed mind)  | RCGP admin                   | a contract |
| conversation | accepted     | awaiting, declined, not eligible, n.r.| RCGP admin; deputy leads;    | a contract |
| conversation | declined     | awaiting, or no reply                 | the practice's commissioner  | –          |
| conversation | not eligible | awaiting                              | lead (all four rows)         | –          |
| conversation | no reply     | awaiting                              |                              | –          |

"Accepted" is shown as "became a contract": it names a contract of the practice that answers no other enquiry.

An accepted offer is not changed here: what becomes of the support is its contract's lifecycle (declined by the
practice, withdrawn, ...). An acceptance names the contract the offer became, so the figures count it once: a
practice that says yes before anything is commissioned is recorded when the contract is (the commission page).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError, NotAllowed, StaleEdit
from core.roles import Rule
from practices.models import SpecialMeasuresEpisode

from . import access
from .enquiry_models import CONVERSATION_SOURCES, Enquiry
from .vocabulary import Programme
from .working_days import add_working_days

AWAITING = ""  # no outcome recorded yet: awaiting one, or (an offer) past reply_due ("no reply")
ANSWERERS = access.sees_all | (access.is_practice_lead & access.practice_of_enquiry)
OFFER = frozenset({Enquiry.Source.SPECIAL_MEASURES_OFFER})
CONVERSATION = frozenset(CONVERSATION_SOURCES)
CONVERSATION_WHO = "RCGP admin, a deputy lead or the practice's commissioner lead"


@dataclass(frozen=True)
class Reply:
    outcome: str            # the outcome recorded
    before: frozenset       # the outcome it may follow (AWAITING: none recorded yet)
    who: Rule               # of (user, enquiry)
    who_text: str           # in words, for the refusal
    needs_contract: bool
    sources: frozenset = OFFER  # the enquiries it is recorded on


Out = Enquiry.Outcome
REPLIES = [
    Reply(Out.ACCEPTED, frozenset({AWAITING}), ANSWERERS, "RCGP admin or the practice lead", needs_contract=True),
    Reply(Out.DECLINED, frozenset({AWAITING}), ANSWERERS, "RCGP admin or the practice lead", needs_contract=False),
    Reply(Out.ACCEPTED, frozenset({Out.DECLINED}), access.sees_all, "RCGP admin", needs_contract=True),
    Reply(Out.ACCEPTED, frozenset({AWAITING, Out.DECLINED, Out.NOT_ELIGIBLE, Out.NO_REPLY}),
          access.CONVERSATION_OUTCOME, CONVERSATION_WHO, needs_contract=True, sources=CONVERSATION),
    Reply(Out.DECLINED, frozenset({AWAITING, Out.NO_REPLY}), access.CONVERSATION_OUTCOME, CONVERSATION_WHO,
          needs_contract=False, sources=CONVERSATION),
    Reply(Out.NOT_ELIGIBLE, frozenset({AWAITING}), access.CONVERSATION_OUTCOME, CONVERSATION_WHO,
          needs_contract=False, sources=CONVERSATION),
    Reply(Out.NO_REPLY, frozenset({AWAITING}), access.CONVERSATION_OUTCOME, CONVERSATION_WHO,
          needs_contract=False, sources=CONVERSATION),
]


def replies_for(user, enquiry):
    """The outcomes ``user`` may record on ``enquiry`` now (for the form's choices)."""
    return [reply for reply in REPLIES if enquiry.source in reply.sources and enquiry.outcome in reply.before
            and reply.who.test(user, enquiry)]


def replies_of(enquiry):
    """Every outcome an enquiry of its kind may have (the form's choices when none may be recorded now)."""
    return [reply for reply in REPLIES if enquiry.source in reply.sources]


def _reply(enquiry, outcome, actor):
    kind = "offer" if enquiry.is_offer else "enquiry"
    possible = {reply.outcome for reply in replies_of(enquiry)}
    if outcome not in possible:
        raise DomainError("Select whether the practice accepted or declined the offer" if enquiry.is_offer
                          else "Select what came of the enquiry")
    if not access.can_enquiry(actor, "record_reply", enquiry):
        raise NotAllowed(access.enquiry_refusal(actor, "record_reply", enquiry))
    rows = [reply for reply in replies_of(enquiry) if reply.outcome == outcome and enquiry.outcome in reply.before]
    if not rows:
        if enquiry.outcome == outcome:
            raise DomainError(f"The {kind} already became a contract." if outcome == Out.ACCEPTED
                              else f"The {kind} is already recorded as {Out(outcome).label.lower()}.")
        raise DomainError(f"The {kind} became a contract: its support goes on as its contract's."
                          if enquiry.outcome == Out.ACCEPTED else "That outcome cannot be recorded now.")
    allowed = [reply for reply in rows if reply.who.test(actor, enquiry)]
    if not allowed:
        raise NotAllowed(f"Only {rows[0].who_text} can record that the {kind} "
                         f"{'became a contract' if outcome == Out.ACCEPTED else 'was ' + Out(outcome).label.lower()} "
                         f"after it was {enquiry.get_outcome_display().lower()}.")
    return allowed[0]


def _changes(locked, base_version):
    """What someone else saved since ``base_version``: (label, value now saved)."""
    base = (locked.history.filter(version=base_version).order_by("-history_date", "-history_id").first()
            if base_version else None)
    now = [("Outcome", locked.get_outcome_display() or "None recorded"),
           ("Recorded as of", f"{locked.outcome_on:%-d %B %Y}" if locked.outcome_on else ""),
           ("Contract", locked.contract.reference if locked.contract_id else "")]
    if base is None:
        return now
    before = {"Outcome": base.outcome, "Recorded as of": base.outcome_on, "Contract": base.contract_id}
    after = {"Outcome": locked.outcome, "Recorded as of": locked.outcome_on, "Contract": locked.contract_id}
    return [(label, value) for label, value in now if before[label] != after[label]] or now


def _contract_for(enquiry, contract, actor):
    if contract is None:
        raise DomainError(f"Choose the contract the {'offer' if enquiry.is_offer else 'enquiry'} became (a contract "
                          f"for {enquiry.practice.name}). If there is none yet, commission it first.")
    in_practice = (contract.practice_id == enquiry.practice_id
                   or contract.practices.filter(pk=enquiry.practice_id).exists())
    if not in_practice or not access.contracts_for(actor).filter(pk=contract.pk).exists():
        raise DomainError(f"Choose a contract for {enquiry.practice.name}: contract {contract.reference} is not "
                          "one of its contracts that you can see.")
    other = Enquiry.objects.filter(contract=contract).exclude(pk=enquiry.pk).first()
    if other is not None:
        raise DomainError(f"Contract {contract.reference} already answers another enquiry (opened "
                          f"{other.opened_on:%-d %B %Y}): one contract answers one enquiry.")
    return contract


def _saved(locked, actor, reason, fields):
    locked.version += 1
    locked._change_reason = reason[:100]
    locked._history_user = actor
    locked.save(update_fields=[*fields, "version"])
    return locked


@transaction.atomic
def enquiry_offer_open(*, episode, actor=None, on=None):
    """The special-measures offer for ``episode`` (idempotent: a second call returns the offer already made).

    Made on ``on`` (default today), never before the episode began nor after it ended; the reply is due
    OFFER_REPLY_WORKING_DAYS working days later (England's bank holidays excluded). Episodes are derived again when
    a newer inspection arrives, which replaces their rows: an offer already made to the practice since this episode
    began, whose episode has gone, is the same offer and is linked to this one."""
    existing = Enquiry.objects.filter(source=Enquiry.Source.SPECIAL_MEASURES_OFFER, episode=episode).first()
    if existing is not None:
        return existing
    if episode.stage != SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES:
        raise DomainError("The offer is made to practices in special measures, not in the six months to improve.")
    orphan = (Enquiry.objects.select_for_update()
              .filter(source=Enquiry.Source.SPECIAL_MEASURES_OFFER, practice_id=episode.practice_id,
                      episode__isnull=True, opened_on__gte=episode.started_on).order_by("opened_on", "pk").first())
    if orphan is not None:
        orphan.episode = episode
        return _saved(orphan, actor, "linked to the episode derived again", ["episode"])
    opened_on = max(on or timezone.localdate(), episode.started_on)
    if episode.ended_on is not None and opened_on > episode.ended_on:
        # An offer made while it lasted may still be recorded (``on``), say from the programme's own records.
        raise DomainError("The practice had left special measures by then: no offer is made for an episode that "
                          "has ended.")
    enquiry = Enquiry(practice_id=episode.practice_id, source=Enquiry.Source.SPECIAL_MEASURES_OFFER,
                      episode=episode, opened_on=opened_on,
                      reply_due=add_working_days(opened_on, settings.OFFER_REPLY_WORKING_DAYS))
    enquiry._change_reason, enquiry._history_user = "special-measures offer made", actor
    try:
        with transaction.atomic():
            enquiry.save()
    except IntegrityError:  # made at the same moment by another caller (one_offer_per_episode)
        return Enquiry.objects.get(episode=episode)
    return enquiry


@transaction.atomic
def enquiry_record(*, practice, source, programme, opened_on, asked, contact_name="", actor):
    """Record an initial conversation about support (``source``: practice, commissioner, CQC or NHSE) held on
    ``opened_on`` about ``practice`` and ``programme``: what was asked, and who got in touch. Its outcome is
    recorded later (``enquiry_record_reply``)."""
    if not access.can_enquiry(actor, "record"):
        raise NotAllowed(access.enquiry_refusal(actor, "record"))
    if practice is None:
        raise DomainError("Choose the practice the enquiry is about")
    if not access.may_record_enquiry_for(actor, practice):
        raise NotAllowed(f"{practice.name} is not one of your commissioner's practices: only its own commissioner "
                         "lead, RCGP programme admin or a deputy lead can record an enquiry about it.")
    if source not in CONVERSATION_SOURCES:
        raise DomainError("Select who got in touch: the practice, the commissioner, CQC or NHS England")
    if programme not in Programme.values:
        raise DomainError("Select the support asked about")
    if not isinstance(opened_on, datetime.date):
        raise DomainError("Enter the date of the conversation")
    if opened_on > timezone.localdate():
        raise DomainError("The date of the conversation must be today or in the past")
    asked = (asked or "").strip()
    if not asked:
        raise DomainError("Enter what was asked")
    enquiry = Enquiry(practice=practice, source=source, programme=programme, opened_on=opened_on, asked=asked,
                      contact_name=" ".join((contact_name or "").split())[:200])
    enquiry._change_reason, enquiry._history_user = "enquiry recorded", actor
    enquiry.save()
    return enquiry


@transaction.atomic
def enquiry_record_reply(*, enquiry, outcome, on, contract=None, version, actor):
    """Record what came of the enquiry on ``on``: an offer's reply (accepted, naming the contract the offer
    became; or declined), or a conversation's outcome (became a contract, naming it; declined; not eligible; no
    reply), if nobody changed the enquiry since ``version``."""
    locked = Enquiry.objects.select_for_update(of=("self",)).select_related("practice").get(pk=enquiry.pk)
    kind = "offer" if locked.is_offer else "enquiry"
    if version is None or locked.version != version:
        raise StaleEdit(f"Someone else recorded what came of this {kind} while you were on the page. Nothing of "
                        "yours was saved; what they recorded is shown below. Check it, then try again.",
                        _changes(locked, version))
    reply = _reply(locked, outcome, actor)
    subject = "the date the practice replied" if locked.is_offer else "the date of the outcome"
    if not isinstance(on, datetime.date):
        raise DomainError(f"Enter {subject}")
    if on > timezone.localdate():
        raise DomainError(f"{subject.capitalize()} must be today or in the past")
    if on < locked.opened_on:
        raise DomainError(f"{subject.capitalize()} must be on or after the {kind} was "
                          f"{'made' if locked.is_offer else 'recorded'} ({locked.opened_on:%-d %B %Y})")
    if reply.needs_contract:
        locked.contract = _contract_for(locked, contract, actor)
    elif contract is not None:
        raise DomainError(f"A {Out(outcome).label.lower()} {kind} has no contract: leave the contract empty.")
    else:
        locked.contract = None
    previous = locked.outcome
    locked.outcome, locked.outcome_on, locked.recorded_by = reply.outcome, on, actor
    reason = f"{'reply' if locked.is_offer else 'outcome'} recorded: {reply.outcome}" + (
        f" (was {previous})" if previous else "")
    _saved(locked, actor, reason, ["outcome", "outcome_on", "contract", "recorded_by"])
    for name in ("outcome", "outcome_on", "contract", "recorded_by", "version"):
        setattr(enquiry, name, getattr(locked, name))
    return locked
