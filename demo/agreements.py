"""The demo's agreements: DEMO-SHARED's signed by all three parties (the last ten days after it was commissioned),
DEMO-PRIVATE's signed by the practice and the RCGP and waiting for the commissioner, DEMO-NEW's a draft.

Through the services, as the demo's users; only the draft's date is set back, to when the contract was commissioned,
since the demo's contracts were agreed in the past. Idempotent: a contract with an agreement is left alone."""

import datetime

from agreements.models import Agreement
from agreements.services import (
    agreement_draft,
    agreement_leads_update,
    agreement_sign,
    contribution_add,
    objective_update,
)
from contracts.models import Contract
from core.models import User
from core.roles import Role

MEASURES = {"operational_stability": "No unfilled clinical sessions for four weeks running; the prescribing audit "
                                     "shows no repeat overdue by more than two days.",
            "ways_of_working": "Minutes of each weekly partners' meeting; the practice manager holds the budget.",
            "future_sustainability": "A salaried GP in post and a written succession plan agreed by the partners."}
CONTRIBUTIONS = [
    {"theme": "diagnostic", "description": "The RCGP's diagnostic review and report, with the forward plan.",
     "commissioner_amount": "5000.00", "practice_in_kind": "The partners' and manager's time for interviews.",
     "rcgp_detail": "Adviser days from the costed plan"},
    {"theme": "coaching", "description": "Mentoring for the partners and the practice manager.",
     "commissioner_amount": "5000.00", "practice_in_kind": "Two hours of protected time a week for the partners.",
     "rcgp_amount": "0.00", "rcgp_detail": "Peer mentoring by the adviser team"},
]


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _rcgp_signer(contract):
    return contract.deputy_lead or _user("demo-rcgp_admin")


def _practice_lead(contract):
    """The demo practice lead of the contract's practice (demo.data makes one for each demo contract's practice)."""
    return (User.objects.filter(role=Role.PRACTICE_LEAD, practice=contract.practice, is_active=True)
            .order_by("pk").first())


def _fill(agreement, contract, writer, *, leads=True):
    """Measures and dates for the prefilled objectives, the contributions and the leads."""
    starts, ends = contract.mou_starts_on, contract.mou_ends_on
    for objective in agreement.objectives.all():
        agreement.refresh_from_db()
        objective_update(record=objective, actor=writer, base_version=agreement.version,
                         measure=MEASURES[objective.group], achieve_by=ends or starts)
    for contribution in CONTRIBUTIONS:
        agreement.refresh_from_db()
        contribution_add(agreement=agreement, actor=writer, base_version=agreement.version, **contribution)
    if leads:
        agreement.refresh_from_db()
        agreement_leads_update(agreement=agreement, actor=writer, base_version=agreement.version, leads={
            "strategic": {"name": "Dr Sam Whitfield", "role": "Director of primary care",
                          "organisation": contract.commissioner.name, "email": "sam.whitfield@example.nhs.uk"},
            "operational": {"name": "Jo Patterson", "role": "Primary care manager",
                            "organisation": contract.commissioner.name, "email": "jo.patterson@example.nhs.uk",
                            "phone": "0161 496 0000"},
            "practice": {"name": "Dr Amira Khan", "role": "Senior partner", "organisation": contract.practice.name,
                         "email": "amira.khan@example.nhs.uk"}})


def _sign(agreement, user, party, on, position):
    agreement.refresh_from_db()
    agreement_sign(agreement=agreement, actor=user, base_version=agreement.version, party=party,
                   name=user.get_full_name() or user.username, position=position, signed_on=on)


def seed_agreements(log=print):
    commissioner_lead = _user("demo-commissioner_lead")
    if commissioner_lead is None:
        log("agreements: no demo commissioner lead, skipped")
        return
    for reference, signers in (("DEMO-SHARED", ("practice", "rcgp", "commissioner")),
                               ("DEMO-PRIVATE", ("practice", "rcgp")), ("DEMO-NEW", ())):
        contract = Contract.objects.select_related("practice", "commissioner", "deputy_lead").filter(
            reference=reference).first()
        if contract is None or Agreement.objects.filter(contract=contract).exists():
            continue
        agreement = agreement_draft(contract=contract, actor=commissioner_lead)
        # Drafted when the contract was commissioned: the signatures are dated on and after it.
        Agreement.objects.filter(pk=agreement.pk).update(drafted_on=contract.commissioned_on)
        if signers:
            _fill(agreement, contract, commissioner_lead)
        # The last signature ten days after commissioning (never in the future: DEMO-NEW is a draft).
        signed_on = min(contract.commissioned_on + datetime.timedelta(days=10), datetime.date.today())
        people = {"practice": (_practice_lead(contract), "Senior partner"),
                  "rcgp": (_rcgp_signer(contract), "Deputy medical director, RCGP"),
                  "commissioner": (commissioner_lead, "Head of primary care")}
        for days_before, party in zip((3, 1, 0), signers, strict=False):
            user, position = people[party]
            if user is not None:
                _sign(agreement, user, party, signed_on - datetime.timedelta(days=days_before), position)
        agreement.refresh_from_db()
        log(f"agreement {reference}: " + (f"signed on {agreement.signed_on}" if agreement.signed_on
                                           else f"signed by {', '.join(signers)}" if signers else "draft"))
