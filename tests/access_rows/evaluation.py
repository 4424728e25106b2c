"""Access-matrix rows of the evaluation at closure (evaluation/access.py). Its records sit on a contract of each scope
handed over (the matrix's own contracts are at the consent decision, before closure): OWN's is led by the world's
deputy lead with its adviser on the team, OTHER's by the other RCGP team. Each has the practice's feedback and an
anonymised draft case study; OWN's adviser has not written a reflection yet."""

from contracts.models import TeamMembership
from core.roles import Role
from tests.test_access_matrix import AD, ADM, ALL, CL, CPS, DL, NONE, PL, PU

R = Role
TEAM = frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER})
PRACTICE = frozenset({R.PRACTICE_USER, R.PRACTICE_LEAD})
COMMISSIONER = frozenset({R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD})
ADMIN = frozenset({R.RCGP_ADMIN})
COUNTS = frozenset({R.RCGP_ADMIN, R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD, R.NHSE_REPORTING,
                    R.NHSE_REGIONAL})

MATRIX = {
    # Counts by commissioner and year: RCGP admin and national NHSE all, a commissioner's users their own, an NHSE
    # regional team its region's.
    "evaluation:counts": (None, {"own": COUNTS}, 404, 302),
    # The practice's feedback: the practice and the contract's RCGP team (its lead gives it).
    "evaluation:feedback": ("evaluation_contract", {"own": TEAM | PRACTICE, "other": ADMIN}, 404, 302),
    # Reflections: RCGP only; each adviser and the deputy lead write their own (RCGP admin reads them).
    "evaluation:reflections": ("evaluation_contract", {"own": TEAM, "other": ADMIN}, 404, 302),
    "evaluation:reflection": ("evaluation_contract", {"own": frozenset({R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}),
                                                      "other": NONE}, 404, 302),
    # Case studies: drafted by the RCGP team or the commissioner, read by the practice too; its naming choice is the
    # practice lead's. NHSE reads final ones through the API only.
    "evaluation:case_study_new": ("evaluation_contract", {"own": TEAM | COMMISSIONER, "other": ADMIN}, 404, 302),
    "evaluation:case_study": ("case_study", {"own": TEAM | COMMISSIONER | PRACTICE, "other": ADMIN}, 404, 302),
    "evaluation:case_study_edit": ("case_study", {"own": TEAM | COMMISSIONER, "other": ADMIN}, 404, 302),
    "evaluation:case_study_naming": ("case_study", {"own": frozenset({R.PRACTICE_LEAD}), "other": NONE}, 404, 302),
    "api:case-study-list": (None, {"own": ALL}, 404, 401),  # each sees what evaluation.access gives them
    "api:case-study-counts": (None, {"own": COUNTS}, 403, 401),
}


def _feedback(objects, scope):
    from evaluation.vocabulary import PRACTICE_FEEDBACK_STATEMENTS

    return {**{key: "5" for key, _statement in PRACTICE_FEEDBACK_STATEMENTS}, "went_well": "Listening.",
            "version": 1}


CASE_STUDY = {"title": "Changed", "support_category": "coaching", "naming": "anonymised", "summary": "Support.",
              "what_worked": "Visits.", "what_did_not": "Meetings.", "status": "draft"}

WRITES = {
    "evaluation:feedback": ("evaluation_contract", _feedback,
                            {"own": {PL: "ok", PU: 403, ADM: 403, DL: 403, AD: 403}, "other": {ADM: 403}}),
    "evaluation:reflection": ("evaluation_contract", lambda o, s: {"what_worked": "Visits.",
                                                                   "what_did_not": "Meetings.", "lessons": "Dates."},
                              {"own": {DL: "ok", AD: "ok", ADM: 403}, "other": {ADM: 403}}),
    "evaluation:case_study_new": ("evaluation_contract", lambda o, s: CASE_STUDY,
                                  {"own": {**dict.fromkeys((ADM, DL, AD, CPS, CL), "ok"), PU: 403, PL: 403},
                                   "other": {ADM: "ok"}}),
    "evaluation:case_study_edit": ("case_study", lambda o, s: {**CASE_STUDY, "version": 1},
                                   {"own": {**dict.fromkeys((ADM, DL, AD, CPS, CL), "ok"), PU: 403, PL: 403},
                                    "other": {ADM: "ok"}}),
    "evaluation:case_study_naming": ("case_study", lambda o, s: {"naming": "named", "version": 1},
                                     {"own": {PL: "ok", **dict.fromkeys((ADM, DL, AD, CPS, CL, PU), 403)},
                                      "other": {ADM: 403}}),
}
RECORD_WRITES = {name.split("/")[0] for name in WRITES}


def add_objects(world, objects):
    from evaluation.services import case_study_create, practice_feedback_give
    from evaluation.vocabulary import PRACTICE_FEEDBACK_STATEMENTS
    from tests.factories import ContractFactory

    for scope in ("own", "other"):
        consent = objects[scope]["contract_object"]
        contract = ContractFactory(reference=f"{scope.upper()}-EV", practice=consent.practice,
                                   deputy_lead=consent.deputy_lead, state="handed_over")
        TeamMembership.objects.create(contract=contract, adviser=TeamMembership.objects.get(contract=consent).adviser,
                                      added_by=consent.deputy_lead)
        practice_feedback_give(contract=contract, actor=objects[scope]["practice_lead"],
                               answers={key: 4 for key, _statement in PRACTICE_FEEDBACK_STATEMENTS})
        study = case_study_create(contract=contract, actor=consent.deputy_lead, support_category="diagnostic",
                                  naming="anonymised", title="A case study", summary="Support.",
                                  what_worked="Visits.", what_did_not="Meetings.")
        objects[scope].update({"evaluation_contract": [contract.reference], "case_study": [study.pk]})
