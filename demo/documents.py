"""Demo Diagnostic Reports and Forward Plans for DEMO-SHARED (consented) and DEMO-PRIVATE (not)."""

import datetime

from django.utils import timezone

REPORT = {
    "history": "The practice has served Lees and Springhead since 1974. Two long-standing partners retired in "
               "2023 and the remaining partners have relied on locums since.",
    "personnel": "Three partners (2.4 WTE), two salaried GPs, a practice manager appointed in 2024, two nurses and a "
                 "healthcare assistant. No deputy manager.",
    "day_to_day": "Morning telephone queue with most appointments released at 8am. Prescription requests are "
                  "processed by reception without a written protocol.",
    "demographics": "List of about 4,500 patients, older than the Oldham average, with higher prevalence of "
                    "COPD and diabetes. QOF achievement 81% against a local average of 94%.",
    "staff_opinion": "Staff describe a caring team but unclear decision-making and little time for meetings.",
    "patient_opinion": "GP Patient Survey: fewer patients than average find it easy to get through by phone.",
    "findings": "Governance systems are incomplete: no significant-event log reviewed in the past year, "
                "safeguarding training out of date for four staff, and no recall system for high-risk drugs.",
    "conclusions": "The root causes lie in clinical leadership after the partners' retirement and a practice "
                   "manager who is not yet allowed to manage.",
    "recommendations": "Agree a governance framework with named leads; delegate operational management to the "
                       "practice manager; introduce a monitored high-risk drug recall.",
    "good_practice": "Strong relationships with the local care homes; a well-run childhood immunisation clinic.",
}
ROOT_CAUSES = ["inexperienced_partnership", "manager_not_allowed"]

# key question, regulation, action, lead, RAG, completion (days from today), milestones (description, days)
ACTIONS = [
    ("well_led", "Regulation 17 Good governance", "Adopt a governance framework with named leads for each area",
     "Dr Khan (partner)", "amber", 30, [("Draft framework to partners' meeting", -5), ("Framework adopted", 20)]),
    ("safe", "Regulation 12 Safe care and treatment", "Introduce a monitored recall for patients on high-risk drugs",
     "Lead nurse", "red", 14, [("Searches built for methotrexate, lithium and DOACs", -10), ("First recall run", 5)]),
    ("safe", "Regulation 12 Safe care and treatment", "Bring safeguarding training up to date for every staff member",
     "Practice manager", "green", -7, [("Training booked", -40), ("All certificates filed", -8)]),
    ("safe", "Regulation 12 Safe care and treatment", "Write and train staff on a repeat prescribing protocol",
     "Practice pharmacist", "amber", 45, [("Protocol drafted", 6), ("Reception staff trained", 30)]),
    ("effective", "", "Raise QOF achievement to the local average with a monthly review",
     "Dr Patel (salaried GP)", "red", 120, [("QOF lead named", -3), ("First monthly review", 12)]),
    ("effective", "Regulation 17 Good governance", "Start a clinical audit programme with two audits a year",
     "Dr Khan (partner)", "red", 90, [("First audit topic agreed", 25)]),
    ("caring", "", "Identify and support carers on the practice list", "Healthcare assistant", "amber", 60,
     [("Carers register reviewed", 4)]),
    ("responsive", "", "Release appointments through the day and add online booking", "Practice manager", "amber",
     21, [("New telephone message live", -2), ("Online booking switched on", 10)]),
    ("responsive", "Regulation 16 Receiving and acting on complaints", "Log, review and learn from every complaint",
     "Practice manager", "green", -20, [("Complaints log set up", -50)]),
    ("well_led", "Regulation 17 Good governance", "Review significant events monthly and share the learning",
     "Dr Khan (partner)", "red", 10, [("First monthly review meeting", -1), ("Learning shared with staff", 7)]),
    ("well_led", "Regulation 18 Staffing", "Delegate operational management to the practice manager in writing",
     "Partners", "amber", 35, [("Scheme of delegation drafted", 3)]),
]


def write_report(contract, *, actor, sections=None):
    """Write the report the contract's drafting started, section by section (through the services, as an adviser
    would)."""
    from forwardplans import services
    from forwardplans.models import DiagnosticReport

    parts = dict(REPORT if sections is None else sections)
    if sections is None:
        parts["root_causes"] = ROOT_CAUSES
    for part, value in parts.items():
        report = DiagnosticReport.objects.get(contract=contract)
        services.report_part_save(report=report, actor=actor, part=part, value=value,
                                  base_version=report.part_version(part))


def write_plan(contract, *, actor, practice_lead):
    """The forward plan's actions, milestones and the practice's RAG updates, spread over the past weeks."""
    from forwardplans import services
    from forwardplans.models import Action, Milestone, RagChange

    plan = contract.forward_plan
    if plan.actions.exists():
        return
    today = timezone.localdate()
    for priority, (kq, regulation, text, lead, rag, days, milestones) in enumerate(ACTIONS, start=1):
        action = services.action_create(
            plan=plan, actor=actor, key_question=kq, regulation=regulation, priority=priority * 10,
            problem=f"Found at the diagnostic visit: {text.lower()} was not in place.",
            underlying_issue="Leadership capacity after the partners' retirement.",
            action_planned=text, lead_person=lead, responsible=lead, accountable="Dr Khan (partner)",
            resources="Protected time at the weekly meeting.", sources_of_support="RCGP adviser; ICB quality team",
            evidence_needed="Minutes, logs or certificates showing it is done.",
            eventual_goal="Sustained for three months and seen by CQC at re-inspection.",
            planned_completion=today + datetime.timedelta(days=days), next_steps="Review at the next meeting.",
            milestones=[(d, today + datetime.timedelta(days=n)) for d, n in milestones],
        )
        Milestone.objects.filter(action=action, due_on__lt=today - datetime.timedelta(days=6)).update(
            done_on=today - datetime.timedelta(days=7), done_by=practice_lead)
        steps = {"red": [], "amber": ["amber"], "green": ["amber", "green"]}[rag]
        for status in steps:
            action = services.action_set_rag(
                action=action, actor=practice_lead, to_status=status, base_version=action.version,
                reason="Started at the partners' meeting" if status == "amber" else "Completed and checked",
                evidence_justification="Certificates and logs kept in the governance folder" if status == "green"
                else "")
    # Spread the demo's history over the past weeks so the plan's "RAG over time" has a story.
    now = timezone.now()
    Action.history.filter(plan_id=plan.pk, history_type="+").update(history_date=now - datetime.timedelta(days=70))
    RagChange.objects.filter(action__plan=plan, to_status="amber").update(at=now - datetime.timedelta(days=40))
    RagChange.objects.filter(action__plan=plan, to_status="green").update(at=now - datetime.timedelta(days=12))
