"""The CQC action plan as a PDF: asked for on its page, rendered by a REAL Celery worker (tests/celery_worker.py)
like the report and plan PDFs, tagged PDF/UA, and read back with pypdf: a heading per regulation in CQC's order,
each action under every regulation it answers, the inspection the plan answers and the plan's version named."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.roles import Role
from forwardplans import plan_versions, services
from forwardplans.job_models import PdfStatus, StoredPdf

from ..celery_worker import wait_for
from ..docs import ACTION_FIELDS
from ..factories import InspectionFactory

R = Role
HTMX = {"HTTP_HX_REQUEST": "true"}
REG12, REG17, REG18 = ("Regulation 12: Safe care and treatment", "Regulation 17: Good governance",
                       "Regulation 18: Staffing")


def _plan_answering_its_inspection(docs):
    adviser, plan = docs["users"][R.RCGP_ADVISER], docs["plan"]
    base = {k: v for k, v in ACTION_FIELDS.items() if k != "regulation"}
    for regulations, text in (([REG18], "Recruit a second practice nurse"),
                              ([REG17, REG12], "Appoint a governance lead"),
                              ([REG17], "Hold monthly governance meetings")):
        services.action_create(plan=plan, actor=adviser, **{**base, "regulations": regulations,
                                                             "key_question": "well_led", "action_planned": text})
    inspection = InspectionFactory(practice=docs["contract"].practice, overall_rating="inadequate",
                                   inspection_date=datetime.date(2026, 2, 3),
                                   publication_date=datetime.date(2026, 3, 4),
                                   cqc_location_id="1-555000111", report_link_id="INS-42",
                                   breached_regulations=[REG12, REG17, REG18])
    services.plan_set_inspection(plan=plan, actor=adviser, inspection=inspection, base_version=plan.version)
    plan_versions.plan_version_record(plan=plan, reason="sent_to_cqc", version=plan.version,
                                      actor=docs["users"][R.PRACTICE_LEAD])
    return plan


def _text(reader):
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def test_the_cqc_action_plan_pdf_is_made_by_the_worker_per_regulation_with_its_inspection_and_version(
        client, docs, celery_worker):
    _plan_answering_its_inspection(docs)
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    page = client.get(reverse("forwardplans:cqc_action_plan", args=["DOC-1"])).content.decode()
    assert 'href="/contracts/DOC-1/pdf/cqc_plan/"' in page  # "Download PDF" without JavaScript

    panel = client.post(reverse("jobs:pdf", args=["DOC-1", "cqc_plan"]), **HTMX)
    assert panel.status_code == 200 and "The PDF is being created" in panel.content.decode()
    stored = wait_for(lambda: (pdf := StoredPdf.objects.filter(document="cqc_plan").first())
                      and pdf.status != PdfStatus.PENDING and pdf, timeout=90,
                      message="the worker to render the CQC action plan")
    assert stored.status == PdfStatus.READY, stored.error
    assert "forwardplans.tasks.render_pdf" in celery_worker.log()

    panel = client.get(reverse("jobs:pdf_panel", args=["DOC-1", "cqc_plan"])).content.decode()
    assert f"/pdfs/{stored.pk}/download/" in panel and "Version 1" in panel
    response = client.get(reverse("jobs:pdf_download", args=[stored.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="cqc-action-plan-DOC-1-v1.pdf"'
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))

    catalog = reader.trailer["/Root"]  # PDF/UA-1, like the report and plan PDFs
    assert catalog["/StructTreeRoot"].get_object()["/K"] and catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == "CQC action plan – contract DOC-1 – Own Practice"

    text = _text(reader)
    headings = [text.index(label) for label in (REG12, REG17, REG18)]
    assert headings == sorted(headings)  # CQC's order, whatever order the actions were written in
    assert text.count("Appoint a governance lead") == 2  # under Regulation 12 and under Regulation 17
    under_12 = text[headings[0]:headings[1]]
    assert "Set up a monthly recall" in under_12 and "Appoint a governance lead" in under_12
    assert "Hold monthly governance meetings" not in under_12
    under_17 = text[headings[1]:headings[2]]
    assert "Hold monthly governance meetings" in under_17 and "Appoint a governance lead" in under_17
    assert "Recruit a second practice nurse" in text[headings[2]:]
    assert ("Inadequate, published 4 March 2026 (inspected 3 February 2026) · CQC location 1-555000111 · our "
            "reference INS-42") in text
    assert "· Version 1 · Practice Resilience" in text  # the footer of each page
    assert stored.source_version == "Version 1" and stored.content["file_version"] == "v1"


@pytest.mark.django_db
def test_the_cqc_action_plan_pdf_follows_the_plan_for_who_may_ask_and_download(client, docs, settings, tmp_path):
    from forwardplans import pdf

    settings.MEDIA_ROOT = tmp_path
    stored = pdf.render(pdf.request_pdf(contract=docs["contract"], document="cqc_plan", enqueue=False).pk)
    assert stored.filename.startswith("cqc-action-plan-DOC-1-draft-r")
    for role, answer in ((R.PRACTICE_USER, 200), (R.RCGP_ADVISER, 200), (R.COMMISSIONER_LEAD, 404),
                         (R.NHSE_REPORTING, 404)):
        client.force_login(docs["users"][role])
        assert client.get(reverse("jobs:pdf", args=["DOC-1", "cqc_plan"])).status_code == answer, role
        assert client.get(reverse("jobs:pdf_download", args=[stored.pk])).status_code == answer, role
