"""The demo's initial conversations (contracts.Enquiry, issue 21): one from the practice whose conversation became
DEMO-NEW's contract, one a commissioner raised that the practice declined, one from CQC about a practice not
eligible, and one from NHS England awaiting an outcome. Dated back from today. Idempotent: a conversation is found
again by its practice, source and question, and an outcome is recorded only while none is."""

import datetime

from django.utils import timezone

from contracts.enquiry_models import Enquiry
from contracts.enquiry_services import enquiry_record, enquiry_record_reply
from contracts.models import Contract
from core.models import User
from core.roles import Role
from practices.models import Practice

# (practice ODS code, source, programme, days ago, who got in touch, what was asked, outcome, days ago decided,
# the contract it became)
CONVERSATIONS = [
    ("P85014", "practice", "resilience", 10, "Practice manager",
     "Two partners are retiring and the list is growing: could the programme help us plan for it?",
     "accepted", 3, "DEMO-NEW"),
    ("P85004", "commissioner", "resilience", 40, "Primary care commissioning manager",
     "Complaints have risen since the merger: would the practice take up resilience support?",
     "declined", 30, None),
    ("P85003", "cqc", "cqc_preparation", 35, "CQC inspection manager",
     "Could the programme prepare the practice for its focused inspection next month?",
     "not_eligible", 28, None),
    ("P85007", "nhse", "ongoing_support", 5, "Regional primary care lead",
     "The practice asked NHS England about support after its new manager starts.",
     None, None, None),
]


def seed_enquiries(log=print):
    admin = User.objects.filter(role=Role.RCGP_ADMIN, username="demo-rcgp_admin").first()
    if admin is None:
        log("enquiries: no demo RCGP admin, skipped")
        return
    today = timezone.localdate()
    for ods_code, source, programme, days_ago, contact, asked, outcome, decided_ago, reference in CONVERSATIONS:
        practice = Practice.objects.filter(ods_code=ods_code).first()
        if practice is None:
            log(f"enquiry about {ods_code}: no such practice, skipped")
            continue
        enquiry = Enquiry.objects.filter(practice=practice, source=source, asked=asked).first()
        if enquiry is None:
            enquiry = enquiry_record(practice=practice, source=source, programme=programme,
                                     opened_on=today - datetime.timedelta(days=days_ago), asked=asked,
                                     contact_name=contact, actor=admin)
        if outcome and not enquiry.outcome:
            contract = Contract.objects.filter(reference=reference).first() if reference else None
            if reference and contract is None:
                log(f"enquiry about {ods_code}: no contract {reference}, its outcome is left to record")
            else:
                enquiry = enquiry_record_reply(enquiry=enquiry, outcome=outcome,
                                               on=today - datetime.timedelta(days=decided_ago), contract=contract,
                                               version=enquiry.version, actor=admin)
        log(f"enquiry about {ods_code} ({enquiry.get_source_display()}): {enquiry.status().label.lower()}")
