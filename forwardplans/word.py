"""Word (.docx) copies of the Diagnostic Report and the Forward Plan, for practices that edit offline.

python-docx writes the text as data, so nothing in a report can become markup or a field code. Every piece of
text goes through ``document_text`` first: a control character pasted from Word (a soft line break) would
otherwise make python-docx refuse the whole document.
"""

import io

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt, RGBColor

from core.text import document_text

from .document_versions import file_name, report_version
from .pdf import inspection_facts, plan_version, root_cause_groups  # the plan's kept versions number its copies
from .selectors import cqc_action_plan, plan_actions, summary_of_groups
from .vocabulary import KEY_QUESTION_CHOICES, REPORT_SECTIONS, Rag, RootCause

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
RAG_COLOURS = {Rag.RED: RGBColor(0xD5, 0x28, 0x1B), Rag.AMBER: RGBColor(0xB2, 0x7A, 0x00),
               Rag.GREEN: RGBColor(0x00, 0x7F, 0x3B)}


def _document(title, contract, version_line):
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    header = document.sections[0].header.paragraphs[0]
    header.text = document_text(f"CONFIDENTIAL – {contract.practice.name} ({contract.practice.ods_code}) – "
                   f"contract {contract.reference}")
    heading = document.add_heading(document_text(title), level=0)
    for run in heading.runs:
        run.font.color.rgb = NHS_BLUE
    document.add_paragraph(document_text(f"{contract.practice.name} ({contract.practice.ods_code}) · contract "
                                         f"{contract.reference} · {contract.get_programme_display()}"))
    document.add_paragraph(f"{version_line} · generated {timezone.localtime():%-d %B %Y at %H:%M}")
    return document


def _bytes(document):
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report_filename(report):
    """"diagnostic-report-H-101-v2.docx": the version of the report the copy shows (document_versions)."""
    return file_name("report", report.contract.reference, report_version(report), "docx")


def plan_filename(plan):
    """"forward-plan-H-101-v3.docx": the plan version (its kept versions) the copy shows."""
    return file_name("plan", plan.contract.reference, plan_version(plan), "docx")


def report_docx(report):
    contract = report.contract
    document = _document("Diagnostic report", contract,
                         f"{report.get_state_display()} (revision {report.revision})")
    for name, heading in REPORT_SECTIONS:
        document.add_heading(heading, level=1)
        text = document_text(getattr(report, report.field_for(name))) or "Not written."
        for paragraph in text.split("\n\n"):
            document.add_paragraph(paragraph)
    document.add_heading("Root causes", level=1)
    for cause in report.root_causes or []:
        document.add_paragraph(RootCause(cause).label, style="List Bullet")
    if not report.root_causes:
        document.add_paragraph("None tagged.")
    return _bytes(document)


def _with_root_causes(action):
    """The underlying issue, then the root causes the action answers by group (one line each)."""
    lines = [f"{group}: {'; '.join(labels)}" for group, labels in root_cause_groups(action.root_causes or [])]
    return document_text("\n".join([action.underlying_issue, *(["Root causes:", *lines] if lines else [])]))


PLAN_COLUMNS = [("Action (SMART)", "action_planned"), ("Problem", "problem"), ("Underlying issue", "underlying_issue"),
                ("Lead", "lead_person"), ("Responsible / accountable", None), ("Evidence needed", "evidence_needed"),
                ("Complete by", None), ("Milestones", None), ("RAG", None)]


