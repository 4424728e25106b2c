"""Write operations on contracts: commissioning, the workflow, first contact, teams and outcomes.

Each service is atomic, checks who is acting, and raises DomainError with a message for the user.
"""

import re

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from core.errors import DomainError
from core.roles import is_deputy_lead, is_rcgp_admin
from practices import access as practice_access
from practices.models import Practice

from . import access
from .models import Adviser, ConflictOfInterest, Contract, ContractTransition, Referral, TeamMembership
from .referral_services import waits_for_regional_decision
from .vocabulary import Closure, EndReason
from .workflow import ENDED_STATES, LIVE_STATES, State

FOLLOW_ON = re.compile(r"^(?P<base>.*?\d)(?P<letter>[A-Z]?)$")


def _require(actor, verb, contract=None):
    """Refuse, with its reason, a verb the actor may not do (contracts/access.py says who may)."""
    refused = access.refusal(actor, verb, contract)
    if refused:
        raise DomainError(refused)


def contract_lock(contract):
    """The contract's row, locked for the rest of the transaction (every change of a contract takes it first)."""
    return (Contract.objects.select_for_update(of=("self",)).select_related("practice", "commissioner")
            .get(pk=contract.pk))


def _record(contract, from_state, to_state, actor, note="", effective_on=None):
    ContractTransition.objects.create(contract=contract, from_state=from_state, to_state=to_state, by=actor,
                                      note=note, effective_on=effective_on or timezone.localdate())


def next_reference(parent=None):
    """The next free reference: the next number, or the parent's next letter (31 → 31A → 31B)."""
    if parent is not None:
        match = FOLLOW_ON.match(parent.reference)
        base = match["base"] if match else parent.reference
        letter = match["letter"] if match else ""
        candidate = chr(ord(letter) + 1) if letter else "A"
        while Contract.objects.filter(reference=f"{base}{candidate}").exists():
            candidate = chr(ord(candidate) + 1)
        return f"{base}{candidate}"
    plain = Contract.objects.filter(reference__regex=r"^[0-9]+$").values_list("reference", flat=True)
    numbers = [int(r) for r in plain]
    return str(max(numbers, default=0) + 1)


@transaction.atomic
def contract_commission(*, actor, practice, programme, commissioned_on, categories=(), group_practices=(),
                        referral=None, parent=None, reference=None, **terms):
    """A commissioner lead commissions support for one practice (or a group) of their commissioner. Resilience-
    programme support from a self-referral waits for NHS England's regional approval (003 Annex B).

    ``terms`` are the funding, agreement dates and objectives fields of Contract. The rating
    before is taken from the practice's latest published inspection at commissioning.
    """
    _require(actor, "commission")
    visible = practice_access.practices_for(actor)
    if not visible.filter(pk=practice.pk).exists():
        raise DomainError("You can only commission support for your own commissioner's practices.")
    group = list(group_practices)
    if any(not visible.filter(pk=p.pk).exists() for p in group):
        raise DomainError("Every practice in the group must be one of your commissioner's practices.")
    if parent is not None and not access.contracts_for(actor).filter(pk=parent.pk).exists():
        raise DomainError("The contract this follows on from was not found.")
    if referral is not None:
        # The decision as saved now (locked), not as the page that sent the form saw it.
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        waiting = waits_for_regional_decision(referral, programme)
        if waiting:
            raise DomainError(waiting)
    reference = (reference or "").strip() or next_reference(parent)
    if Contract.objects.filter(reference=reference).exists():
        raise DomainError(f"Contract reference {reference} is already used.")
    current = Practice.objects.with_current_rating().get(pk=practice.pk)
    contract = Contract.objects.create(
        reference=reference, parent=parent, practice=practice, commissioner=practice.commissioner,
        referral=referral, programme=programme, categories=list(categories), commissioned_on=commissioned_on,
        commissioned_by=actor, state=State.COMMISSIONED,
        rating_before=current.current_rating or "", in_special_measures_before=current.special_measures.active,
        **terms,
    )
    contract.practices.set([p for p in group if p.pk != practice.pk])
    if referral is not None:
        Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.ACCEPTED, version=F("version") + 1)
    _record(contract, "", State.COMMISSIONED, actor, "Commissioned", commissioned_on)
    return contract


