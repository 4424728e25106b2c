"""Access-matrix rows of the regions' data returns and England's roll-up (returns/access.py). National NHSE and RCGP
admin read every region's returns; an NHSE regional team its own region's (OWN: the North West, Y62; OTHER: North
East and Yorkshire, Y63); the roll-up is national NHSE's and RCGP admin's. A region's return is submitted by its
regional team or national NHSE; RCGP admin sees it and is refused with the reason (403). Nobody else finds any of it.

The rows use the financial year 2030-31, in which no contract of the matrix falls, so that a submission has no
missing MoU to refuse it; each scope has one return submitted already for its first deadline."""

from core.roles import Role
from tests.test_access_matrix import ADM, ALL, NHSE

R = Role
REG = R.NHSE_REGIONAL
YEAR = 2030
READERS = {"own": frozenset({ADM, NHSE, REG}), "other": frozenset({ADM, NHSE})}
ENGLAND = {"own": frozenset({ADM, NHSE}), "other": frozenset({ADM, NHSE})}
REGIONS = {"own": "Y62", "other": "Y63"}

MATRIX = {
    # The year's page lists the regions its reader may see (both scopes: the same page).
    "returns:returns_year": ("returns_year", {"own": READERS["own"], "other": READERS["own"]}, 404, 302),
    "returns:region_return": ("region_return", READERS, 404, 302),
    "returns:data_return": ("data_return", READERS, 404, 302),
    "returns:data_return_download": ("data_return_download", READERS, 404, 302),
    "returns:rollup": ("rollup", ENGLAND, 404, 302),
    "returns:rollup_download": ("rollup_download", ENGLAND, 404, 302),
    "api:data-return-list": (None, {"own": ALL}, 404, 401),  # each sees the returns of the regions they may
    "api:data-return-detail": ("data_return", READERS, 404, 401),
    "api:returns-rollup": ("financial_year", {"own": frozenset({ADM, NHSE})}, 403, 401),
}

WRITES = {
    # Submitting (a resubmission: each scope's first return is in) with a reason.
    "returns:region_return": ("region_return", lambda o, s: {"version": 1, "reason": "Corrected figures"},
                              {"own": {REG: "ok", NHSE: "ok", ADM: 403}, "other": {NHSE: "ok", ADM: 403}}),
}
RECORD_WRITES = {"returns:region_return"}


def add_objects(world, objects):
    """Each scope's region gets a first return submitted (by national NHSE) for the year's first deadline."""
    from returns.return_services import data_return_submit
    from returns.targets import deadlines_ensure

    deadline = deadlines_ensure(YEAR)[0]
    nhse = world["users"][R.NHSE_REPORTING]
    for scope, region in REGIONS.items():
        submitted = data_return_submit(region=region, deadline=deadline, actor=nhse)
        objects[scope].update({
            "returns_year": [YEAR], "region_return": [YEAR, 1, region], "data_return": [submitted.pk],
            "data_return_download": [submitted.pk, "xlsx"], "rollup": [YEAR, 1],
            "rollup_download": [YEAR, 1, "csv"]})
