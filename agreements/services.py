"""Writes of a contract's agreement: drafting it, its terms and leads, its objectives and contributions, and each
party's signature.

Each service is atomic, checks its actor through agreements/access.py whatever the page showed, and raises
DomainError (core.errors) with a message for the person. Every write carries the agreement's version it started
from (one version for the agreement and its rows); a stale one is refused with what changed since.

Changing a signed agreement: once any party has signed, its terms, dates, objectives and contributions are fixed
(the parties signed those words); the leads' contact details may still change. When the third party signs, the
agreement is signed and the contract's ``mou_signed_on`` (the last signature's date), ``mou_starts_on`` and
``mou_ends_on`` are set with an ``update()`` of those fields only."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contracts.models import Contract
from core.errors import DomainError, NotAllowed, NothingChanged, StaleEdit

from . import access
from .models import (
    EXIT_STRATEGY,
    PAYMENT_TERMS,
    TERMINATION_TERMS,
    Agreement,
    Contribution,
    Lead,
    LeadKind,
    Objective,
    ObjectiveGroup,
    Party,
    Signature,
    Theme,
)

STALE = ("Someone else changed the agreement while you were changing it. Nothing of yours was saved; what they "
         "changed is shown below. Check it, then try again.")
TERMS_FIELDS = ("starts_on", "ends_on", "exit_strategy", "termination_terms", "payment_terms")
TERMS_LABELS = {"starts_on": "Support starts", "ends_on": "Support ends", "exit_strategy": "Exit strategy",
                "termination_terms": "Termination terms", "payment_terms": "Payment terms"}
LEAD_FIELDS = ("name", "role", "organisation", "email", "phone")
OBJECTIVE_SOURCES = {ObjectiveGroup.OPERATIONAL_STABILITY: "objectives_operational_stability",
                     ObjectiveGroup.WAYS_OF_WORKING: "objectives_ways_of_working",
                     ObjectiveGroup.FUTURE_SUSTAINABILITY: "objectives_future_sustainability"}


def _today():
    return timezone.localdate()


def _date(value):
    return f"{value:%-d %B %Y}" if value else "none"


def _require(actor, verb, contract):
    refused = access.refusal(actor, verb, contract)
    if refused:
        raise NotAllowed(refused)


def _text(value, message):
    text = (value or "").strip()
    if not text:
        raise DomainError(message)
    return text


def _changes_since(locked, base_version):
    """(label, now) for the terms changed since ``base_version``, and what each later change was about."""
    base = locked.history.filter(version=base_version).order_by("-history_id").first()
    changes = []
    for name in TERMS_FIELDS:
        now = getattr(locked, name)
        if base is None or getattr(base, name) != now:
            changes.append((TERMS_LABELS[name], _date(now) if name.endswith("_on") else now or "–"))
    later = locked.history.filter(version__gt=base_version or 0).order_by("history_id")
    changes += [("Change", row.history_change_reason) for row in later
                if row.history_change_reason and not row.history_change_reason.startswith("terms")]
    return changes


def _locked(agreement, actor, base_version, verb="write"):
    """The agreement locked for this write, after the actor and the version are checked."""
    locked = Agreement.objects.select_for_update().select_related("contract").get(pk=agreement.pk)
    _require(actor, verb, locked.contract)
    if base_version is None or locked.version != base_version:
        raise StaleEdit(STALE, _changes_since(locked, base_version))
    return locked


def _not_signed(locked):
    signed = [s.get_party_display().lower() for s in locked.signatures.all() if s.signed_on]
    if signed:
        raise DomainError(f"The agreement has been signed (by the {' and the '.join(signed)}): its terms, objectives "
                          f"and contributions can no longer change.")


def _bump(locked, actor, reason, fields=()):
    locked.version += 1
    locked._change_reason, locked._history_user = reason[:100], actor
    locked.save(update_fields=[*fields, "version"])
    return locked


def _sync_contract_dates(agreement):
    """The contract's agreement dates follow the agreement (only those fields: other writers save other fields)."""
    values = {"mou_starts_on": agreement.starts_on, "mou_ends_on": agreement.ends_on}
    if agreement.signed_on:
        values["mou_signed_on"] = agreement.signed_on
    Contract.objects.filter(pk=agreement.contract_id).update(**values)


