"""Access-matrix rows of the agreement (agreements/access.py). The contract's parties read it: its practice's and
commissioner's users, its RCGP team (the deputy lead who leads OWN, the adviser on it) and RCGP admin; NHSE sees the
contract but never the agreement (404). Its commissioner lead, its deputy lead and RCGP admin change it; its other
readers are refused with the reason (403). Each party signs for itself: the practice lead, the commissioner lead,
the deputy lead or RCGP admin. Another organisation's: RCGP admin only (and it signs only for the RCGP). The
matrix's agreements are drafted, unsigned, with one objective and one contribution."""

import datetime

from django.utils import timezone

from tests.test_access_matrix import ADM, ADMIN, ALL, CL, COMMISSIONER, DL, NONE, PL, PRACTICE, TEAM, R

READERS = TEAM | PRACTICE | COMMISSIONER
WRITERS = frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.COMMISSIONER_LEAD})
EDIT = {"own": WRITERS, "other": ADMIN}

MATRIX = {
    "agreements:detail": ("agreement_contract", {"own": READERS, "other": ADMIN}, 404, 302),
    "agreements:word": ("agreement_contract", {"own": READERS, "other": ADMIN}, 404, 302),
    "agreements:draft": ("agreement_contract", {"own": NONE, "other": NONE}, 405, 302),  # POST only
    "agreements:terms": ("agreement_contract", EDIT, 404, 302),
    "agreements:leads": ("agreement_contract", EDIT, 404, 302),
    "agreements:objective_new": ("agreement_contract", EDIT, 404, 302),
    "agreements:objective_edit": ("agreement_objective", EDIT, 404, 302),
    "agreements:objective_remove": ("agreement_objective", {"own": NONE, "other": NONE}, 405, 302),
    "agreements:contribution_new": ("agreement_contract", EDIT, 404, 302),
    "agreements:contribution_edit": ("agreement_contribution", EDIT, 404, 302),
    "agreements:contribution_remove": ("agreement_contribution", {"own": NONE, "other": NONE}, 405, 302),
    # The RCGP's signature form (the practice's and the commissioner's: WRITES and tests/agreements).
    "agreements:sign": ("agreement_sign_rcgp", {"own": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD}),
                                                "other": ADMIN}, 404, 302),
    "api:agreement-list": (None, {"own": ALL}, 404, 401),  # each sees what agreements.access gives them
    "api:agreement-detail": ("agreement_contract", {"own": READERS, "other": ADMIN}, 404, 401),
}


def _version(objects, scope):
    from agreements.models import Agreement

    return Agreement.objects.get(contract__reference=objects[scope]["contract"][0]).version


def _writers(refused_readers=403):
    """The writers may; the agreement's other readers are refused with the reason; NHSE finds nothing (404)."""
    return {"own": {**dict.fromkeys(READERS - WRITERS, refused_readers), **dict.fromkeys(WRITERS, "ok")},
            "other": {ADM: "ok"}}


def _signer(own, other_ok=False):
    return {"own": {**dict.fromkeys(READERS, 403), **dict.fromkeys(own, "ok")}, "other": {ADM: "ok" if other_ok
                                                                                          else 403}}


def _sign(objects, scope):
    return {"version": _version(objects, scope), "name": "A Signatory", "position": "Partner",
            "signed_on": timezone.localdate().isoformat()}


OBJECTIVE = {"group": "ways_of_working", "objective": "Meet weekly", "measure": "Minutes", "achieve_by": "2026-12-31"}
CONTRIBUTION = {"theme": "coaching", "description": "Mentoring", "commissioner_amount": "100.00"}

WRITES = {
    # Drafting again: the matrix's agreement exists, so the writers are told why not (a flashed refusal).
    "agreements:draft": ("agreement_contract", lambda o, s: {}, {
        "own": {**dict.fromkeys(READERS - WRITERS, 403), **dict.fromkeys(WRITERS, "refused")},
        "other": {ADM: "refused"}}),
    "agreements:terms": ("agreement_contract", lambda o, s: {
        "version": _version(o, s), "starts_on": "2026-02-01", "ends_on": "2026-09-30", "exit_strategy": "Exit.",
        "termination_terms": "Three months' notice.", "payment_terms": "In advance."}, _writers()),
    "agreements:leads": ("agreement_contract", lambda o, s: {"version": _version(o, s),
                                                             "strategic_name": "S Lead"}, _writers()),
    "agreements:objective_new": ("agreement_contract", lambda o, s: {"version": _version(o, s), **OBJECTIVE},
                                 _writers()),
    "agreements:objective_edit": ("agreement_objective", lambda o, s: {"version": _version(o, s), **OBJECTIVE,
                                                                       "objective": "Meet fortnightly"},
                                  _writers()),
    "agreements:objective_remove": ("agreement_objective", lambda o, s: {"version": _version(o, s)}, _writers()),
    "agreements:contribution_new": ("agreement_contract", lambda o, s: {"version": _version(o, s), **CONTRIBUTION},
                                    _writers()),
    "agreements:contribution_edit": ("agreement_contribution", lambda o, s: {"version": _version(o, s),
                                                                             **CONTRIBUTION,
                                                                             "description": "More mentoring"},
                                     _writers()),
    "agreements:contribution_remove": ("agreement_contribution", lambda o, s: {"version": _version(o, s)},
                                       _writers()),
    "agreements:sign/practice": ("agreement_sign_practice", _sign, _signer({PL})),
    "agreements:sign/commissioner": ("agreement_sign_commissioner", _sign, _signer({CL})),
    "agreements:sign/rcgp": ("agreement_sign_rcgp", _sign, _signer({ADM, DL}, other_ok=True)),
}
RECORD_WRITES = {"agreements:draft", "agreements:terms", "agreements:leads", "agreements:objective_new",
                 "agreements:objective_edit", "agreements:objective_remove", "agreements:contribution_new",
                 "agreements:contribution_edit", "agreements:contribution_remove", "agreements:sign"}


def add_objects(world, objects):
    from agreements.services import agreement_draft, agreement_terms_update, contribution_add, objective_add

    for scope in ("own", "other"):
        contract = objects[scope]["contract_object"]
        deputy = contract.deputy_lead
        agreement = agreement_draft(contract=contract, actor=deputy)
        agreement_terms_update(agreement=agreement, actor=deputy, base_version=agreement.version,
                               starts_on=datetime.date(2026, 2, 1), ends_on=datetime.date(2026, 8, 31))
        objective = objective_add(agreement=agreement, actor=deputy, base_version=agreement.version + 1,
                                  group="operational_stability", objective="Recruit a GP", measure="In post",
                                  achieve_by=datetime.date(2026, 6, 30))
        contribution = contribution_add(agreement=agreement, actor=deputy, base_version=agreement.version + 2,
                                        theme="workforce", description="Locum cover", commissioner_amount="500")
        reference = contract.reference
        objects[scope].update({
            "agreement_contract": [reference], "agreement_objective": [reference, objective.pk],
            "agreement_contribution": [reference, contribution.pk],
            **{f"agreement_sign_{party}": [reference, party] for party in ("practice", "commissioner", "rcgp")}})