def contract_set_lead(*, contract, deputy_lead, actor):
    """Make ``deputy_lead`` lead the locked contract: a deputy lead takes a contract without a lead, or RCGP admin
    gives (or changes) the lead. The stage move that goes with it is the case lifecycle's."""
    if not is_deputy_lead(deputy_lead):
        raise DomainError(f"{deputy_lead} is not an RCGP deputy lead.")
    taking = is_deputy_lead(actor) and actor.pk == deputy_lead.pk
    if not (taking or is_rcgp_admin(actor)):
        raise DomainError("Only RCGP admin can give the lead to someone else.")
    if contract.deputy_lead_id and not is_rcgp_admin(actor):
        raise DomainError("This contract already has a deputy lead.")
    if contract.deputy_lead_id == deputy_lead.pk:
        raise DomainError(f"{deputy_lead.get_full_name() or deputy_lead.username} already leads this contract.")
    contract.deputy_lead = deputy_lead
    contract._change_reason = "deputy lead appointed"
    contract.save(update_fields=["deputy_lead"])
    return contract


def contract_set_stage(*, contract, to_state, actor, note="", effective_on=None, end_reason=""):
    """Put a locked contract at ``to_state`` and keep the move in its history (who, when, from, to, note); a
    move that keeps the stage (a document step) is kept too. The case lifecycle (casework.services.case_move)
    calls this once its table allows the move; an ended stage records the end date and reason."""
    effective_on = effective_on or timezone.localdate()
    if effective_on > timezone.localdate():
        raise DomainError("The date cannot be in the future.")
    if effective_on < contract.commissioned_on:
        raise DomainError("The date cannot be before the contract was commissioned.")
    note = (note or "").strip()
    from_state = contract.state
    if to_state != from_state:
        update = ["state"]
        if to_state in ENDED_STATES:
            if end_reason not in EndReason.values:
                raise DomainError("Choose why the contract ended.")
            contract.ended_on, contract.end_reason = effective_on, end_reason
            if to_state != State.CLOSED:
                contract.exit_reason = note
            update += ["ended_on", "end_reason", "exit_reason"]
        contract.state = to_state
        contract._change_reason = f"{from_state} → {to_state}"
        contract.save(update_fields=update)
    _record(contract, from_state, to_state, actor, note, effective_on)
    return contract


@transaction.atomic
def contract_record_first_contact(*, contract, contacted_on, actor):
    contract = contract_lock(contract)
    _require(actor, "record_first_contact", contract)
    if contacted_on < contract.commissioned_on:
        raise DomainError("First contact cannot be before the contract was commissioned.")
    if contacted_on > timezone.localdate():
        raise DomainError("The date cannot be in the future.")
    contract.first_contact_on = contacted_on
    contract._change_reason = "first contact recorded"
    contract.save(update_fields=["first_contact_on"])
    return contract


@transaction.atomic
def contract_record_outcome(*, contract, actor, rating_after, in_special_measures_after, closure=Closure.NONE):
    """RCGP admin records the rating after support (from the next inspection) and any closure."""
    contract = contract_lock(contract)
    _require(actor, "record_outcome", contract)
    contract.rating_after = rating_after or ""
    contract.in_special_measures_after = in_special_measures_after
    contract.closure = closure or Closure.NONE
    contract._change_reason = "outcome recorded"
    contract.save(update_fields=["rating_after", "in_special_measures_after", "closure"])
    return contract


def next_inspection_after(contract):
    """The practice's first rated inspection published after support ended (the 'rating after')."""
    if not contract.ended_on:
        return None
    return (contract.practice.inspections.rated().filter(publication_date__gt=contract.ended_on)
            .order_by("publication_date", "pk").first())


# Adviser pool and teams -------------------------------------------------------------------------

