"""PDFs of the Diagnostic Report and the Forward Plan, rendered with WeasyPrint.

A request takes a snapshot of the document (``StoredPdf.content``) and answers at once; a Celery task renders
that snapshot. The same content is rendered once (its sha256 is unique per document), an edited document gets
a new PDF, and a retried or redelivered render draws exactly what was asked for: the row is locked while it
renders, a finished PDF is never rendered again, and the file name is fixed by the row so a killed attempt's
leftover is simply overwritten.
"""

import datetime
import hashlib
import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from core import audit
from core.formatting import uk_date, uk_datetime
from core.text import document_data
from practices.models import Inspection

from .document_versions import DocumentVersion, report_version
from .job_models import PdfDocument, PdfStatus, ReminderItem, StoredPdf
from .models import DiagnosticReport, ForwardPlan, PlanVersion, ProgressEntry
from .selectors import cqc_action_plan, plan_actions, summary_of_groups
from .vocabulary import (
    KEY_QUESTION_CHOICES,
    RAG_MEANING,
    REPORT_SECTIONS,
    ROOT_CAUSE_GROUPS,
    Rag,
    ReportState,
    RootCause,
)

log = logging.getLogger(__name__)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per layout step otherwise
RENDER_TASK = "forwardplans.tasks.render_pdf"
PDF_VARIANT = "pdf/ua-1"
STALE_PENDING = datetime.timedelta(minutes=10)
TEMPLATES = {PdfDocument.REPORT: "forwardplans/pdf/report.jinja", PdfDocument.PLAN: "forwardplans/pdf/plan.jinja",
             PdfDocument.CQC_ACTION_PLAN: "forwardplans/pdf/cqc_action_plan.jinja"}


class RenderError(Exception):
    """WeasyPrint could not lay out or write the PDF (retried with back-off, then reported)."""


# Snapshots ------------------------------------------------------------------------------------------

def _header(contract):
    practice = contract.practice
    return {
        "contract": contract.reference,
        "practice": practice.name,
        "ods_code": practice.ods_code,
        "commissioner": str(contract.commissioner),
        "programme": contract.get_programme_display(),
    }


def report_snapshot(report):
    """What the report PDF shows, as plain JSON, and (revision, printed version, state)."""
    current = report_version(report)
    version = current.label
    content = {
        **_header(report.contract),
        "state": report.get_state_display(),
        "is_final": report.state == ReportState.FINAL,
        "revision": report.revision,
        "version": version,
        "file_version": current.slug,
        "approved": (f"Approved by {report.approved_by.get_full_name() or report.approved_by.username} "
                     f"on {uk_date(report.approved_at)}") if report.approved_by_id else "",
        "sections": [[heading, getattr(report, report.field_for(name))] for name, heading in REPORT_SECTIONS],
        "root_causes": [RootCause(c).label for c in report.root_causes],
    }
    return document_data(content), report.revision, version, report.state


def inspection_facts(inspection):
    """The inspection a plan answers, as copies show it (plain JSON), or None."""
    if inspection is None:
        return None
    return {"published": uk_date(inspection.publication_date) if inspection.publication_date else "",
            "inspected": uk_date(inspection.inspection_date) if inspection.inspection_date else "",
            "rating": inspection.get_overall_rating_display() or "Not rated",
            "location": inspection.cqc_location_id, "reference": inspection.report_link_id,
            "url": inspection.report_url}


def root_cause_groups(causes):
    """[[group, [label, ...]], ...]: the tagged root causes by the method's groups (empty groups left out)."""
    return [[group, [cause.label for cause in members if cause.value in causes]]
            for group, members in ROOT_CAUSE_GROUPS if any(cause.value in causes for cause in members)]


def _action_facts(action, progress, key_questions):
    return {
        "id": action.pk,
        "key_questions": [key_questions.get(k, k) for k in [action.key_question, *action.other_key_questions]],
        "regulation": action.regulation, "regulations": list(action.regulations),
        "regulation_other": action.regulation_other, "problem": action.problem,
        "underlying_issue": action.underlying_issue, "action_planned": action.action_planned,
        "lead_person": action.lead_person, "responsible": action.responsible, "accountable": action.accountable,
        "resources": action.resources, "sources_of_support": action.sources_of_support,
        "evidence_needed": action.evidence_needed, "eventual_goal": action.eventual_goal,
        "planned_completion": uk_date(action.planned_completion), "next_steps": action.next_steps,
        "rag": action.rag_status, "rag_word": action.get_rag_status_display(), "version": action.version,
        "milestones": [[m.description, uk_date(m.due_on), uk_date(m.done_on)] for m in action.milestones.all()],
        "progress": progress.get(action.pk, []),
        # Only when tagged: versions kept before actions had root causes still show the plan as it is.
        **({"root_causes": root_cause_groups(action.root_causes)} if action.root_causes else {}),
    }