def plan_docx(plan):
    contract = plan.contract
    document = _document("Forward plan", contract, plan_version(plan).label)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    groups = plan_actions(plan)
    summary = summary_of_groups(groups)
    document.add_paragraph(
        f"{summary.total} actions: {summary.by_rag['red']} Red, {summary.by_rag['amber']} Amber, "
        f"{summary.by_rag['green']} Green ({summary.percent_complete}% complete); "
        f"{summary.overdue_milestones} overdue milestones; {summary.due_soon} due in the next 14 days.")
    for key_question, actions in groups:
        document.add_heading(document_text(key_question), level=1)
        table = document.add_table(rows=1, cols=len(PLAN_COLUMNS))
        table.style = "Table Grid"
        for cell, (label, _field) in zip(table.rows[0].cells, PLAN_COLUMNS, strict=True):
            cell.text = label
            cell.paragraphs[0].runs[0].bold = True
        for action in actions:
            cells = table.add_row().cells
            for index, (_label, field) in enumerate(PLAN_COLUMNS[:4]):
                cells[index].text = document_text(getattr(action, field))
            cells[2].text = _with_root_causes(action)
            cells[4].text = document_text(f"{action.responsible or '–'} / {action.accountable or '–'}")
            cells[5].text = document_text(action.evidence_needed)
            cells[6].text = f"{action.planned_completion:%-d %B %Y}"
            cells[7].text = document_text("\n".join(
                f"{m.description} – {m.due_on:%-d %b %Y}{' (done)' if m.done_on else ''}"
                for m in action.milestones.all()))
            run = cells[8].paragraphs[0].add_run(action.get_rag_status_display())
            run.bold = True
            run.font.color.rgb = RAG_COLOURS[action.rag_status]
    return _bytes(document)


def cqc_action_plan_filename(plan):
    """"cqc-action-plan-H-101-v3.docx": the plan version the copy shows."""
    return file_name("cqc-action-plan", plan.contract.reference, plan_version(plan), "docx")


CQC_COLUMNS = ["Key questions", "How the regulation was not met", "Underlying issue", "What we will do",
               "Who leads", "Complete by", "Progress", "Evidence"]


def inspection_line(facts):
    """"Inspection published 3 May 2025 (inspected 1 April 2025): Inadequate · CQC location 1-123 · report
    https://…", or that the plan names none."""
    if facts is None:
        return "Inspection: none chosen for this plan."
    when = f"published {facts['published']}" if facts["published"] else "not yet published"
    if facts["inspected"]:
        when += f" (inspected {facts['inspected']})"
    parts = [f"Inspection {when}: {facts['rating']}"]
    if facts["location"]:
        parts.append(f"CQC location {facts['location']}")
    if facts["reference"]:
        parts.append(f"our reference {facts['reference']}")
    if facts["url"]:
        parts.append(f"report {facts['url']}")
    return " · ".join(parts)


def cqc_action_plan_docx(plan):
    """The plan as the practice sends it to CQC (002 Annex 2): the inspection it answers, then a table per regulation
    of the actions answering it (forwardplans.selectors.cqc_action_plan; an action answering two is under both)."""
    contract = plan.contract
    document = _document("CQC action plan", contract, plan_version(plan).label)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_paragraph(document_text(inspection_line(inspection_facts(plan.inspection))))
    document.add_paragraph(document_text(
        f"What {contract.practice.name} is doing about each regulation CQC found it did not meet, from its forward "
        "plan."))
    key_questions = dict(KEY_QUESTION_CHOICES)
    for regulation, actions in cqc_action_plan(plan):
        document.add_heading(document_text(regulation), level=1)
        table = document.add_table(rows=1, cols=len(CQC_COLUMNS))
        table.style = "Table Grid"
        for cell, label in zip(table.rows[0].cells, CQC_COLUMNS, strict=True):
            cell.text = label
            cell.paragraphs[0].runs[0].bold = True
        for action in actions:
            cells = table.add_row().cells
            cells[0].text = ", ".join(key_questions.get(key, key)
                                      for key in [action.key_question, *action.other_key_questions])
            cells[1].text = document_text(action.problem)
            cells[2].text = _with_root_causes(action)
            cells[3].text = document_text(action.action_planned)
            cells[4].text = document_text(action.lead_person)
            cells[5].text = f"{action.planned_completion:%-d %B %Y}"
            run = cells[6].paragraphs[0].add_run(action.get_rag_status_display())
            run.bold = True
            run.font.color.rgb = RAG_COLOURS[action.rag_status]
            cells[7].text = document_text(action.evidence_needed)
    return _bytes(document)
