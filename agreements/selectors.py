"""Reads of the agreement, each starting from agreements/access.py."""

from decimal import Decimal

from .models import Agreement, LeadKind, ObjectiveGroup, Party


def agreement_of(contract):
    """``contract``'s agreement with its signatures, leads, objectives and contributions (five queries), or None. The
    caller has checked that the user may read it (access.get_contract_or_404)."""
    return (Agreement.objects.filter(contract=contract).select_related("contract__practice", "contract__commissioner")
            .prefetch_related("signatures", "leads", "objectives", "contributions").first())


def signatures_in_order(agreement):
    order = {party: i for i, party in enumerate(Party.values)}
    return sorted(agreement.signatures.all(), key=lambda s: order[s.party])


def leads_in_order(agreement):
    order = {kind: i for i, kind in enumerate(LeadKind.values)}
    return sorted(agreement.leads.all(), key=lambda lead: order[lead.kind])


def objectives_by_group(agreement):
    """[(group label, [objectives])] in the MoU's order, every group shown."""
    rows = list(agreement.objectives.all())
    return [(label, [o for o in rows if o.group == group]) for group, label in ObjectiveGroup.choices]


def contribution_totals(contributions):
    """The sums given by the commissioner and the RCGP (Decimal)."""
    return {"commissioner": sum((c.commissioner_amount or Decimal("0") for c in contributions), Decimal("0")),
            "rcgp": sum((c.rcgp_amount or Decimal("0") for c in contributions), Decimal("0"))}


def panel_agreement(contract):
    """The contract page's panel: the agreement and its signatures (two queries; one when there is none)."""
    return Agreement.objects.filter(contract=contract).prefetch_related("signatures").first()
