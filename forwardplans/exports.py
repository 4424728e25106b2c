"""A forward plan's actions as CSV or XLSX: the columns of the plan page."""

from core.exports import export_response


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
