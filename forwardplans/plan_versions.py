"""Kept versions of a forward plan: each time it is shared with the commissioner, sent to CQC, or agreed by the
practice, the commissioner or RCGP (002 §35-43: the plan is sent to CQC and the commissioner and agreed). A version
freezes the plan's actions and the inspection it answers; its number is the plan's version that copies print
(forwardplans.pdf.plan_version).

Who may record which, as a table: (reason, party) → the checks in order, each a rule of core/relations.py and the
reason given when it fails.

| reason              | party         | who may record it                                    |
|---------------------|---------------|------------------------------------------------------|
| shared              | –             | the contract's RCGP team, while the practice consents |
| sent to CQC         | –             | the practice lead                                    |
| agreed              | practice      | the practice lead                                    |
| agreed              | commissioner  | a lead of its commissioner, while the practice consents |
| agreed              | RCGP          | the deputy lead who leads it, or RCGP admin          |
"""

from django.db import transaction

from core.errors import DomainError
from core.relations import commissioner_lead, practice_lead, rcgp_lead, rcgp_team

from .access import shared_with_commissioner
from .models import PlanVersion
from .pdf import plan_content
from .services import locked_plan

Reason, Party = PlanVersion.Reason, PlanVersion.Party
NOT_SHARED = "The practice has not consented to share its plan with the commissioner."
RECORDERS = {
    (Reason.SHARED, ""): [(rcgp_team, "Only the contract's RCGP team records that the plan was shared."),
                          (shared_with_commissioner, NOT_SHARED)],
    (Reason.SENT_TO_CQC, ""): [(practice_lead, "Only the practice lead records that the plan was sent to CQC.")],
    (Reason.AGREED, Party.PRACTICE): [(practice_lead, "Only the practice lead agrees the plan for the practice.")],
    (Reason.AGREED, Party.COMMISSIONER): [
        (commissioner_lead, "Only a lead of the practice's commissioner agrees the plan for the commissioner."),
        (shared_with_commissioner, NOT_SHARED)],
    (Reason.AGREED, Party.RCGP): [(rcgp_lead, "Only the contract's deputy lead or RCGP admin agrees the plan for "
                                              "RCGP.")],
}


def refusal(user, reason, party, contract):
    """Why ``user`` may not record this version of ``contract``'s plan (None: they may)."""
    checks = RECORDERS.get((reason, party or ""))
    if checks is None:
        return ("Say who agreed the plan: the practice, the commissioner or RCGP." if reason == Reason.AGREED
                else "Choose why the version is kept: shared, sent to CQC or agreed.")
    for rule, message in checks:
        if not rule.test(user, contract):
            return message
    return None


def recordable(user, contract):
    """The (reason, party) pairs ``user`` may record now, for the form's choices."""
    return [key for key in RECORDERS if refusal(user, *key, contract) is None]


@transaction.atomic
def plan_version_record(*, plan, reason, party=None, version, actor):
    """Keep a version of the plan as it is now, with why (shared, sent to CQC, agreed) and, when agreed, by whom
    (see the table above). ``version``: the plan's version the recorder saw; a stale one is refused with what
    changed. Returns the PlanVersion."""
    party = party or ""
    if reason != Reason.AGREED and party:
        raise DomainError("Only an agreement names who agreed: leave the party empty.")
    reason_refused = refusal(actor, reason, party, plan.contract)
    if reason_refused:
        raise DomainError(reason_refused)
    locked = locked_plan(plan, version, "recording a version")
    content, _revision = plan_content(locked)
    number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    kept = PlanVersion.objects.create(plan=locked, number=number, reason=reason, agreed_by=party, by=actor,
                                      inspection_id=locked.inspection_id, snapshot=content)
    locked.version += 1
    locked._change_reason = f"version {number}: {kept.describe()}"[:100]
    locked.save(update_fields=["version", "updated_at"])
    plan.version = locked.version
    return kept
