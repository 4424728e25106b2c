"""The demo's breached regulations, CQC enforcement and a record of what patients were told, on the Inadequate
reports of the demo practices that went into special measures (the real Oldham history seed_demo imports).

CQC's location records carry neither breaches nor enforcement, so these are entered as RCGP admin would enter them
from the report: they are illustrative, not read from the real reports, and say so. Idempotent: breaches are
entered only while an inspection has none, and each enforcement and patient record only once."""

import datetime

from core.models import User
from core.roles import Role
from practices.models import Enforcement, Inspection, PatientInformation, Practice
from practices.regulation_services import (
    breaches_version,
    enforcement_record,
    inspection_record_breaches,
    patient_information_record,
)
from practices.regulations import EnforcementKind

D = datetime.date
ILLUSTRATIVE = "Demo data: illustrative, not taken from the CQC report"

# (practice, publication date of its Inadequate report, regulations breached,
#  [(kind, regulations, ended on the next report?)])
BREACHES = [
    # Lees Medical Practice (the demo practice): special measures 2017-2018, left rated Good.
    ("P85022", D(2017, 7, 6), ["12", "17"],
     [(EnforcementKind.REQUIREMENT_NOTICE, ["17"], True), (EnforcementKind.WARNING_NOTICE, ["12"], True)]),
    # The Duru Practice, in special measures now: both notices still in force.
    ("Y01124", D(2023, 6, 23), ["12", "17", "18"],
     [(EnforcementKind.WARNING_NOTICE, ["12"], False), (EnforcementKind.REQUIREMENT_NOTICE, ["17", "18"], False)]),
]
# Lees Medical Practice told its patients soon after the report; The Duru Practice has nothing recorded, so its
# page prompts the commissioner.
TOLD = ("P85022", D(2017, 7, 20), "What the Inadequate rating means, what the practice is doing about it and "
        "when CQC will visit again. Patients were invited to the patient participation group meeting.",
        ["waiting_room", "practice_website", "ppg"], "Dr A Khan, senior partner")


def seed_regulation(log=print):
    admin = User.objects.filter(role=Role.RCGP_ADMIN, username="demo-rcgp_admin").first()
    if admin is None:
        log("breaches and enforcement: no demo RCGP admin, skipped")
        return
    for ods_code, published, regulations, notices in BREACHES:
        inspection = Inspection.objects.rated().filter(practice__ods_code=ods_code, publication_date=published,
                                                       overall_rating="inadequate").select_related("practice").first()
        if inspection is None:
            log(f"breaches of {ods_code}: no Inadequate report of {published}, skipped")
            continue
        if not inspection.breached_regulations:
            inspection_record_breaches(inspection=inspection, regulations=regulations, reason=ILLUSTRATIVE,
                                       actor=admin, base_version=breaches_version(inspection))
            inspection.refresh_from_db()
        following = (Inspection.objects.rated().filter(practice=inspection.practice, publication_date__gt=published)
                     .order_by("publication_date").values_list("publication_date", flat=True).first())
        for kind, cited, ends in notices:
            if Enforcement.objects.filter(inspection=inspection, kind=kind).exists():
                continue
            enforcement_record(practice=inspection.practice, inspection=inspection, actor=admin, kind=kind,
                               regulations=cited, issued_on=published,
                               comply_by=published + datetime.timedelta(days=90),
                               ended_on=following if ends else None, summary=ILLUSTRATIVE)
        log(f"breaches and enforcement of {ods_code}: {', '.join(inspection.breached_regulations)}; "
            f"{inspection.enforcements.count()} enforcement action(s)")
    ods_code, told_on, what, channels, person = TOLD
    practice = Practice.objects.filter(ods_code=ods_code).first()
    lead = User.objects.filter(role=Role.PRACTICE_LEAD, practice=practice).order_by("pk").first()
    if practice is None or lead is None:
        log(f"patients told at {ods_code}: no practice or practice lead, skipped")
        return
    if not PatientInformation.objects.filter(practice=practice, told_on=told_on).exists():
        patient_information_record(practice=practice, actor=lead, told_on=told_on, what=what, channels=channels,
                                   senior_responsible_person=person)
    log(f"patients told at {ods_code}: recorded {told_on:%-d %B %Y}")
