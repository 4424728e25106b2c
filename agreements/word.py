"""The agreement as a Word (.docx) copy to sign (python-docx, as forwardplans/word.py): the parties, background,
each party's responsibilities in the seeds' words (002 Annex 1, 003 Annex D), the leads, the objectives by group,
the contributions, the exit strategy, the termination and payment terms, and a signature block with the signatures
and dates given so far. Every piece of text goes through ``document_text`` (a pasted control character would make
python-docx refuse the document)."""

import io

from docx import Document
from docx.shared import Pt, RGBColor

from core.text import document_text

from . import selectors

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)

BACKGROUND = [
    "The RCGP provides a programme of expert peer advice and support for GP practices in difficulty: a package of "
    "expert professional advice, support and peer mentoring from senior GPs, practice managers and nurse "
    "practitioners with specialist expertise in quality improvement, coordinated by the RCGP, drawing on insight "
    "and support from other local practices and professional leaders, including the LMC and the commissioner.",
    "The RCGP will support the Practice in drawing up, or refining, its improvement plan, agreed with the "
    "commissioner and tailored to the needs identified by CQC. The duration and sequencing are agreed at the outset, "
    "although reasonable efforts will be made to adapt the support to changing circumstances in the Practice.",
    "The Practice is at liberty to engage other support in addition to this programme.",
]
RCGP_RESPONSIBILITIES = [
    "The RCGP undertakes to operate to the very highest professional standards. It will work supportively and "
    "non-judgmentally, adopting a coaching, mentoring and advisory approach to help the Practice gain insight into "
    "the problems identified by CQC and from other local feedback, and will develop solutions in partnership with "
    "the Practice.",
    "The RCGP will respect the confidentiality of the Practice and the individuals within it, except where it has "
    "a duty to report back to NHS England or the commissioner, or to raise concerns regarding matters such as "
    "serious professional misconduct or fraud.",
    "Upon return of a signed agreement, the RCGP will arrange a meeting with key persons within the Practice and "
    "help the Practice develop an improvement plan tailored to its needs and achievable within the funding, "
    "timescales and other logistical considerations.",
    "The RCGP will seek anonymised feedback from the Practice, its patients and other relevant stakeholders to "
    "inform the evaluation of the programme.",
    "The RCGP will not provide support beyond the scope or period agreed. It provides peer support, advice and "
    "mentorship, but is not responsible for the Practice's success or failure in its CQC re-assessment; specific "
    "results cannot be guaranteed.",
]
PRACTICE_RESPONSIBILITIES = [
    "The Practice team will participate fully in this programme of support, and specifically in implementing and "
    "co-operating with the improvement plan. This requires GPs, the practice manager and other staff as needed to "
    "commit to meetings with the RCGP. A high level of commitment is essential for success.",
    "Where the Practice engages other support, it will liaise with the RCGP to ensure the value of all support is "
    "maximised and duplication avoided.",
    "The Practice will share all information relevant to the development and implementation of the improvement "
    "plan with the RCGP.",
    "The Practice will provide anonymised feedback as part of the evaluation of the programme, and facilitate a "
    "suitable mechanism for the RCGP to gather feedback from patients.",
    "The Practice retains full responsibility for all aspects of its contractual and professional obligations "
    "regarding the provision of services to its patients.",
]
COMMISSIONER_RESPONSIBILITIES = [
    "The commissioner will share any relevant information with the RCGP that may inform its intervention.",
    "The commissioner will agree the improvement plan with the Practice, CQC and the RCGP in a timely fashion.",
    "The commissioner will support the programme by providing relevant expertise if requested by the RCGP.",
]


def _money(value):
    return f"£{value:,.2f}" if value is not None else ""


def _heading(document, text, level=1):
    heading = document.add_heading(document_text(text), level=level)
    for run in heading.runs:
        run.font.color.rgb = NHS_BLUE


def _numbered(document, paragraphs):
    for number, text in enumerate(paragraphs, 1):
        document.add_paragraph(document_text(f"{number}. {text}"))


