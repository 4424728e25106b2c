"""Access-matrix rows of the delivery record (delivery/access.py): RCGP-only unless marked shared. The contract's
RCGP team (its deputy lead, the adviser on it, RCGP admin) reads and writes every record; the practice's and
commissioner's users read the shared ones (the matrix's record is a shared review meeting) and are refused a write
with the reason; NHSE sees the contract but no delivery record (404); another organisation's: RCGP admin only."""

from django.utils import timezone

from tests.test_access_matrix import AD, ADM, ADMIN, ALL, COMMISSIONER, DL, PRACTICE, TEAM, _on_contract, _today

READERS = TEAM | PRACTICE | COMMISSIONER

MATRIX = {
    "delivery:contract": ("delivery_contract", {"own": READERS, "other": ADMIN}, 404, 302),
    "delivery:meeting_new": ("delivery_contract", {"own": TEAM, "other": ADMIN}, 404, 302),
    "delivery:interview_new": ("delivery_contract", {"own": TEAM, "other": ADMIN}, 404, 302),
    "delivery:review_new": ("delivery_contract", {"own": TEAM, "other": ADMIN}, 404, 302),
    "delivery:record": ("delivery_record", {"own": READERS, "other": ADMIN}, 404, 302),
    "delivery:record_edit": ("delivery_record", {"own": TEAM, "other": ADMIN}, 404, 302),
    "api:delivery-record-list": (None, {"own": ALL}, 404, 401),  # each sees what delivery.access gives them
    "api:delivery-record-detail": ("delivery_record", {"own": READERS, "other": ADMIN}, 404, 401),
}

# A new record: whoever sees the contract but is not its RCGP team is refused with the reason (403), NHSE too.
WRITES = {
    "delivery:meeting_new": ("delivery_contract", lambda o, s: {"kind": "visit", "happened_on": _today(),
                                                                "purpose": "Seen.", "shared": "no"},
                             _on_contract({ADM, DL, AD}, 403)),
    "delivery:interview_new": ("delivery_contract", lambda o, s: {"happened_on": _today(),
                                                                  "interviewee_role": "Partner",
                                                                  "answer_insight": "Accepts them."},
                               _on_contract({ADM, DL, AD}, 403)),
    "delivery:review_new": ("delivery_contract", lambda o, s: {"happened_on": _today(), "decisions": "Agreed.",
                                                               "shared": "yes"},
                            _on_contract({ADM, DL, AD}, 403)),
    # The shared review meeting: its readers outside the team are refused with the reason; NHSE does not see it.
    "delivery:record_edit": ("delivery_record", lambda o, s: {"happened_on": _today(), "decisions": "Changed.",
                                                              "shared": "yes", "version": 1},
                             {"own": {**dict.fromkeys(PRACTICE | COMMISSIONER, 403), ADM: "ok", DL: "ok", AD: "ok"},
                              "other": {ADM: "ok"}}),
}
RECORD_WRITES = {"delivery:meeting_new", "delivery:interview_new", "delivery:review_new", "delivery:record_edit"}


def add_objects(world, objects):
    from delivery.services import delivery_record_create

    for scope in ("own", "other"):
        contract = objects[scope]["contract_object"]
        record = delivery_record_create(contract=contract, actor=contract.deputy_lead, kind="review_meeting",
                                        happened_on=timezone.localdate(), attendees="Practice\nRCGP",
                                        decisions="Agree the plan.", support_kinds=["prioritising"], shared=True)
        objects[scope].update({"delivery_contract": [contract.reference], "delivery_record": [record.pk]})
