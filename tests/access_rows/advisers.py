"""Access-matrix rows of the RCGP adviser pool (people/adviser_*.py): RCGP admin only. Every other role finds no page
and no record (404), for a GET and for a POST alike; anonymous visitors are sent to sign in.

The records: OWN's and OTHER's team advisers (both in the pool), a conflict of interest of each (with the other
commissioner, so declaring one with the practice is not refused as a second), and an RCGP adviser not yet in the
pool for each scope. Each POST is valid, so RCGP admin's is made ("ok") before the matrix rolls it back."""

from django.utils import timezone

from contracts.models import Adviser, ConflictOfInterest
from people.adviser_services import version_of
from tests.factories import UserFactory
from tests.test_access_matrix import ADM, R

ADMIN = frozenset({ADM})


def _today():
    return timezone.localdate().isoformat()


def _details(objects, scope):
    adviser = Adviser.objects.get(pk=objects[scope]["adviser"][0])
    return {"profession": adviser.profession, "region": adviser.region, "capacity": str(adviser.capacity + 1),
            "active": "yes", "reason": "More time this year", "version": str(version_of(adviser))}


def _declare(objects, scope):
    return {"practice_code": objects[scope]["practice"][0], "description": "Former partner there",
            "declared_on": _today()}


def _end(objects, scope):
    conflict = ConflictOfInterest.objects.get(pk=objects[scope]["pool_conflict"][1])
    return {"ended_on": _today(), "reason": "Left the ICB", "version": str(version_of(conflict))}


MATRIX = {
    "people:advisers": (None, {"own": ADMIN}, 404, 302),
    "people:adviser": ("adviser", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "people:adviser_add": ("pool_candidate", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "people:adviser_conflict_new": ("adviser", {"own": ADMIN, "other": ADMIN}, 404, 302),
    "people:adviser_conflict_end": ("pool_conflict", {"own": ADMIN, "other": ADMIN}, 404, 302),
}

ONLY_ADMIN = {"own": {ADM: "ok"}, "other": {ADM: "ok"}}
WRITES = {
    "people:adviser": ("adviser", _details, ONLY_ADMIN),
    "people:adviser_add": ("pool_candidate", lambda o, s: {"profession": "gp", "region": "North West",
                                                           "capacity": "2"}, ONLY_ADMIN),
    "people:adviser_conflict_new": ("adviser", _declare, ONLY_ADMIN),
    "people:adviser_conflict_end": ("pool_conflict", _end, ONLY_ADMIN),
}
RECORD_WRITES = set(WRITES)


def add_objects(world, objects):
    """A conflict of each scope's team adviser, and an RCGP adviser not in the pool for each scope."""
    for scope, commissioner in (("own", world["other"]), ("other", world["own"])):
        adviser = Adviser.objects.get(pk=objects[scope]["adviser"][0])
        conflict = ConflictOfInterest.objects.create(adviser=adviser, commissioner=commissioner,
                                                     description="Board member")
        objects[scope]["pool_conflict"] = [adviser.pk, conflict.pk]
        objects[scope]["pool_candidate"] = [UserFactory(role=R.RCGP_ADVISER).pk]
