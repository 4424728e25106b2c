"""Documents that respect their reader: PDFs tagged for screen readers (PDF/UA-1) with a title and language, file
names carrying the version the copy shows, no hashes shown, and progress shown while a PDF is made."""

import io
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.roles import Role
from forwardplans import pdf, services, word
from forwardplans.job_models import PdfStatus, StoredPdf

from ..cases import advance
from ..celery_worker import publishing_to, wait_for

R = Role
HTMX = {"HTTP_HX_REQUEST": "true"}


def _rendered(contract, document):
    stored = pdf.request_pdf(contract=contract, document=document, enqueue=False)
    return pdf.render(stored.pk)


def _panel(client, document, **extra):
    return client.get(reverse("jobs:pdf_panel", args=["DOC-1", document]), **extra)


# Tagged PDFs ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("document", "title"), [("report", "Diagnostic report"), ("plan", "Forward plan")])
def test_a_pdf_is_tagged_for_screen_readers_with_its_title_and_language(docs, settings, tmp_path, document, title):
    settings.MEDIA_ROOT = tmp_path
    stored = _rendered(docs["contract"], document)
    reader = PdfReader(io.BytesIO(pdf.file_path(stored).read_bytes()))
    catalog = reader.trailer["/Root"]
    structure = catalog["/StructTreeRoot"].get_object()
    assert structure["/Type"] == "/StructTreeRoot" and structure["/K"]  # a tree of tagged content
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True  # readers show the title, not the file
    assert reader.metadata.title == f"{title} – contract DOC-1 – Own Practice"
    assert reader.xmp_metadata.dc_title["x-default"] == reader.metadata.title
    assert "pdfuaid" in reader.xmp_metadata.rdf_root.toxml()  # declared PDF/UA in its XMP metadata


# Versions in file names --------------------------------------------------------------------------------

def _download_name(client, stored):
    response = client.get(reverse("jobs:pdf_download", args=[stored.pk]))
    assert response.status_code == 200
    return response["Content-Disposition"]


