"""Access-matrix rows of NHS England's targets board, allocations, targets and their API (returns/access.py).
National NHSE and RCGP admin see every region and England; the NHSE regional team (the world's is North West, the
"own" region) sees its own region only; nobody else finds the pages (404) or may use the API (403, as
api:funding). Allocations and targets are national NHSE's to set: the regional team and RCGP admin find no form
(404) and are refused a POST with the reason (403)."""

from tests.test_access_matrix import ADM, NHSE, R

REG = R.NHSE_REGIONAL
SEES = frozenset({NHSE, REG, ADM})
NATIONAL = frozenset({NHSE})

MATRIX = {
    "returns:board": (None, {"own": SEES}, 404, 302),
    "returns:region": ("region_code", {"own": SEES, "other": frozenset({NHSE, ADM})}, 404, 302),
    "returns:allocations": (None, {"own": NATIONAL}, 404, 302),
    "returns:targets": ("target_year", {"own": NATIONAL, "other": NATIONAL}, 404, 302),
    "returns:deadline_edit": ("deadline", {"own": NATIONAL, "other": NATIONAL}, 404, 302),
    "api:returns-figures": (None, {"own": SEES}, 403, 401),
    "api:returns-figures-icbs": (None, {"own": SEES}, 403, 401),
    "api:returns-targets": (None, {"own": SEES}, 403, 401),
    "api:returns-allocation-list": (None, {"own": SEES}, 403, 401),
}

_NATIONAL_WRITE = {NHSE: "ok", REG: 403, ADM: 403}

WRITES = {
    "returns:allocations": (None, lambda o, s: {"region": "Y62", "icb": "", "amount": "1000", "note": "",
                                                "version": "0"}, {"own": _NATIONAL_WRITE}),
    "returns:deadline_edit": ("deadline", lambda o, s: {"due_on-day": "5", "due_on-month": "10", "due_on-year": "2025",
                                                        "due_time": "17:00", "committed_percent": "90",
                                                        "all_mous_agreed": "yes", "version": "1"},
                              {"own": _NATIONAL_WRITE, "other": _NATIONAL_WRITE}),
}
RECORD_WRITES = {"returns:allocations", "returns:deadline_edit"}


def add_objects(world, objects):
    """The regions of the two scopes (own: North West, the regional team's; other: North East and Yorkshire) and
    the 2025-26 targets (the defaults: nothing is saved)."""
    for scope, code in (("own", "Y62"), ("other", "Y63")):
        objects[scope].update({"region_code": [code], "target_year": [2025], "deadline": [2025, 1]})
