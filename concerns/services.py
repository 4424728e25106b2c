"""Raising a concern under the duty to report, acknowledging it and recording what was done (docs/domain.md §9).

Each service is atomic, checks the actor itself (concerns/access.py) and raises DomainError with a message for the
person. The receivers and the practice hear of a concern through the event-notification path
(forwardplans.events): a neutral title and a link, never the concern's category or text."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts.working_days import add_working_days
from core.errors import DomainError
from core.models import User
from core.pii import find_identifiers
from core.roles import Role
from forwardplans.events import notify

from . import access
from .events import CONCERN_RAISED, PRACTICE_TOLD
from .models import ActionTaken, Category, Concern, ConcernAction

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 1


def _commissioner_ids(contract):
    return [c for c in (contract.commissioner_id, contract.commissioner.parent_id) if c]


def receiver_ids(contract):
    """The active commissioner leads of the contract's commissioner (or its ICB) and the RCGP admins (one query)."""
    return list(User.objects.filter(Q(role=Role.COMMISSIONER_LEAD, commissioner_id__in=_commissioner_ids(contract))
                                    | Q(role=Role.RCGP_ADMIN), is_active=True)
                .order_by("pk").values_list("pk", flat=True))


def practice_lead_ids(contract):
    practices = [contract.practice_id, *contract.practices.values_list("pk", flat=True)]
    return list(User.objects.filter(role=Role.PRACTICE_LEAD, practice_id__in=practices, is_active=True)
                .order_by("pk").values_list("pk", flat=True))


def _required(value, message):
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    return value


@transaction.atomic
def concern_raise(*, contract, actor, category, description, observed_on, people_involved, tell_practice=True,
                  not_told_reason="", confirmed_no_patient_data=False):
    """Record a concern on ``contract`` raised by ``actor`` (its deputy lead or an adviser on its team) and tell the
    receivers whatever the practice has agreed to share; tell the practice's lead(s) that a concern was raised
    unless ``not_told_reason`` says telling them would put someone at risk."""
    refused = access.refusal(actor, "raise", contract)
    if refused:
        raise DomainError(refused)
    if category not in Category.values:
        raise DomainError("Choose what the concern is about.")
    description = _required(description, "Describe what was seen.")
    people_involved = _required(people_involved, "Say who is involved, by role.")
    if observed_on is None:
        raise DomainError("Say when it was seen.")
    today = timezone.localdate()
    if observed_on > today:
        raise DomainError("The date it was seen must be today or in the past.")
    not_told_reason = (not_told_reason or "").strip()
    if not tell_practice and not not_told_reason:
        raise DomainError("Say why telling the practice would put someone at risk, or let the practice be told.")
    if not confirmed_no_patient_data and any(find_identifiers(t) for t in (description, people_involved,
                                                                             not_told_reason)):
        raise DomainError("A concern must not contain patient-identifiable information: describe people by role.")
    concern = Concern(contract=contract, category=category, description=description, observed_on=observed_on,
                      people_involved=people_involved, raised_by=actor,
                      acknowledgement_due=add_working_days(today, ACKNOWLEDGE_WITHIN_WORKING_DAYS),
                      practice_not_told_reason="" if tell_practice else not_told_reason)
    concern._change_reason = "Concern raised"
    concern.save()
    notify(kind=CONCERN_RAISED, contract=contract, actor=actor, recipient_ids=receiver_ids(contract),
           detail={"concern": concern.pk})
    if tell_practice:
        notify(kind=PRACTICE_TOLD, contract=contract, actor=None, recipient_ids=practice_lead_ids(contract),
               detail={})
        concern.practice_told_at = timezone.now()
        concern._change_reason = "Practice told that a concern was raised"
        concern.save(update_fields=["practice_told_at"])
    return concern


def _locked_for_receiver(concern, actor):
    concern = Concern.objects.select_for_update().select_related("contract").get(pk=concern.pk)
    refused = access.refusal(actor, "receive", concern.contract)
    if refused:
        raise DomainError(refused)
    return concern


@transaction.atomic
def concern_acknowledge(*, concern, actor):
    """A receiver acknowledges the concern: who and when are kept."""
    concern = _locked_for_receiver(concern, actor)
    if concern.acknowledged_at is not None:
        raise DomainError("This concern has already been acknowledged.")
    concern.acknowledged_by, concern.acknowledged_at = actor, timezone.now()
    concern._change_reason = "Concern acknowledged"
    concern.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return concern


@transaction.atomic
def concern_record_action(*, concern, actor, action, note="", close=False, confirmed_no_patient_data=False):
    """A receiver records what was done about the concern (acknowledging it, if nobody had); ``close`` ends its
    outcome (the retention job may then delete it with its contract's documents)."""
    concern = _locked_for_receiver(concern, actor)
    if concern.closed_at is not None:
        raise DomainError("This concern is closed: nothing more can be recorded.")
    if action not in ActionTaken.values:
        raise DomainError("Choose what was done.")
    note = (note or "").strip()
    if action == ActionTaken.OTHER and not note:
        raise DomainError("Say what was done.")
    if not confirmed_no_patient_data and find_identifiers(note):
        raise DomainError("The note must not contain patient-identifiable information.")
    now = timezone.now()
    recorded = ConcernAction(concern=concern, action=action, note=note, by=actor)
    recorded._change_reason = "Action recorded"
    recorded.save()
    fields = []
    if concern.acknowledged_at is None:
        concern.acknowledged_by, concern.acknowledged_at = actor, now
        fields += ["acknowledged_by", "acknowledged_at"]
    if close:
        concern.closed_by, concern.closed_at = actor, now
        fields += ["closed_by", "closed_at"]
    if fields:
        concern._change_reason = "Outcome closed" if close else "Concern acknowledged"
        concern.save(update_fields=fields)
    return recorded
