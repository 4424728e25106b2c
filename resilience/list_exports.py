"""CSV/XLSX downloads of the lists people see in the browser (same filters, every matching row).

Each list names its columns once here; values come from querysets the view already took from the
access policy. Free text that could be a spreadsheet formula is neutralised by resilience.exports.
"""

from contracts.referral_services import acknowledgement_status
from practices.ratings import KEY_QUESTIONS
from practices.selectors import attach_current_key_questions

from .exports import export_response

EXPORT_FORMATS = ("csv", "xlsx")


def wanted(request):
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


def practices_export(fmt, practices):
    practices = attach_current_key_questions(list(practices))
    header = ["ODS code", "Practice", "Postcode", "Commissioner", "Status", "List size", "Current rating",
              "Published", *[label for _f, _a, label in KEY_QUESTIONS], "In special measures", "Re-inspection due"]
    rows = []
    for p in practices:
        current, sm = p.current_key_questions, p.special_measures
        rows.append([p.ods_code, p.name, p.postcode, p.commissioner.name, p.get_status_display(), p.list_size,
                     p.current_rating or "", p.current_published_on,
                     *[(current[f] if current else "") for f, _a, _l in KEY_QUESTIONS],
                     "yes" if sm.active else "no", sm.reinspection_due])
    return export_response(fmt, "practices", header, rows)


def contracts_export(fmt, contracts):
    header = ["Reference", "Practice ODS code", "Practice", "Commissioner", "Programme", "State", "Commissioned",
              "Deputy lead", "Advisers on team", "First contact", "Rating before", "Rating after", "Outcome",
              "Value", "Ended", "End reason"]
    rows = [[c.reference, c.practice.ods_code, c.practice.name, c.commissioner.name, c.get_programme_display(),
             c.get_state_display(), c.commissioned_on,
             (c.deputy_lead.get_full_name() or c.deputy_lead.username) if c.deputy_lead else "",
             c.team_size, c.first_contact_status(), c.rating_before, c.rating_after,
             c.outcome.label if c.outcome else "", c.value, c.ended_on, c.get_end_reason_display()]
            for c in contracts]
    return export_response(fmt, "contracts", header, rows)


def referrals_export(fmt, referrals):
    header = ["Received", "Practice ODS code", "Practice", "Commissioner", "Status", "Priority",
              "Acknowledgement due", "Acknowledged", "Acknowledgement"]
    rows = [[r.received_on, r.practice.ods_code, r.practice.name, r.commissioner.name, r.get_status_display(),
             r.get_priority_display(), r.acknowledgement_due, r.acknowledged_on, acknowledgement_status(r).label]
            for r in referrals]
    return export_response(fmt, "referrals", header, rows)


def actions_export(fmt, plan, groups):
    header = ["Key question", "Regulation", "Problem", "Underlying issue", "Action (SMART)", "Lead", "Responsible",
              "Accountable", "Evidence needed", "Planned completion", "RAG", "Milestones done", "Milestones"]
    rows = []
    for key_question, actions in groups:
        for a in actions:
            milestones = list(a.milestones.all())
            rows.append([key_question, a.regulation, a.problem, a.underlying_issue, a.action_planned, a.lead_person,
                         a.responsible, a.accountable, a.evidence_needed, a.planned_completion,
                         a.get_rag_status_display(), sum(1 for m in milestones if m.done_on), len(milestones)])
    return export_response(fmt, f"forward-plan-{plan.contract.reference}", header, rows)
