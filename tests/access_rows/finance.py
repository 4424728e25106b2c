"""Access-matrix rows of time and money (finance/access.py). The delivery cost is the contract's RCGP team's: its
deputy lead and RCGP admin write the costed plan, approvals and other costs; the adviser on it logs time too. The
payments are read by everyone who sees the contract (NHSE included) and written by RCGP admin. Whoever sees the
contract but may not make a change finds no form (404) and is refused a POST with the reason (403). Another
organisation's: RCGP admin (and, for its payments, NHSE)."""

from decimal import Decimal

from tests.test_access_matrix import AD, ADM, ADMIN, ALL, DL, NHSE, NONE, TEAM, _on_contract, _today

LEAD = frozenset({ADM, DL})
SEES = {"own": ALL, "other": frozenset({ADM, NHSE})}

MATRIX = {
    "finance:contract": ("contract", SEES, 404, 302),
    "finance:advisers": (None, {"own": LEAD, "other": NONE}, 404, 302),
    "finance:plan_line_add": ("contract", {"own": LEAD, "other": ADMIN}, 404, 302),
    "finance:plan_line_edit": ("plan_line", {"own": LEAD, "other": ADMIN}, 404, 302),
    "finance:extra_days": ("contract", {"own": LEAD, "other": ADMIN}, 404, 302),
    "finance:time_log": ("contract", {"own": TEAM, "other": ADMIN}, 404, 302),
    "finance:other_cost": ("contract", {"own": LEAD, "other": ADMIN}, 404, 302),
    "finance:invoice": ("contract", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "finance:refund": ("contract", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "finance:variation": ("contract", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "finance:paid": ("payment", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "api:payment-list": (None, {"own": ALL}, 404, 401),  # each sees the payments of the contracts they see
    "api:payment-detail": ("payment", SEES, 404, 401),
    "api:delivery-cost-list": (None, {"own": ALL}, 404, 401),  # each sees the contracts whose team they are on
    "api:adviser-load-list": (None, {"own": LEAD}, 403, 401),
}


def _adviser(o, s):
    return o[s]["adviser"][0]


WRITES = {
    "finance:plan_line_add": ("contract", lambda o, s: {"adviser": _adviser(o, s), "activity": "forward_plan",
                                                        "days": "2", "day_rate": "600.00"},
                              _on_contract(LEAD, 403)),
    # The plan line: the adviser on the team sees it and is refused; nobody else finds it.
    "finance:plan_line_edit": ("plan_line", lambda o, s: {"days": "6", "day_rate": "650.00", "version": 1},
                               {"own": {ADM: "ok", DL: "ok", AD: 403}, "other": {ADM: "ok"}}),
    "finance:extra_days": ("contract", lambda o, s: {"adviser": _adviser(o, s), "days": "1", "reason": "Two visits"},
                           _on_contract(LEAD, 403)),
    "finance:time_log": ("contract", lambda o, s: {"adviser": _adviser(o, s), "worked_on": _today(),
                                                   "activity": "scoping", "days": "0.5"},
                         _on_contract(TEAM, 403)),
    "finance:other_cost": ("contract", lambda o, s: {"incurred_on": _today(), "what": "Room hire", "amount": "40"},
                           _on_contract(LEAD, 403)),
    "finance:invoice": ("contract", lambda o, s: {"funder": "nhse", "amount": "100", "invoiced_on": _today()},
                        _on_contract({ADM}, 403)),
    # A refund: RCGP admin's to record, but the contract did not end early, so the form says why (422).
    "finance:refund": ("contract", lambda o, s: {"funder": "nhse", "amount": "10", "invoiced_on": _today()},
                       {"own": {**_on_contract({ADM}, 403)["own"], ADM: 422},
                        "other": {**_on_contract({ADM}, 403)["other"], ADM: 422}}),
    "finance:variation": ("contract", lambda o, s: {"new_value": "12000", "reason": "More days", "agreed_on": _today()},
                          _on_contract({ADM}, 403)),
    "finance:paid": ("payment", lambda o, s: {"paid_on": _today(), "version": 1}, _on_contract({ADM}, 403)),
}
RECORD_WRITES = {"finance:plan_line_add", "finance:plan_line_edit", "finance:extra_days", "finance:time_log",
                 "finance:other_cost", "finance:invoice", "finance:refund", "finance:variation", "finance:paid"}


def add_objects(world, objects):
    """Each scope's contract gets a value, a costed plan line for its adviser (5 days of scoping) and an invoice
    awaiting payment."""
    from contracts.models import Contract, Payment
    from finance.models import PlanLine

    for scope in ("own", "other"):
        contract = objects[scope]["contract_object"]
        Contract.objects.filter(pk=contract.pk).update(value=Decimal("10000.00"))
        line = PlanLine.objects.create(contract=contract, adviser_id=objects[scope]["adviser"][0],
                                       activity="scoping", days=Decimal("5"), day_rate=Decimal("600.00"))
        payment = Payment.objects.create(contract=contract, funder="nhse", amount=Decimal("1000.00"),
                                         invoiced_on=contract.commissioned_on)
        objects[scope].update({"plan_line": [line.pk], "payment": [payment.pk]})
