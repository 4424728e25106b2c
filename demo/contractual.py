"""The demo's contractual action: The Duru Practice (Y01124) with a CQC concern notified the working day after
CQC's visit, the risk assessed, a moderate investigation (a practice visit with notice), a decision to issue a
remedial notice, the notice served and its appeal window open.

Through the services, as the demo's commissioner lead. Idempotent: made only once (seed_demo may run again)."""

import datetime

from django.utils import timezone

from contracts.working_days import add_working_days
from contractual import services
from contractual.models import ContractualCase
from core.models import User
from practices.models import Practice

DAY = datetime.timedelta(days=1)


def seed_contractual(log=print):
    lead = User.objects.filter(username="demo-commissioner_lead", is_active=True).first()
    duru = Practice.objects.filter(ods_code="Y01124").select_related("commissioner").first()
    if lead is None or duru is None:
        log("contractual: no demo commissioner lead or no Y01124, skipped")
        return
    if lead.commissioner_id not in (duru.commissioner_id, duru.commissioner.parent_id):
        log("contractual: Y01124 is not the demo commissioner's practice, skipped")
        return
    if ContractualCase.objects.filter(practice=duru).exists():
        return
    today = timezone.localdate()
    visit = today - 40 * DAY
    case = services.case_open(practice=duru, actor=lead, received_on=add_working_days(visit, 1), source="cqc",
                              cqc_visit_on=visit, summary="CQC found repeat prescriptions issued without review and "
                              "no record of significant-event learning.")
    case = services.risk_assess(case=case, actor=lead, version=case.version, outcome="high",
                                assessed_on=today - 35 * DAY, notes="Risk to patients on high-risk medicines.")
    case = services.investigation_open(case=case, actor=lead, version=case.version, level="moderate",
                                       started_on=today - 34 * DAY)
    case = services.investigation_record(case=case, actor=lead, version=case.version, complete=True,
                                         visit_notice_on=today - 34 * DAY, visit_on=today - 27 * DAY,
                                         findings="Medication reviews overdue for 312 patients; no audit trail.",
                                         completed_on=today - 26 * DAY)
    case = services.decision_record(case=case, actor=lead, version=case.version, kind="remedial",
                                    decided_on=today - 7 * DAY, reasons="A breach capable of remedy.")
    notice = services.notice_issue(case=case, actor=lead, version=case.version,
                                   terms_breached="Clause 12.4 (prescribing: repeat prescriptions are reviewed).",
                                   actions_required="Review every overdue repeat prescription and introduce a "
                                   "monthly audit of medication reviews.", dated_on=today - 6 * DAY,
                                   remedy_by=today + 22 * DAY)
    services.notice_serve(notice=notice, actor=lead, version=notice.version, served_on=today - 5 * DAY)
    log("contractual: Y01124 with a CQC concern, a moderate investigation and a remedial notice served")
