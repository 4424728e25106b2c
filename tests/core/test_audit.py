"""The access log is written by default (core/audit.py): every read of confidential content, through any door, is
one row per request, user, contract and document, written in one INSERT after the response; figures, metadata and
work outside a request are not logged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import audit
from core.models import DocumentAccess
from core.roles import Role
from forwardplans import ical, pdf, services
from forwardplans.models import Action

from ..cases import advance, with_documents
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory

pytestmark = pytest.mark.django_db
R = Role
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def logged():
    return sorted(DocumentAccess.objects.values_list("user__username", "contract__reference", "document", "kind",
                                                     "detail"))


def inserts(captured):
    return sum(1 for q in captured.captured_queries
               if q["sql"].startswith('INSERT INTO "forwardplans_documentaccess"'))


def get(client, user, url, params=None, **headers):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {}, headers=headers)
    assert response.status_code == 200, url
    return response, captured


# One test per door ----------------------------------------------------------------------------------------------

def test_a_page_logs_each_document_it_shows_once(client, docs):
    user = docs["users"][R.PRACTICE_USER]
    services.action_create(plan=docs["plan"], actor=docs["users"][R.RCGP_ADVISER],
                           **dict(ACTION_FIELDS, action_planned="Recruit a salaried GP"))
    _response, captured = get(client, user, reverse("forwardplans:plan", args=["DOC-1"]))
    # Two actions read, one row, in one INSERT.
    assert logged() == [(user.username, "DOC-1", "action", "viewed", "")]
    assert inserts(captured) == 1
    adviser = docs["users"][R.RCGP_ADVISER]
    get(client, adviser, reverse("forwardplans:report", args=["DOC-1"]))
    assert logged().count((adviser.username, "DOC-1", "report", "viewed", "")) == 1


def test_an_htmx_panel_is_logged_as_one(client, docs):
    action, user = docs["action"], docs["users"][R.PRACTICE_USER]
    services.action_set_rag(action=action, actor=user, to_status="amber", reason="Recall half set up",
                            base_version=action.version)
    DocumentAccess.objects.all().delete()
    response, captured = get(client, user, reverse("forwardplans:action_rag", args=[action.pk]), HX_Request="true")
    assert b"Recall half set up" in response.content
    assert logged() == [(user.username, "DOC-1", "action", "viewed", "htmx panel")]
    assert inserts(captured) == 1


def test_the_api_logs_what_it_carries(client, docs):
    """The API's actions carry no free text (key question, regulation, dates, RAG): nothing to log. Content read
    by a view of the API is one row naming the API, with what was read."""
    from ..api_support import api_for

    api = api_for(client, docs, R.PRACTICE_USER)
    assert api.get("/api/v1/actions/", {"contract": "DOC-1"}).status_code == 200
    assert api.get(f"/api/v1/actions/{docs['action'].pk}/").status_code == 200
    assert logged() == []

    user = docs["users"][R.PRACTICE_USER]
    request = RequestFactory().get("/api/v1/actions/")
    request.user = user
    request.resolver_match = type("Match", (), {"namespaces": ["api"], "view_name": "api:action-list"})()

    def view(request):
        texts = [a.action_planned for a in Action.objects.all()]
        texts += [a.problem for a in Action.objects.all()]  # read twice: still one row
        return HttpResponse(", ".join(texts), content_type="application/json")

    audit.AuditMiddleware(view)(request)
    assert logged() == [(user.username, "DOC-1", "api", "viewed", "Forward plan action")]


def test_a_list_export_is_one_download(client, docs):
    user = docs["users"][R.PRACTICE_LEAD]
    response, captured = get(client, user, reverse("forwardplans:plan", args=["DOC-1"]), {"format": "csv"})
    assert ACTION_FIELDS["problem"] in response.content.decode()
    assert logged() == [(user.username, "DOC-1", "export", "downloaded", "CSV, Forward plan action")]
    assert inserts(captured) == 1


def test_search_results_are_one_row_per_contract(client, world, docs):
    user = world["users"][R.PRACTICE_USER]
    second = with_documents(ContractFactory(reference="DOC-2", practice=world["practices"]["own"]))
    for plan in (docs["plan"], second.forward_plan, second.forward_plan):
        services.action_create(plan=plan, actor=world["users"][R.RCGP_ADMIN],
                               **dict(ACTION_FIELDS, action_planned="Audit the recall list"))
    response, captured = get(client, user, reverse("search"), {"q": "recall"})
    assert "Audit the recall list" in response.content.decode()
    assert logged() == [(user.username, "DOC-1", "search", "viewed", "Forward plan action"),
                        (user.username, "DOC-2", "search", "viewed", "Forward plan action")]
    assert inserts(captured) == 1
    get(client, user, reverse("search"), {"q": "no such words anywhere"})
    assert len(logged()) == 2  # a search that shows nothing confidential logs nothing


def test_the_calendar_feed(client, docs):
    """The feed carries no confidential text (what is due, the date, the reference and a link): nothing to log.
    A feed is read with its secret URL, not a session: ``read_as`` names its reader, and content read through it
    is one calendar-feed row."""
    user = docs["users"][R.PRACTICE_USER]
    Action.objects.filter(pk=docs["action"].pk).update(lead_user=user)
    response = client.get(reverse("jobs:calendar_feed", args=[ical.issue(user)]))
    assert response.status_code == 200
    assert ACTION_FIELDS["action_planned"] not in response.content.decode()
    assert logged() == []

    request = RequestFactory().get("/calendar/feed/")

    def view(request):
        audit.read_as(user)
        return HttpResponse("\n".join(a.action_planned for a in Action.objects.all()),
                            content_type="text/calendar; charset=utf-8")

    audit.AuditMiddleware(view)(request)
    assert logged() == [(user.username, "DOC-1", "ical", "viewed", "Forward plan action")]


def test_a_pdf_download_is_logged_and_its_listing_is_not(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = docs["users"][R.PRACTICE_LEAD]
    stored = pdf.request_pdf(contract=docs["contract"], document="plan", enqueue=False)
    stored = pdf.render(stored.pk)  # a job, outside any request: nobody's read
    assert logged() == []
    get(client, user, reverse("jobs:pdf_panel", args=["DOC-1", "plan"]))
    assert logged() == []  # the panel lists the PDF; it does not serve it
    for _ in range(2):
        client.force_login(user)
        response = client.get(reverse("jobs:pdf_download", args=[stored.pk]))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    row = (user.username, "DOC-1", "pdf", "downloaded", stored.filename)
    assert logged() == [row, row]  # one a request


def test_a_word_download_is_one_row(client, docs):
    user = docs["users"][R.RCGP_ADVISER]
    response, captured = get(client, user, reverse("forwardplans:report_word", args=["DOC-1"]))
    assert response["Content-Disposition"].startswith("attachment")
    assert logged() == [(user.username, "DOC-1", "word", "downloaded", "Diagnostic report")]
    assert inserts(captured) == 1


def test_an_evidence_download_is_logged_and_its_listing_is_not(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, action = docs["users"], docs["action"]
    evidence = services.evidence_upload(action=action, actor=users[R.PRACTICE_USER], base_version=action.version,
                                        uploaded_file=SimpleUploadedFile("recall-log.pdf", PDF_BYTES))
    user = users[R.PRACTICE_LEAD]
    get(client, user, reverse("forwardplans:action", args=[action.pk]))
    assert logged() == [(user.username, "DOC-1", "action", "viewed", "")]
    response, _captured = get(client, user, reverse("forwardplans:evidence_download", args=[evidence.pk]))
    b"".join(response.streaming_content)
    assert logged() == [(user.username, "DOC-1", "action", "viewed", ""),
                        (user.username, "DOC-1", "evidence", "downloaded", "recall-log.pdf")]


# What is not a person's read -----------------------------------------------------------------------------------

def test_figure_pages_log_nothing(client, world, docs):
    """Home pages count (values(), aggregates) and the contract page checks the report's state and which of its
    sections are written: none of that shows confidential text."""
    advance(docs["contract"], "review_meeting", world["users"])  # shared with the commissioner
    DocumentAccess.objects.all().delete()
    for role in (R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.NHSE_REPORTING, R.RCGP_ADVISER,
                 R.RCGP_DEPUTY_LEAD, R.RCGP_ADMIN):
        get(client, world["users"][role], reverse("home"))
        assert logged() == [], role
    get(client, world["users"][R.RCGP_DEPUTY_LEAD], reverse("contracts:detail", args=["DOC-1"]))
    assert logged() == []
    # The practice's home page lists its actions by their text: that is a read.
    user = world["users"][R.PRACTICE_USER]
    get(client, user, reverse("home"))
    assert logged() == [(user.username, "DOC-1", "action", "viewed", "")]


def test_reads_outside_a_request_and_writes_are_not_logged(docs):
    action = Action.objects.get(pk=docs["action"].pk)
    assert action.problem == ACTION_FIELDS["problem"]
    services.action_set_rag(action=action, actor=docs["users"][R.PRACTICE_USER], to_status="amber",
                            reason="Started", base_version=action.version)
    assert logged() == []
    with audit.collecting() as collector:
        Action.objects.filter(plan=docs["plan"]).count()
        Action.objects.filter(plan=docs["plan"]).exists()
        list(Action.objects.values_list("pk", "rag_status"))
        [a.rag_status for a in Action.objects.only("rag_status", "plan")]
    assert collector.reads == {}


def test_a_request_that_fails_after_reading_is_logged(docs):
    user = docs["users"][R.PRACTICE_USER]
    request = RequestFactory().get("/plan/")
    request.user = user

    def view(request):
        [a.action_planned for a in Action.objects.all()]
        raise RuntimeError("the page failed after reading")

    with pytest.raises(RuntimeError):
        audit.AuditMiddleware(view)(request)
    assert logged() == [(user.username, "DOC-1", "action", "viewed", "")]


def test_the_access_log_page_lists_the_rows(client, docs):
    get(client, docs["users"][R.RCGP_ADVISER], reverse("forwardplans:report_word", args=["DOC-1"]))
    html, _captured = get(client, docs["users"][R.RCGP_DEPUTY_LEAD], reverse("forwardplans:access_log",
                                                                              args=["DOC-1"]))
    assert "Downloaded: Word copy (Diagnostic report)" in html.content.decode()