def adviser_loads(advisers):
    """{adviser id: number of live contracts they are currently on}."""
    rows = (TeamMembership.objects.filter(adviser__in=advisers, removed_at__isnull=True,
                                          contract__state__in=LIVE_STATES)
            .values("adviser").annotate(n=Count("pk")))
    return {row["adviser"]: row["n"] for row in rows}


def current_conflict_q(on=None, prefix=""):
    """Conflicts of interest that stand on ``on`` (default today): not ended, or ending after it. A conflict ended on
    a day no longer counts from that day. ``prefix``: the path to the conflict ("conflicts__") from another model."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})


def unavailable_until(adviser, on=None):
    """The day ``adviser`` is back, when on ``on`` (default today) they are away (``Adviser.unavailable_until`` still
    ahead), else None. They may be offered and assigned again from that day."""
    on = on or timezone.localdate()
    back = adviser.unavailable_until
    return back if back is not None and back > on else None


def conflicts_for(contract, on=None):
    """Conflicts of interest that bar advisers from this contract today (or ``on``), by adviser id: those naming its
    practices, its commissioner or that commissioner's ICB, and not ended by then."""
    practice_ids = [contract.practice_id, *contract.practices.values_list("pk", flat=True)]
    commissioner_ids = [contract.commissioner_id]
    if contract.commissioner.parent_id:
        commissioner_ids.append(contract.commissioner.parent_id)
    found = {}
    for conflict in ConflictOfInterest.objects.filter(
            Q(practice_id__in=practice_ids) | Q(commissioner_id__in=commissioner_ids)).filter(
            current_conflict_q(on)).select_related("practice", "commissioner"):
        found.setdefault(conflict.adviser_id, []).append(conflict)
    return found


def _conflict_message(adviser, conflicts):
    what = "; ".join(
        f"{c.practice.name if c.practice_id else c.commissioner.name}: {c.description}" for c in conflicts)
    return f"{adviser} has declared a conflict of interest ({what})."


@transaction.atomic
def team_add_adviser(*, contract, adviser, actor, capacity_override_reason=""):
    """Put an adviser on the contract's team: never with a conflict; over capacity only by RCGP admin."""
    contract = contract_lock(contract)
    _require(actor, "manage_team", contract)
    if contract.is_ended or contract.state == State.ENQUIRY:
        raise DomainError("The team of an ended contract cannot change.")
    adviser = Adviser.objects.select_for_update().select_related("user").get(pk=adviser.pk)
    if not adviser.active:
        raise DomainError(f"{adviser} is not active in the adviser pool.")
    back = unavailable_until(adviser)
    if back is not None:
        raise DomainError(f"{adviser} is unavailable until {back:%-d %B %Y}: they can join a team from that day.")
    if contract.team_members.filter(adviser=adviser, removed_at__isnull=True).exists():
        raise DomainError(f"{adviser} is already on the team.")
    conflicts = conflicts_for(contract).get(adviser.pk)
    if conflicts:
        raise DomainError(_conflict_message(adviser, conflicts))
    load = adviser_loads([adviser]).get(adviser.pk, 0)
    reason = capacity_override_reason.strip()
    if load >= adviser.capacity:
        if not is_rcgp_admin(actor):
            raise DomainError(f"{adviser} is at capacity ({load} of {adviser.capacity} live contracts). "
                              "Only RCGP admin can assign them, with a reason.")
        if not reason:
            raise DomainError(f"{adviser} is at capacity ({load} of {adviser.capacity}): give a reason to override.")
    else:
        reason = ""
    return TeamMembership.objects.create(contract=contract, adviser=adviser, added_by=actor,
                                         capacity_override_reason=reason)


@transaction.atomic
def team_remove_adviser(*, contract, adviser, actor):
    """Take an adviser off the team; they lose access to the contract at once."""
    contract = contract_lock(contract)
    _require(actor, "manage_team", contract)
    updated = contract.team_members.filter(adviser=adviser, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=actor)
    if not updated:
        raise DomainError(f"{adviser} is not on the team.")

