"""Which version of a document a copy (PDF or Word) shows, as printed and in its file name.

A report's versions are the copies kept each time it is sent to the practice or confirmed (``ReportVersion``); a
plan's versions are those kept each time it is shared with the commissioner, sent to CQC or agreed (``PlanVersion``,
forwardplans/plan_versions.py), and its copies (the plan's and the CQC action plan's PDF and Word) carry them; a PDF's
own number only counts the PDFs made. A copy of the document as it is now is that version when nothing has changed
since, "edited since" that version when something has, and a draft before the first one.
"""

from dataclasses import dataclass

from core import audit

FILE_PREFIX = {"report": "diagnostic-report", "plan": "forward-plan", "cqc-action-plan": "cqc-action-plan",
               "cqc_plan": "cqc-action-plan"}  # "cqc_plan": the CQC action plan's stored PDFs (PdfDocument)


@dataclass(frozen=True)
class DocumentVersion:
    number: int | None  # the latest version; None before the first
    edited: bool  # changed since that version
    revision: int | None = None  # the report's revision, to tell edited copies apart

    @property
    def label(self):
        """As printed: "Version 2", "Version 2, edited since (revision 7)", "Draft, before version 1"."""
        if self.number is None:
            return "Draft, before version 1" + (f" (revision {self.revision})" if self.revision else "")
        if not self.edited:
            return f"Version {self.number}"
        return f"Version {self.number}, edited since" + (f" (revision {self.revision})" if self.revision else "")

    @property
    def slug(self):
        """For a file name: "v2", "v2-edited-r7", "draft-r3"."""
        revision = f"-r{self.revision}" if self.revision else ""
        if self.number is None:
            return f"draft{revision}"
        return f"v{self.number}" + (f"-edited{revision}" if self.edited else "")


@audit.not_a_read()
def report_version(report):
    """The report as it is now against its latest kept version (two queries at most). A comparison, not a
    person's read: the access log counts the copy when it is downloaded."""
    latest = report.versions.order_by("-number").only("number", "sections", "root_causes").first()
    if latest is None:
        return DocumentVersion(None, True, report.revision)
    same = latest.sections == report.section_values() and list(latest.root_causes or []) == list(
        report.root_causes or [])
    return DocumentVersion(latest.number, not same, report.revision)


def file_name(document, reference, version, extension):
    """"diagnostic-report-H-101-v2.pdf", "forward-plan-H-101-v3.docx"."""
    return f"{FILE_PREFIX[document]}-{reference}-{version.slug}.{extension}"