@pytest.mark.django_db
def test_the_report_pdf_and_word_copy_carry_the_report_version_not_the_pdf_number(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, contract = docs["users"], docs["contract"]
    draft = _rendered(contract, "report")
    revision = docs["report"].revision
    assert draft.filename == f"diagnostic-report-DOC-1-draft-r{revision}.pdf"
    assert draft.source_version == f"Draft, before version 1 (revision {revision})"

    advance(contract, "consent_decision", users)  # sent to the practice (version 1), then confirmed (version 2)
    report = contract.diagnostic_report
    report.refresh_from_db()
    assert report.versions.count() == 2
    stored = _rendered(contract, "report")
    assert stored.number == 2  # the second PDF made, of the report's version 2
    assert (stored.filename, stored.source_version) == ("diagnostic-report-DOC-1-v2.pdf", "Version 2")
    client.force_login(users[R.PRACTICE_LEAD])
    assert _download_name(client, stored) == 'attachment; filename="diagnostic-report-DOC-1-v2.pdf"'
    assert word.report_filename(report) == "diagnostic-report-DOC-1-v2.docx"
    text = "\n".join(page.extract_text() for page in PdfReader(pdf.file_path(stored)).pages)
    assert "· Version 2 · Practice Resilience" in text and "Revision" not in text  # the footer of each page


@pytest.mark.django_db
def test_the_plan_pdf_and_word_copy_carry_the_plan_version_not_the_pdf_number(client, docs, settings, tmp_path):
    """A plan's versions are those kept when it is shared, sent to CQC or agreed (forwardplans/plan_versions.py)."""
    from forwardplans import plan_versions

    settings.MEDIA_ROOT = tmp_path
    users, plan, action = docs["users"], docs["plan"], docs["action"]
    assert word.plan_filename(plan) == "forward-plan-DOC-1-draft-r1.docx"  # no version kept yet
    draft = _rendered(docs["contract"], "plan")
    assert (draft.filename, draft.source_version) == ("forward-plan-DOC-1-draft-r1.pdf",
                                                      "Draft, before version 1 (revision 1)")

    plan_versions.plan_version_record(plan=plan, reason="sent_to_cqc", version=plan.version,
                                      actor=users[R.PRACTICE_LEAD])
    assert word.plan_filename(plan) == "forward-plan-DOC-1-v1.docx"
    first = _rendered(docs["contract"], "plan")
    assert (first.number, first.filename, first.source_version) == (2, "forward-plan-DOC-1-v1.pdf", "Version 1")

    services.action_set_rag(action=action, actor=users[R.RCGP_ADVISER], to_status="amber", reason="Started",
                            base_version=action.version)
    assert word.plan_filename(plan) == "forward-plan-DOC-1-v1-edited-r2.docx"  # changed since version 1
    edited = _rendered(docs["contract"], "plan")
    assert (edited.number, edited.filename) == (3, "forward-plan-DOC-1-v1-edited-r2.pdf")
    client.force_login(users[R.RCGP_ADVISER])
    assert _download_name(client, first) == 'attachment; filename="forward-plan-DOC-1-v1.pdf"'


# The panel ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_pdf_panel_shows_no_hash(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = _rendered(docs["contract"], "plan")
    client.force_login(docs["users"][R.RCGP_ADVISER])
    html = _panel(client, "plan").content.decode() + client.get(
        reverse("jobs:pdf", args=["DOC-1", "plan"])).content.decode()
    assert f"/pdfs/{stored.pk}/download/" in html
    assert "SHA" not in html.upper() and stored.sha256[:8] not in html and stored.fingerprint[:8] not in html


def test_the_panel_shows_the_pdf_being_made_then_ready_through_the_real_worker(client, docs, start_worker):
    """A worker that takes 3 seconds over the render: while it works the panel says the PDF is being created (a
    polite live region, polled every 2 seconds, with a link to check again without JavaScript) and each poll
    answers 204, changing nothing; then the poll brings the download link and stops."""
    queue = f"jobs-progress-{uuid.uuid4().hex[:8]}"
    start_worker(queue=queue, env={"PDF_RENDER_TEST_DELAY": "3"})
    client.force_login(docs["users"][R.RCGP_ADVISER])
    status_url = reverse("jobs:pdf_panel", args=["DOC-1", "plan"]) + "?part=status"
    with publishing_to(queue):
        panel = client.post(reverse("jobs:pdf", args=["DOC-1", "plan"]), **HTMX).content.decode()
    stored = StoredPdf.objects.get()
    assert stored.status == PdfStatus.PENDING
    assert 'id="pdf-status-plan" class="app-pdf-panel__status" aria-live="polite" tabindex="-1" autofocus' in panel
    assert 'data-pdf-status="pending"' in panel and "The PDF is being created" in panel
    assert f'hx-get="{status_url}" hx-trigger="every 2s" hx-target="#pdf-status-plan" hx-swap="innerHTML"' in panel
    assert '<a href="/contracts/DOC-1/pdf/plan/">Check if the PDF is ready' in panel  # without JavaScript

    wait_for(lambda: StoredPdf.objects.get(pk=stored.pk).attempts == 1, timeout=60,
             message="the worker to start the render")
    assert StoredPdf.objects.get(pk=stored.pk).status == PdfStatus.PENDING  # still rendering (the delay)
    poll = client.get(status_url, **HTMX)
    assert poll.status_code == 204 and poll.content == b""
    page = client.get(reverse("jobs:pdf", args=["DOC-1", "plan"])).content.decode()  # no JavaScript
    assert "The PDF is being created" in page and "Check if the PDF is ready" in page

    wait_for(lambda: StoredPdf.objects.get(pk=stored.pk).status == PdfStatus.READY, timeout=60,
             message="the worker to finish the render")
    poll = client.get(status_url, **HTMX)
    html = poll.content.decode()
    assert poll.status_code == 200 and 'data-pdf-status="ready"' in html
    assert f'href="/pdfs/{stored.pk}/download/"' in html and "every 2s" not in html
    assert "Draft, before version 1 (revision 1)" in html
    page = client.get(reverse("jobs:pdf", args=["DOC-1", "plan"])).content.decode()
    assert "Download PDF" in page and "being created" not in page and "every 2s" not in page


@pytest.mark.django_db
def test_a_pdf_pending_for_too_long_says_so_and_offers_to_try_again(client, docs):
    stored = pdf.request_pdf(contract=docs["contract"], document="plan", enqueue=False)
    StoredPdf.objects.filter(pk=stored.pk).update(requested_at=stored.requested_at - pdf.STALE_PENDING * 2)
    client.force_login(docs["users"][R.RCGP_ADVISER])
    poll = client.get(reverse("jobs:pdf_panel", args=["DOC-1", "plan"]) + "?part=status", **HTMX)
    html = poll.content.decode()
    assert poll.status_code == 200 and 'data-pdf-status="stalled"' in html and "every 2s" not in html
    assert "Try again" in html
    client.post(reverse("jobs:pdf", args=["DOC-1", "plan"]), **HTMX)
    stored.refresh_from_db()
    assert not pdf.is_stale(stored)