def _table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = document_text(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = document_text(str(text or ""))
    return table


def _date(value):
    return f"{value:%-d %B %Y}" if value else ""


def agreement_docx(agreement):
    """The .docx bytes of ``agreement`` (loaded by selectors.agreement_of)."""
    contract = agreement.contract
    practice, commissioner = contract.practice, contract.commissioner
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.sections[0].header.paragraphs[0].text = document_text(
        f"{practice.name} ({practice.ods_code}) – contract {contract.reference} – agreement version "
        f"{agreement.version}")
    _heading(document, "Agreement", level=0)
    document.add_paragraph("Between")
    for party in ("The Royal College of General Practitioners (RCGP)", f"{commissioner.name} (the commissioner)",
                  f"{practice.name} ({practice.ods_code}) (the Practice)"):
        document.add_paragraph(document_text(party), style="List Bullet")
    document.add_paragraph(document_text(
        f"This Agreement sets out the terms and understanding agreed between the RCGP, {commissioner.name} and "
        f"{practice.name} for the programme of support for the Practice."))
    period = (f"Support runs from {_date(agreement.starts_on)} to {_date(agreement.ends_on)}."
              if agreement.starts_on and agreement.ends_on else "The dates of support are to be agreed.")
    document.add_paragraph(period)

    _heading(document, "Background")
    for text in BACKGROUND:
        document.add_paragraph(document_text(text))
    _heading(document, "RCGP responsibilities")
    _numbered(document, RCGP_RESPONSIBILITIES)
    _heading(document, "Practice responsibilities")
    _numbered(document, PRACTICE_RESPONSIBILITIES)
    _heading(document, "Commissioner responsibilities")
    _numbered(document, COMMISSIONER_RESPONSIBILITIES)

    _heading(document, "Leads")
    _table(document, ["Lead", "Name", "Role", "Organisation", "E-mail", "Phone"],
           [(lead.get_kind_display(), lead.name, lead.role, lead.organisation, lead.email, lead.phone)
            for lead in selectors.leads_in_order(agreement)])

    _heading(document, "Objectives")
    for label, objectives in selectors.objectives_by_group(agreement):
        _heading(document, label, level=2)
        if not objectives:
            document.add_paragraph("None.")
            continue
        _table(document, ["Objective", "How we will know", "Achieve by"],
               [(o.objective, o.measure, _date(o.achieve_by)) for o in objectives])

    _heading(document, "Contributions")
    contributions = list(agreement.contributions.all())
    if contributions:
        _table(document, ["Theme", "Service commissioned or agreed", "NHSE/commissioner contribution",
                          "Practice in-kind contribution", "RCGP contribution"],
               [(c.get_theme_display(), c.description,
                 " ".join(filter(None, [_money(c.commissioner_amount), c.commissioner_detail])),
                 c.practice_in_kind, " ".join(filter(None, [_money(c.rcgp_amount), c.rcgp_detail])))
                for c in contributions])
        totals = selectors.contribution_totals(contributions)
        document.add_paragraph(f"Total sums: NHSE/commissioner {_money(totals['commissioner'])}; "
                               f"RCGP {_money(totals['rcgp'])}.")
    else:
        document.add_paragraph("None recorded.")

    for title, text in (("Exit strategy", agreement.exit_strategy), ("Termination", agreement.termination_terms),
                        ("Payment", agreement.payment_terms)):
        _heading(document, title)
        for paragraph in (document_text(text) or "Not written.").split("\n\n"):
            document.add_paragraph(paragraph)

    _heading(document, "Signatures")
    document.add_paragraph("This Agreement becomes effective upon signature by the authorised officials of the three "
                           "parties.")
    names = {"practice": practice.name, "commissioner": commissioner.name,
             "rcgp": "The Royal College of General Practitioners"}
    for signature in selectors.signatures_in_order(agreement):
        _heading(document, f"Signed for and on behalf of {names[signature.party]}", level=2)
        document.add_paragraph(document_text(f"Name: {signature.name or '_' * 30}"))
        document.add_paragraph(document_text(f"Position: {signature.position or '_' * 30}"))
        document.add_paragraph("Signature: " + ("signed" if signature.signed_on else "_" * 30))
        document.add_paragraph(f"Date: {_date(signature.signed_on) or '_' * 15}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
