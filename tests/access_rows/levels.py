"""Access-matrix rows of levels of support (levels/access.py). Whoever sees the practice sees its level and its
history, on its page, in the list and in the API (the practice rows of the main matrix: "own" every role, "other"
RCGP admin, deputy leads and national NHSE). RCGP admin sets any practice's level, a commissioner lead its own
commissioner's; whoever else sees the practice is refused a POST with the reason (403), anyone else finds nothing
(404). The POST is on the sibling practices, which are not in special measures (the world's "own" and "other"
practices are, where no hand-set change stands), from the version stored then, to a level it is not at."""

from levels.models import PracticeLevel
from tests.test_access_matrix import AD, ADM, CL, CPS, DL, NHSE, NR, PL, PU

ALL = frozenset({ADM, DL, AD, CPS, CL, PU, PL, NHSE, NR})
SEES_OTHER = frozenset({ADM, DL, NHSE})
# Who sees the sibling practices (not the practice's own people, nor the adviser of the practice's contract).
SEES_OWN_SIBLING = frozenset({ADM, DL, NHSE, CPS, CL, NR})


def _change(objects, scope):
    ods_code = objects[scope]["level_practice"][0]
    row = PracticeLevel.objects.filter(practice__ods_code=ods_code).first()
    level = "improvement" if row is not None and row.level == "resilience" else "resilience"
    return {"level": level, "reason": "Agreed at the review", "version": str(row.version if row else 0)}


MATRIX = {
    "levels:list": (None, {"own": ALL}, 404, 302),
    "levels:practice": ("practice", {"own": ALL, "other": SEES_OTHER}, 404, 302),
    "api:level-list": (None, {"own": ALL}, 404, 401),
    "api:level-change-list": (None, {"own": ALL}, 404, 401),
}

WRITES = {
    "levels:practice": ("level_practice", _change,
                        {"own": {**dict.fromkeys(SEES_OWN_SIBLING, 403), ADM: "ok", CL: "ok"},
                         "other": {**dict.fromkeys(SEES_OTHER, 403), ADM: "ok"}}),
}
RECORD_WRITES = {"levels:practice"}


def add_objects(world, objects):
    """The GET rows name the practices the main matrix already adds (``practice``); the POSTs their siblings."""
    for scope in ("own", "other"):
        objects[scope]["level_practice"] = [world["practices"][f"{scope}_sibling"].ods_code]
