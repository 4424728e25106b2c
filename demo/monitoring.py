"""The demo's commissioner monitoring: a visit to Lees Medical Practice (P85022, the demo peer support's practice)
with a follow-up due soon, a readiness review of The Duru Practice (Y01124, in special measures) before CQC comes
back, and, once DEMO-SHARED is handed over to the commissioner, a review note on one of its actions.

Through the services, as the demo's users. Idempotent: each is made only once (seed_demo may run again)."""

import datetime

from django.utils import timezone

from casework.services import case_move
from contracts.models import Contract
from contracts.workflow import State
from core.models import User
from forwardplans.vocabulary import ConsentStatus
from monitoring.models import READINESS_AREAS, ActionReviewNote, Kind, MonitoringRecord, ReadinessReview
from monitoring.services import action_review_note_add, monitoring_record_create, readiness_review_record
from practices.models import Practice

VISIT_SUMMARY = ("Visited the practice with the practice manager. The new appointment system is in place; the "
                 "repeat-prescribing backlog is down to two days. Agreed to look again at the clinical audit plan.")
NOTE = ("Peer support visit since handover: the practice's governance meetings now run monthly with minutes. "
        "The action stays with the practice to complete; RAG status unchanged.")
CHECKLIST_STATUS = {"engagement": "yes", "gp_performance": "yes", "progress_safe": "partly",
                    "progress_effective": "partly", "progress_caring": "yes", "progress_responsive": "yes",
                    "progress_well_led": "partly", "outstanding_actions": "partly", "no_new_issues": "yes",
                    "evidence_ready": "partly", "staffing": "no", "patient_information": "no"}


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def seed_monitoring(log=print):
    peer = _user("demo-commissioner_peer_support")
    lead = _user("demo-commissioner_lead")
    if peer is None or lead is None:
        log("monitoring: no demo commissioner users, skipped")
        return
    today = timezone.localdate()
    lees = Practice.objects.filter(ods_code="P85022").select_related("commissioner").first()
    if lees is not None and not MonitoringRecord.objects.filter(practice=lees, kind=Kind.VISIT).exists():
        monitoring_record_create(
            practice=lees, actor=peer, kind=Kind.VISIT, happened_on=today - datetime.timedelta(days=5),
            people="Sam Taylor, commissioner peer support\nPractice manager, Lees Medical Practice",
            summary=VISIT_SUMMARY, shared_with_practice=True,
            follow_ups=[{"what": "Check the clinical audit plan with the practice manager",
                         "due_on": today + datetime.timedelta(days=3), "owner": peer}])
        log("monitoring: a visit to P85022 with a follow-up")
    duru = Practice.objects.filter(ods_code="Y01124").select_related("commissioner").first()
    if duru is not None and not ReadinessReview.objects.filter(practice=duru).exists():
        if lead.commissioner_id in (duru.commissioner_id, duru.commissioner.parent_id):
            readiness_review_record(
                practice=duru, actor=lead, reviewed_on=today - datetime.timedelta(days=2),
                checklist={key: {"status": CHECKLIST_STATUS[key], "note": ""} for key, _q in READINESS_AREAS}
                | {"staffing": {"status": "no", "note": "The second GP partner post is still vacant."}},
                readiness="partly", notes="Demo data: a review before CQC's re-inspection.")
            log("monitoring: a readiness review of Y01124")
        else:
            log("monitoring: Y01124 is not the demo commissioner's practice, readiness review skipped")
    _seed_review_note(lead, peer, log)


def _seed_review_note(lead, peer, log):
    """DEMO-SHARED is handed over to the commissioner (from its review meeting), and its peer support team notes
    its support on the plan's first action."""
    contract = Contract.objects.filter(reference="DEMO-SHARED").select_related("consent").first()
    if contract is None or not hasattr(contract, "forward_plan"):
        log("monitoring: no DEMO-SHARED plan, review note skipped")
        return
    action = contract.forward_plan.actions.order_by("pk").first()
    if action is None or ActionReviewNote.objects.filter(action__plan__contract=contract).exists():
        return
    if contract.state == State.REVIEW_MEETING:
        contract = case_move(contract=contract, move="hand_over", actor=lead)
    consent = getattr(contract, "consent", None)
    if contract.state != State.HANDED_OVER or consent is None or consent.status != ConsentStatus.GIVEN:
        log("monitoring: DEMO-SHARED is not handed over with consent, review note skipped")
        return
    action = contract.forward_plan.actions.select_related("plan__contract").order_by("pk").first()  # as it is now
    action_review_note_add(action=action, actor=peer, note=NOTE)
    log("monitoring: DEMO-SHARED handed over, with a review note on its first action")