# Drafting ----------------------------------------------------------------------------------------------------------

@transaction.atomic
def agreement_draft(*, contract, actor):
    """Draft ``contract``'s agreement: the seeds' terms, the contract's dates, its three objective texts as objectives
    (one a line, to be given a measure and a date), the three parties' signature rows and the three leads, the
    practice lead's organisation filled in."""
    _require(actor, "write", contract)
    contract = Contract.objects.select_for_update().select_related("practice", "commissioner").get(pk=contract.pk)
    if Agreement.objects.filter(contract=contract).exists():
        raise DomainError("This contract already has an agreement.")
    agreement = Agreement(contract=contract, drafted_on=_today(), drafted_by=actor, starts_on=contract.mou_starts_on,
                          ends_on=contract.mou_ends_on, exit_strategy=EXIT_STRATEGY,
                          termination_terms=TERMINATION_TERMS, payment_terms=PAYMENT_TERMS)
    agreement._change_reason, agreement._history_user = "drafted", actor
    agreement.save()
    Signature.objects.bulk_create([Signature(agreement=agreement, party=party) for party in Party.values])
    organisations = {LeadKind.STRATEGIC: contract.commissioner.name, LeadKind.OPERATIONAL: contract.commissioner.name,
                     LeadKind.PRACTICE: contract.practice.name}
    Lead.objects.bulk_create([Lead(agreement=agreement, kind=kind, organisation=organisations[kind])
                              for kind in LeadKind.values])
    Objective.objects.bulk_create([
        Objective(agreement=agreement, group=group, objective=line.strip())
        for group, field in OBJECTIVE_SOURCES.items()
        for line in (getattr(contract, field) or "").splitlines() if line.strip().strip("-•* ")])
    return agreement


# Terms and leads ---------------------------------------------------------------------------------------------------

def _checked_terms(*, starts_on, ends_on, exit_strategy, termination_terms, payment_terms):
    for value, what in ((starts_on, "start"), (ends_on, "end")):
        if value is not None and not isinstance(value, datetime.date):
            raise DomainError(f"Enter the date support {what}s")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(f"The end date must be on or after the start date, {_date(starts_on)}")
    return {"starts_on": starts_on, "ends_on": ends_on, "exit_strategy": (exit_strategy or "").strip(),
            "termination_terms": _text(termination_terms, "Enter the termination terms"),
            "payment_terms": _text(payment_terms, "Enter the payment terms")}


