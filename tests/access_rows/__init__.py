"""Rows of the access matrix (tests/test_access_matrix.py) for the apps that record a contract's delivery, one
module each, so that each app's rows sit beside one another rather than in one long file.

Each module defines ``MATRIX`` (GET rows, as in the main file), ``WRITES`` (POST rows), ``RECORD_WRITES`` (the
state-changing URL names its WRITES cover) and ``add_objects(world, objects)``, which adds the records its rows
name to the ``organisations`` fixture's ``objects`` (both scopes: "own" and "other"). They may import the helpers
(``_only``, ``_on_contract``, the role abbreviations) from tests.test_access_matrix: they are imported at its end.
"""

import importlib

MODULES = ["enquiries", "agreements", "delivery", "finance", "evaluation", "returns_data", "returns_board", "events",
           "people", "advisers", "sign_in", "accounts",
           "levels"]


def _modules():
    found = []
    for name in MODULES:
        try:
            found.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    return found


def extend(matrix, writes):
    for module in _modules():
        overlap = (set(matrix) & set(module.MATRIX)) | (set(writes) & set(module.WRITES))
        assert not overlap, f"{module.__name__} repeats rows: {sorted(overlap)}"
        matrix.update(module.MATRIX)
        writes.update(module.WRITES)


def record_writes():
    return set().union(*(module.RECORD_WRITES for module in _modules()))


def add_objects(world, objects):
    for module in _modules():
        module.add_objects(world, objects)