def plan_content(plan):
    """The plan as its copies and kept versions hold it (plain JSON, without its version label), and its revision
    (the sum of its actions' versions)."""
    groups = plan_actions(plan)
    summary = summary_of_groups(groups)
    actions = [a for _kq, members in groups for a in members]
    progress = {}
    for entry in (ProgressEntry.objects.filter(action__plan=plan).order_by("-entry_date", "-pk")
                  .values("action_id", "entry_date", "text")):
        progress.setdefault(entry["action_id"], [])
        if len(progress[entry["action_id"]]) < 3:
            progress[entry["action_id"]].append([uk_date(entry["entry_date"]), entry["text"]])
    revision = sum(a.version for a in actions)
    key_questions = dict(KEY_QUESTION_CHOICES)
    inspection = Inspection.objects.filter(pk=plan.inspection_id).first() if plan.inspection_id else None
    content = {
        **_header(plan.contract),
        "revision": revision,
        "inspection": inspection_facts(inspection),
        "summary": {"total": summary.total, "by_rag": summary.by_rag, "percent_complete": summary.percent_complete,
                    "overdue_milestones": summary.overdue_milestones},
        "rag_meaning": [[status, Rag(status).label, meaning] for status, meaning in RAG_MEANING.items()],
        "groups": [[label, [_action_facts(a, progress, key_questions) for a in members]] for label, members in groups],
    }
    return document_data(content), revision


def _same_plan(kept, content):
    """Whether a kept version shows the plan as ``content`` does: its actions and the inspection it answers (not the
    summary, whose overdue counts move with the calendar, nor the names in the header)."""
    return all(kept.get(part) == content.get(part) for part in ("groups", "inspection"))


@audit.not_a_read()
def plan_version(plan, content=None):
    """The plan as it is now against its kept versions (PlanVersion: shared, sent to CQC, agreed): "Version 3" when
    nothing has changed since version 3, "Version 3, edited since" when something has, "Draft, before version 1"
    before the first. Its copies (PDF, Word, the CQC action plan) print it and carry it in their file names. Like
    ``snapshot``, a comparison, not a person's read."""
    if content is None:
        content, _revision = plan_content(plan)
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").only("number", "snapshot").first()
    revision = content["revision"]
    if latest is None:
        return DocumentVersion(None, True, revision)
    same = _same_plan(latest.snapshot, content)
    return DocumentVersion(latest.number, not same, None if same else revision)


def plan_snapshot(plan):
    """What the plan PDF shows, as plain JSON, and (revision, printed version, state)."""
    content, revision = plan_content(plan)
    current = plan_version(plan, content)
    return {**content, "version": current.label, "file_version": current.slug}, revision, current.label, ""


def cqc_action_plan_snapshot(plan):
    """What the CQC action plan PDF shows: the plan's actions under each regulation they answer (an action answering
    two appears under both; selectors.cqc_action_plan), with the inspection and the plan version."""
    content, revision = plan_content(plan)
    current = plan_version(plan, content)
    facts = {action["id"]: action for _label, members in content["groups"] for action in members}
    content = {key: value for key, value in content.items() if key != "groups"}
    content["regulations"] = document_data([[heading, [facts[a.pk] for a in actions]]
                                            for heading, actions in cqc_action_plan(plan)])
    return {**content, "version": current.label, "file_version": current.slug}, revision, current.label, ""


@audit.not_a_read()
def snapshot(contract, document):
    """The document's content as data: compared (is the stored PDF current?) and copied into a PDF request, never
    shown, so not a person's read; the access log counts the PDF when it is downloaded."""
    if document == PdfDocument.REPORT:
        report = DiagnosticReport.objects.select_related("contract__practice", "contract__commissioner",
                                                         "approved_by").get(contract=contract)
        return report_snapshot(report)
    plan = ForwardPlan.objects.select_related("contract__practice", "contract__commissioner").get(contract=contract)
    if document == PdfDocument.CQC_ACTION_PLAN:
        return cqc_action_plan_snapshot(plan)
    return plan_snapshot(plan)


