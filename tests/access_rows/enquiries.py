"""Access-matrix rows of the enquiries of every source (contracts/access.py, "Enquiries"). The matrix's existing
rows (contracts:offers, contracts:offer, api:offer-*) keep the special-measures offer; these add the initial
conversation: its matrix record is one the commissioner began about the scope's practice, so its commissioner's
users, RCGP admin and the deputy leads see it, and the practice does not (the practice reads the offers made to it
and the conversations it began). RCGP admin, the deputy leads and the practice's commissioner lead record a
conversation and its outcome; the commissioner's peer support sees it but is refused with the reason (403)."""

import datetime

from django.utils import timezone

from tests.test_access_matrix import ADM, ALL, CL, COMMISSIONER, CPS, DL, R

RECORDERS = frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.COMMISSIONER_LEAD})
SEE_CONVERSATION = {"own": COMMISSIONER | frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD}),
                    "other": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD})}

MATRIX = {
    "contracts:enquiry_new": (None, {"own": RECORDERS}, 404, 302),
    "api:enquiry-list": (None, {"own": ALL}, 404, 401),  # each sees what contracts.access gives them
    "api:enquiry-detail": ("conversation", SEE_CONVERSATION, 404, 401),
}


def _new(objects, scope):
    return {"practice": objects["own"]["contract_object"].practice.ods_code, "source": "commissioner",
            "opened_on-day": "1", "opened_on-month": "4", "opened_on-year": "2026", "programme": "resilience",
            "asked": "Could you help the partners?"}


WRITES = {
    # Only those who record enquiries have the form (404 for the others); a commissioner lead's own practice.
    "contracts:enquiry_new": (None, _new, {"own": dict.fromkeys(RECORDERS, "ok")}),
    # A conversation's outcome: RCGP admin, deputy leads and the practice's commissioner lead; peer support sees it
    # and is refused with the reason.
    "contracts:offer/conversation": ("conversation_page", lambda o, s: {
        "version": 1, "outcome": "not_eligible", "outcome_on": timezone.localdate().isoformat()},
        {"own": {ADM: "ok", DL: "ok", CL: "ok", CPS: 403}, "other": {ADM: "ok", DL: "ok"}}),
}
RECORD_WRITES = {"contracts:enquiry_new"}


def add_objects(world, objects):
    from contracts.enquiry_services import enquiry_record

    admin = world["users"][R.RCGP_ADMIN]
    for scope in ("own", "other"):
        practice = objects[scope]["contract_object"].practice
        enquiry = enquiry_record(practice=practice, source="commissioner", programme="resilience",
                                 opened_on=datetime.date(2026, 3, 2), asked="Partners in dispute: can you help?",
                                 contact_name="Jo Bloggs", actor=admin)
        objects[scope].update({"conversation": [enquiry.pk], "conversation_page": [enquiry.pk]})
