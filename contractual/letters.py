"""The letters of contractual action, from templates: a notice (002 Annex 9(a) remedial, 9(b) breach, and the
others in the same form) and the decision letter of no contractual action (Annex 8), as Word (python-docx, as
forwardplans/word.py) and PDF.

The PDF is rendered with WeasyPrint in the request for now (a one-page letter), not through the Celery job and
StoredPdf of forwardplans/pdf.py."""

import io

from django.template.loader import render_to_string
from docx import Document
from docx.shared import Pt
from weasyprint import HTML

from core.text import document_text

from .models import APPEAL_WITHIN, NoticeKind

APPEALABLE = {NoticeKind.REMEDIAL, NoticeKind.BREACH}


def notice_paragraphs(notice):
    """(heading, [paragraphs]) of a notice: the words of 002 Annex 9, filled in."""
    practice = notice.case.practice
    paras = [
        f"To: {practice.name} ({practice.ods_code})",
        f"Date of this notice: {notice.dated_on:%-d %B %Y}",
        "Following our recent communications, we hereby serve notice that the commissioner considers you are in "
        "breach of your contract on the following grounds:",
        notice.terms_breached,
    ]
    if notice.kind == NoticeKind.REMEDIAL:
        paras += ["The commissioner requires you to remedy this breach by taking the following steps:",
                  notice.actions_required,
                  f"In order to remedy this breach this action must be completed to the satisfaction of the "
                  f"commissioner on or before {notice.remedy_by:%-d %B %Y}."]
        if notice.shorter_ground:
            paras.append(f"This period is shorter than 28 days because it is necessary "
                         f"{notice.get_shorter_ground_display()[0].lower()}{notice.get_shorter_ground_display()[1:]}: "
                         f"{notice.shorter_reason}")
    elif notice.kind == NoticeKind.BREACH:
        paras.append("The commissioner requires that you do not repeat this breach.")
    if notice.kind in APPEALABLE:
        paras += ["If you fail to comply with this notice, repeat this breach or otherwise breach the contract, the "
                  "commissioner may take steps to terminate your contract or consider the imposition of a contract "
                  "sanction.",
                  f"Should you wish to appeal against this decision, you must do so in writing within a maximum of "
                  f"{APPEAL_WITHIN.days} days from the date of service of this notice"
                  + (f" (served on {notice.served_on:%-d %B %Y}: by {notice.appeal_by:%-d %B %Y})"
                     if notice.served_on else "")
                  + ". You retain the right to seek support from your Local Medical Committee."]
    paras.append("This notice does not relate to the requirements of your registration with the Care Quality "
                 "Commission. You must satisfy both the terms of your contract and the terms of your CQC registration.")
    return notice.get_kind_display(), paras


def decision_paragraphs(decision):
    case, practice = decision.case, decision.case.practice
    return "No contractual action", [
        f"To: {practice.name} ({practice.ods_code})",
        f"Date: {decision.decided_on:%-d %B %Y}",
        "Following a concern notified to the commissioner about your practice, the commissioner has reviewed your "
        "compliance with your contract in respect of the concerns raised.",
        case.summary,
        "The commissioner will be taking no further contractual action in this matter at present, but refers you to "
        "the requirements of your CQC registration and any outstanding action required of you to satisfy them.",
    ]


def word(heading, paragraphs):
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(document_text(heading), level=0)
    for text in paragraphs:
        document.add_paragraph(document_text(text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf(heading, paragraphs):
    html = render_to_string("contractual/letter.jinja", {"heading": heading, "paragraphs": paragraphs})
    return HTML(string=html).write_pdf()