def fingerprint(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


# Requests -------------------------------------------------------------------------------------------

def current_pdf(contract, document):
    """The stored PDF of the document as it is now (any status), or None."""
    content, *_rest = snapshot(contract, document)
    return StoredPdf.objects.filter(contract=contract, document=document, fingerprint=fingerprint(content)).first()


def is_stale(pdf):
    """Pending for longer than a render can take: asking again queues it again (request_pdf)."""
    return pdf.status == PdfStatus.PENDING and pdf.requested_at < timezone.now() - STALE_PENDING


def request_pdf(*, contract, document, user=None, enqueue=True):
    """The PDF of the document as it is now: an existing one, or a new pending row with its render queued
    (after commit, through the outbox). A failed or long-stuck render is queued again."""
    from . import outbox

    content, revision, version, state = snapshot(contract, document)
    digest = fingerprint(content)
    with transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract.pk).first()  # one new number at a time
        pdf = StoredPdf.objects.select_for_update().filter(contract=contract, document=document,
                                                           fingerprint=digest).first()
        if pdf is None:
            number = (StoredPdf.objects.filter(contract=contract, document=document)
                      .aggregate(n=Max("number"))["n"] or 0) + 1
            try:
                with transaction.atomic():
                    pdf = StoredPdf.objects.create(
                        contract=contract, document=document, number=number, fingerprint=digest, content=content,
                        source_revision=revision, source_version=version, source_state=state, requested_by=user)
            except IntegrityError:  # requested at the same moment by someone else
                return StoredPdf.objects.get(contract=contract, document=document, fingerprint=digest)
        elif pdf.status == PdfStatus.FAILED or is_stale(pdf):
            pdf.status, pdf.error, pdf.requested_at, pdf.requested_by = PdfStatus.PENDING, "", timezone.now(), user
            pdf.content = content  # the same document (same fingerprint), snapshotted afresh
            pdf.save(update_fields=["status", "error", "requested_at", "requested_by", "content"])
        else:
            return pdf
        if enqueue:
            outbox.enqueue(RENDER_TASK, pdf.pk)
    return pdf


# Rendering ------------------------------------------------------------------------------------------

def html_for(pdf, generated_at=None):
    generated_at = generated_at or timezone.now()
    context = {"doc": pdf.content, "pdf": pdf, "generated": uk_datetime(generated_at),
               "title": pdf.get_document_display()}
    return render_to_string(TEMPLATES[pdf.document], context)


def write_pdf(html):
    """HTML to (PDF bytes, page count) with WeasyPrint. Layout and font errors become RenderError (transient)."""
    from weasyprint import HTML

    try:
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
        # PDF/UA-1: tagged (a structure tree readers follow), marked, with the title and language of the HTML.
        return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)
    except OSError:
        raise
    except Exception as exc:
        raise RenderError(f"{type(exc).__name__}: {exc}") from exc


def relative_path(pdf):
    return f"pdfs/{pdf.contract_id}/{pdf.document}-v{pdf.number}-{pdf.pk}.pdf"


def _write_file(relative, data):
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)  # atomic: a reader never sees half a file
    return target


def render(pdf_id):
    """Render a pending PDF once. Returns the StoredPdf (None if it no longer exists).

    Permanent problems (a template error) raise; transient ones raise OSError or RenderError for the task to
    retry. Safe to run twice at once or again after a crash: the row lock serialises renders, and a READY row
    is left alone.
    """
    if not StoredPdf.objects.filter(pk=pdf_id).exclude(status=PdfStatus.READY).update(
            attempts=F("attempts") + 1, started_at=timezone.now()):
        return StoredPdf.objects.filter(pk=pdf_id).first()
    with transaction.atomic():
        pdf = StoredPdf.objects.select_for_update().select_related("contract").filter(pk=pdf_id).first()
        if pdf is None or pdf.status == PdfStatus.READY:
            return pdf
        started = time.perf_counter()
        data, pages = write_pdf(html_for(pdf))
        relative = relative_path(pdf)
        _write_file(relative, data)
        if settings.PDF_RENDER_TEST_DELAY:
            # Test hook: the file is written but not yet recorded, so a test can kill the worker here.
            time.sleep(settings.PDF_RENDER_TEST_DELAY)
        pdf.page_count = pages
        pdf.file, pdf.size, pdf.sha256 = relative, len(data), hashlib.sha256(data).hexdigest()
        pdf.status, pdf.error = PdfStatus.READY, ""
        pdf.rendered_at = timezone.now()
        pdf.render_seconds = round(time.perf_counter() - started, 3)
        pdf.save()
    log.info("rendered %s (%d bytes, %.2fs)", relative, pdf.size, pdf.render_seconds)
    return pdf


def mark_failed(pdf_id, error):
    """A render that will not succeed: the requester and RCGP admins are told (never silent)."""
    from .notifications import notify_job_failure

    updated = StoredPdf.objects.filter(pk=pdf_id).exclude(status=PdfStatus.READY).update(
        status=PdfStatus.FAILED, error=str(error)[:2000])
    pdf = StoredPdf.objects.select_related("contract", "requested_by").filter(pk=pdf_id).first()
    if updated and pdf is not None:
        log.error("PDF %s failed: %s", pdf_id, error)
        notify_job_failure(
            title=f"The {pdf.get_document_display().lower()} PDF for contract {pdf.contract.reference} failed",
            body=f"{error}\nTry again from the document's page; RCGP admins have been told.",
            link=reverse("jobs:pdf", args=[pdf.contract.reference, pdf.document]),
            item_type=ReminderItem.PDF_FAILURE, item_id=pdf.pk, requester=pdf.requested_by)
    return pdf


def file_path(pdf):
    return Path(settings.MEDIA_ROOT) / pdf.file