@transaction.atomic
def agreement_terms_update(*, agreement, actor, base_version, **fields):
    """Change the agreement's dates, exit strategy, termination and payment terms (before anyone signs)."""
    unknown = set(fields) - set(TERMS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    locked = _locked(agreement, actor, base_version)
    values = _checked_terms(**{name: fields.get(name, getattr(locked, name)) for name in TERMS_FIELDS})
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        raise NothingChanged("The agreement is as it was: nothing was saved.")
    _not_signed(locked)
    for name in changed:
        setattr(locked, name, values[name])
    _bump(locked, actor, f"terms changed: {', '.join(changed)}", changed)
    if {"starts_on", "ends_on"} & set(changed):
        _sync_contract_dates(locked)
    return locked


@transaction.atomic
def agreement_leads_update(*, agreement, actor, base_version, leads):
    """Name the strategic, operational and practice leads (``leads``: {kind: {name, role, organisation, email,
    phone}}). Contact points may change after signing."""
    locked = _locked(agreement, actor, base_version)
    changed = []
    for lead in locked.leads.all():
        given = leads.get(lead.kind)
        if given is None:
            continue
        values = {name: (given.get(name) or "").strip() for name in LEAD_FIELDS}
        if values["email"] and "@" not in values["email"]:
            raise DomainError(f"Enter the {lead.get_kind_display().lower()}'s e-mail address in the correct format")
        if any(getattr(lead, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(lead, name, value)
            lead._change_reason, lead._history_user = "lead changed", actor
            lead.save()
            changed.append(lead.get_kind_display().lower())
    if not changed:
        raise NothingChanged("The leads are as they were: nothing was saved.")
    return _bump(locked, actor, f"leads changed: {', '.join(changed)}")


# Objectives --------------------------------------------------------------------------------------------------------

def _checked_objective(*, group, objective, measure, achieve_by):
    if group not in ObjectiveGroup.values:
        raise DomainError("Select the group of the objective")
    objective = _text(objective, "Enter the objective")
    measure = _text(measure, "Enter how we will know the objective is met")
    if not isinstance(achieve_by, datetime.date):
        raise DomainError("Enter the date the objective is to be achieved by")
    return {"group": group, "objective": objective, "measure": measure, "achieve_by": achieve_by}


@transaction.atomic
def objective_add(*, agreement, actor, base_version, group, objective, measure, achieve_by):
    locked = _locked(agreement, actor, base_version)
    values = _checked_objective(group=group, objective=objective, measure=measure, achieve_by=achieve_by)
    _not_signed(locked)
    created = Objective(agreement=locked, **values)
    created._change_reason, created._history_user = "added", actor
    created.save()
    _bump(locked, actor, f"objective added: {values['objective'][:60]}")
    return created


@transaction.atomic
def objective_update(*, record, actor, base_version, **fields):
    """Change an objective (``record``; ``fields`` may include its text, ``objective``)."""
    locked = _locked(record.agreement, actor, base_version)
    row = Objective.objects.select_for_update().get(pk=record.pk, agreement=locked)
    values = _checked_objective(**{name: fields.get(name, getattr(row, name))
                                   for name in ("group", "objective", "measure", "achieve_by")})
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        raise NothingChanged("The objective is as it was: nothing was saved.")
    _not_signed(locked)
    for name in changed:
        setattr(row, name, values[name])
    row._change_reason, row._history_user = f"changed: {', '.join(changed)}", actor
    row.save()
    _bump(locked, actor, f"objective changed: {row.objective[:60]}")
    return row


@transaction.atomic
def objective_remove(*, record, actor, base_version):
    locked = _locked(record.agreement, actor, base_version)
    _not_signed(locked)
    text = record.objective
    Objective.objects.filter(pk=record.pk, agreement=locked).delete()
    return _bump(locked, actor, f"objective removed: {text[:60]}")


# Contributions -----------------------------------------------------------------------------------------------------

def _amount(value, whose):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(f"The {whose} contribution must be an amount in pounds, like 2500.00") from None
    if not amount.is_finite():
        raise DomainError(f"The {whose} contribution must be an amount in pounds, like 2500.00")
    if amount < 0:
        raise DomainError(f"The {whose} contribution must be £0 or more")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(f"The {whose} contribution must be in pounds and pence")
    return amount.quantize(Decimal("0.01"))


CONTRIBUTION_FIELDS = ("theme", "description", "commissioner_amount", "commissioner_detail", "practice_in_kind",
                       "rcgp_amount", "rcgp_detail")


def _checked_contribution(*, theme, description, commissioner_amount=None, commissioner_detail="",
                          practice_in_kind="", rcgp_amount=None, rcgp_detail=""):
    if theme not in Theme.values:
        raise DomainError("Select the theme of the support")
    return {"theme": theme, "description": _text(description, "Enter the service commissioned or agreed"),
            "commissioner_amount": _amount(commissioner_amount, "NHSE/commissioner"),
            "commissioner_detail": (commissioner_detail or "").strip(),
            "practice_in_kind": (practice_in_kind or "").strip(),
            "rcgp_amount": _amount(rcgp_amount, "RCGP"), "rcgp_detail": (rcgp_detail or "").strip()}


@transaction.atomic
def contribution_add(*, agreement, actor, base_version, **fields):
    locked = _locked(agreement, actor, base_version)
    values = _checked_contribution(**fields)
    _not_signed(locked)
    created = Contribution(agreement=locked, **values)
    created._change_reason, created._history_user = "added", actor
    created.save()
    _bump(locked, actor, f"contribution added: {created.get_theme_display()}")
    return created


@transaction.atomic
def contribution_update(*, record, actor, base_version, **fields):
    locked = _locked(record.agreement, actor, base_version)
    row = Contribution.objects.select_for_update().get(pk=record.pk, agreement=locked)
    values = _checked_contribution(**{name: fields.get(name, getattr(row, name)) for name in CONTRIBUTION_FIELDS})
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        raise NothingChanged("The contribution is as it was: nothing was saved.")
    _not_signed(locked)
    for name in changed:
        setattr(row, name, values[name])
    row._change_reason, row._history_user = f"changed: {', '.join(changed)}"[:100], actor
    row.save()
    _bump(locked, actor, f"contribution changed: {row.get_theme_display()}")
    return row


@transaction.atomic
def contribution_remove(*, record, actor, base_version):
    locked = _locked(record.agreement, actor, base_version)
    _not_signed(locked)
    theme = record.get_theme_display()
    Contribution.objects.filter(pk=record.pk, agreement=locked).delete()
    return _bump(locked, actor, f"contribution removed: {theme}")


# Signing -----------------------------------------------------------------------------------------------------------

def _ready_to_sign(locked):
    incomplete = [o for o in locked.objectives.all() if not o.measure or not o.achieve_by]
    if incomplete:
        raise DomainError(f"Each objective needs how we will know it is met and a date before the agreement is "
                          f"signed: ‘{incomplete[0].objective[:80]}’ has not.")
    if not locked.objectives.exists():
        raise DomainError("Add the agreement's objectives before it is signed.")
    if not (locked.starts_on and locked.ends_on):
        raise DomainError("Enter the dates support starts and ends before the agreement is signed.")


@transaction.atomic
def agreement_sign(*, agreement, actor, base_version, party, name, position, signed_on):
    """Record ``party``'s signature, by that party's own people. The third signature signs the agreement: its
    ``signed_on`` is the last signature's date, copied to the contract with its start and end dates."""
    if party not in Party.values:
        raise DomainError("Choose the party signing")
    locked = _locked(agreement, actor, base_version, verb=f"sign_{party}")
    signature = locked.signatures.select_for_update().get(party=party)
    if signature.signed_on:
        raise DomainError(f"The {signature.get_party_display().lower()} signed on {_date(signature.signed_on)}.")
    name = _text(name, "Enter the name of the person signing")
    position = _text(position, "Enter the position of the person signing")
    if not isinstance(signed_on, datetime.date):
        raise DomainError("Enter the date of the signature")
    if signed_on > _today():
        raise DomainError("The date of the signature must be today or in the past")
    if signed_on < locked.drafted_on:
        raise DomainError(f"The date of the signature must be on or after the day the agreement was drafted, "
                          f"{_date(locked.drafted_on)}")
    _ready_to_sign(locked)
    signature.name, signature.position, signature.signed_on, signature.recorded_by = name, position, signed_on, actor
    signature._change_reason, signature._history_user = "signed", actor
    signature.save()
    dates = [s.signed_on for s in locked.signatures.all()]
    fields = []
    if all(dates):
        locked.signed_on = max(dates)
        fields = ["signed_on"]
    _bump(locked, actor, f"signed by the {signature.get_party_display().lower()}", fields)
    if locked.signed_on:
        _sync_contract_dates(locked)
    return signature
