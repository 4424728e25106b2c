"""The demo's delivery record: on DEMO-SHARED (Lees Medical Practice) the scoping visit, two structured interviews
(the senior partner and the practice manager), a remote meeting and the review meeting, shared with the practice
and its commissioner, each with the kinds of support given; on DEMO-AWAYDAY the away day's planning visit.

Through the services, as the demo's RCGP team. Idempotent: a contract that already has a delivery record is left
as it is (seed_demo may run again)."""

import datetime

from contracts.models import Contract
from core.models import User
from delivery.models import DeliveryRecord
from delivery.services import delivery_record_create


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _shared_records(contract, adviser, deputy):
    start = contract.commissioned_on
    return [
        (adviser, {"kind": "scoping_visit", "happened_on": start + datetime.timedelta(days=14),
                   "attendees": "Dr Amira Shah, RCGP adviser\nHelen Brooks, RCGP adviser\nSenior partner\n"
                                "Practice manager",
                   "purpose": "Scoping: CQC's report, the practice's view of it, a walk round and the team.",
                   "notes": "A demoralised team: point out the positives. The partners disagree about the rota.",
                   "support_kinds": ["critical_friend", "prioritising"]}),
        (adviser, {"kind": "interview", "happened_on": start + datetime.timedelta(days=14),
                   "attendees": "Dr Amira Shah, RCGP adviser", "interviewee_role": "Senior partner, 14 years in post",
                   "answers": {"role_in_post": "Senior partner for 14 years; plans to retire next year.",
                               "going_well": "Patients value continuity; the nurses are experienced.",
                               "insight": "Accepts the prescribing findings; disputes the governance ones.",
                               "magnitude": "Underestimates how far the governance findings go.",
                               "clinical_leadership": "Partners meet rarely; decisions are left to the manager.",
                               "support_wanted": "Help with a succession plan."},
                   "support_kinds": ["critical_friend"]}),
        (adviser, {"kind": "interview", "happened_on": start + datetime.timedelta(days=15),
                   "attendees": "Helen Brooks, RCGP adviser", "interviewee_role": "Practice manager, 6 months in post",
                   "answers": {"role_in_post": "Practice manager for six months, from a hospital post.",
                               "practice_management": "Not allowed to challenge the partners on the rota.",
                               "staffing_workload": "One salaried GP post vacant; reception sickness.",
                               "quick_wins": "A repeat-prescribing protocol; a significant events log.",
                               "support_wanted": "Templates for policies; a staffing plan."},
                   "support_kinds": ["policies_protocols", "staffing"]}),
        (deputy, {"kind": "remote_meeting", "happened_on": start + datetime.timedelta(days=40),
                  "attendees": "Rachel Owens, RCGP deputy lead\nSenior partner\nPractice manager",
                  "purpose": "Video call: progress on the protocols and the significant events log.",
                  "notes": "Tasks done on time: engagement is good.",
                  "support_kinds": ["policies_protocols", "significant_events_complaints", "forward_planning"],
                  "shared": True}),
        (deputy, {"kind": "review_meeting", "happened_on": start + datetime.timedelta(days=100),
                  "attendees": "Rachel Owens, RCGP deputy lead\nPartners\nPractice manager\nICB quality team",
                  "purpose": "Review of the forward plan before handover.",
                  "decisions": "The plan is agreed; the ICB's peer support takes over the monitoring.",
                  "support_plan": "One more visit to prepare for CQC's return; the ICB reviews monthly.",
                  "support_kinds": ["meetings_facilitated", "stakeholder_liaison", "cqc_preparation"],
                  "shared": True}),
    ]


def seed_delivery(log=print):
    adviser, deputy = _user("demo-rcgp_adviser"), _user("demo-rcgp_deputy_lead")
    helen = _user("adviser-helen-brooks")
    if adviser is None or deputy is None:
        log("delivery: no demo RCGP users, skipped")
        return
    shared = Contract.objects.filter(reference="DEMO-SHARED").first()
    if shared is not None and not DeliveryRecord.objects.filter(contract=shared).exists():
        for actor, fields in _shared_records(shared, adviser, deputy):
            delivery_record_create(contract=shared, actor=actor, **fields)
        log("delivery: DEMO-SHARED's scoping visit, interviews, remote meeting and review meeting")
    awayday = Contract.objects.filter(reference="DEMO-AWAYDAY").first()
    if awayday is not None and helen is not None and not DeliveryRecord.objects.filter(contract=awayday).exists():
        delivery_record_create(
            contract=awayday, actor=helen, kind="visit", happened_on=awayday.commissioned_on + datetime.timedelta(
                days=5), attendees="Helen Brooks, RCGP adviser\nPractice manager",
            purpose="Planning the whole-team away day: aims, agenda and who facilitates.",
            notes="The team wants to talk about workload first.", support_kinds=["meetings_facilitated"],
            shared=True)
        log("delivery: DEMO-AWAYDAY's planning visit")
