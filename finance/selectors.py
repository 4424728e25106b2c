"""Reads of the delivery cost: a contract's burn against its costed plan, the advisers' load, and each contract's
delivery summary. Each from a fixed number of queries, whatever the number of lines."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from contracts.models import Adviser, Payment, TeamMembership, Variation
from contracts.workflow import LIVE_STATES

from .models import ExtraDays, OtherCost, PlanLine, TimeEntry
from .vocabulary import Activity

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=12, decimal_places=2)


def burn(contract, *, delivery=True):
    """A contract's delivery cost against its plan and value (``delivery``: for its RCGP team), and its payments
    and variations (for everyone who sees it). Seven queries with the delivery cost, two without."""
    result = {"contract": contract, "value": contract.value,
              "payments": list(Payment.objects.filter(contract=contract).order_by("invoiced_on", "pk")),
              "variations": list(Variation.objects.filter(contract=contract).order_by("agreed_on", "pk"))}
    result["invoiced"] = sum((p.signed_amount for p in result["payments"]), ZERO)
    result["paid"] = sum((p.signed_amount for p in result["payments"] if p.paid_on), ZERO)
    if not delivery:
        return result
    lines = list(PlanLine.objects.filter(contract=contract).select_related("adviser__user"))
    approved = dict(ExtraDays.objects.filter(contract=contract).order_by().values("adviser")
                    .annotate(d=Sum("days")).values_list("adviser", "d"))
    used = {(row["adviser"], row["activity"]): row for row in TimeEntry.objects.filter(contract=contract).order_by()
            .values("adviser", "activity").annotate(used_days=Sum("days"), used_cost=Sum(F("days") * F("day_rate"),
                                                                                       output_field=MONEY))}
    team = {m.adviser_id: m.adviser for m in TeamMembership.objects.filter(contract=contract)
            .select_related("adviser__user")}
    for line in lines:
        team.setdefault(line.adviser_id, line.adviser)
    advisers = {}
    for adviser_id in {*team, *(a for a, _ in used), *approved}:
        adviser = team.get(adviser_id)
        advisers[adviser_id] = {"adviser": adviser, "name": str(adviser) if adviser else "", "costed": ZERO,
                                "approved": approved.get(adviser_id) or ZERO, "used": ZERO, "planned_cost": ZERO,
                                "cost": ZERO, "activities": {}}
    for line in lines:
        row = advisers[line.adviser_id]
        row["costed"] += line.days
        row["planned_cost"] += line.cost
        row["activities"][line.activity] = {"activity": Activity(line.activity).label, "line": line,
                                            "costed": line.days, "rate": line.day_rate, "used": ZERO}
    for (adviser_id, activity), entry in used.items():
        row = advisers[adviser_id]
        row["used"] += entry["used_days"]
        row["cost"] += entry["used_cost"]
        cell = row["activities"].setdefault(activity, {"activity": Activity(activity).label, "line": None,
                                                       "costed": ZERO, "rate": None, "used": ZERO})
        cell["used"] = entry["used_days"]
    order = {value: i for i, value in enumerate(Activity.values)}
    rows = []
    for row in sorted(advisers.values(), key=lambda r: r["name"]):
        row["funded"] = row["costed"] + row["approved"]
        row["remaining"] = row["funded"] - row["used"]
        row["activities"] = [cell for key, cell in sorted(row["activities"].items(), key=lambda kv: order[kv[0]])]
        rows.append(row)
    other_costs = list(OtherCost.objects.filter(contract=contract).order_by("-incurred_on", "-pk"))
    totals = {key: sum((r[key] for r in rows), ZERO)
              for key in ("costed", "approved", "funded", "used", "remaining", "planned_cost", "cost")}
    totals["other_costs"] = sum((c.amount for c in other_costs), ZERO)
    totals["delivery_cost"] = totals["cost"] + totals["other_costs"]
    result.update({"advisers": rows, "other_costs": other_costs, "totals": totals,
                   "extra_days": list(ExtraDays.objects.filter(contract=contract).select_related("adviser__user")
                                      .order_by("approved_on", "pk"))})
    return result


def _sum_of(model, field, expression=None):
    """A subquery: the sum over the contract's ``model`` rows (0 when none)."""
    rows = model.objects.filter(contract=OuterRef("pk")).order_by().values("contract")
    total = rows.annotate(s=Sum(expression if expression is not None else field, output_field=MONEY)).values("s")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def with_delivery_summary(contracts):
    """``contracts`` annotated with days_costed, days_approved, days_used, planned_cost, days_cost and
    other_costs_total: one query. The delivery cost is days_cost + other_costs_total."""
    return contracts.annotate(
        days_costed=_sum_of(PlanLine, "days"), days_approved=_sum_of(ExtraDays, "days"),
        days_used=_sum_of(TimeEntry, "days"), planned_cost=_sum_of(PlanLine, None, F("days") * F("day_rate")),
        days_cost=_sum_of(TimeEntry, None, F("days") * F("day_rate")),
        other_costs_total=_sum_of(OtherCost, "amount"))


def adviser_load():
    """Every active adviser: their live contracts, days funded (costed + approved), used and remaining on those,
    and their capacity (live contracts at once). Five queries."""
    advisers = list(Adviser.objects.filter(active=True).select_related("user"))
    live = defaultdict(list)
    for membership in (TeamMembership.objects.filter(removed_at__isnull=True, adviser__active=True,
                                                     contract__state__in=LIVE_STATES)
                       .select_related("contract").order_by("contract__reference")):
        live[membership.adviser_id].append(membership.contract)

    def per_adviser(model):
        return dict(model.objects.filter(adviser__active=True, contract__state__in=LIVE_STATES).order_by()
                    .values("adviser").annotate(d=Sum("days")).values_list("adviser", "d"))

    costed, approved, used = per_adviser(PlanLine), per_adviser(ExtraDays), per_adviser(TimeEntry)
    rows = []
    for adviser in advisers:
        funded = (costed.get(adviser.pk) or ZERO) + (approved.get(adviser.pk) or ZERO)
        days_used = used.get(adviser.pk) or ZERO
        contracts = live.get(adviser.pk, [])
        rows.append({"adviser": adviser, "name": str(adviser), "contracts": contracts, "live": len(contracts),
                     "capacity": adviser.capacity, "funded": funded, "used": days_used,
                     "remaining": funded - days_used, "over_capacity": len(contracts) > adviser.capacity})
    return rows
