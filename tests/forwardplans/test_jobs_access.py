"""Who sees notifications, PDFs and calendar entries: the access policy, 404 for anything hidden."""

import datetime
import hashlib
import io

import pytest
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from core.models import DocumentAccess
from core.roles import Role
from forwardplans import access as document_access
from forwardplans import ical, notifications, pdf, reminders, services, tasks
from forwardplans.job_models import CalendarFeed, OutboxJob, StoredPdf
from forwardplans.models import Notification

from ..cases import advance, with_documents, write_sections
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory, user_for

# Reminders only: the lifecycle steps the fixtures make tell people too (tests/casework/test_case_events.py).
REMINDERS = Notification.objects.filter(event__isnull=True)

R = Role
D = datetime.date
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
DAYS_10 = datetime.timedelta(days=10)


def _reminded(docs):
    action = docs["action"]
    action.lead_user = docs["users"][R.PRACTICE_LEAD]
    action.save(update_fields=["lead_user"])
    docs["contract"].first_contact_on = D(2026, 1, 6)
    docs["contract"].save(update_fields=["first_contact_on"])
    reminders.sweep(D(2026, 1, 3))
    return REMINDERS.get(recipient=docs["users"][R.PRACTICE_LEAD])


# Notifications ----------------------------------------------------------------------------------------

def test_notifications_are_seen_and_marked_read_only_by_their_recipient(client, docs, world):
    note = _reminded(docs)
    lead, admin = docs["users"][R.PRACTICE_LEAD], docs["users"][R.RCGP_ADMIN]
    client.force_login(lead)
    page = client.get(reverse("jobs:notifications")).content.decode()
    shown = "Due within a week: milestone “Searches built” – contract DOC-1"
    assert shown in page and "Notifications (1)" in page and "Mark as read" in page

    for someone_else in (admin, user_for(R.PRACTICE_LEAD, practice=world["practices"]["other"])):
        client.force_login(someone_else)
        page = client.get(reverse("jobs:notifications")).content.decode()
        assert note.title not in page and "Searches built" not in page
        assert client.post(reverse("jobs:notification_read", args=[note.pk]), **HTMX).status_code == 404
    assert document_access.notifications_for(admin).count() == 0
    note.refresh_from_db()
    assert note.read_at is None

    client.force_login(lead)
    response = client.post(reverse("jobs:notification_read", args=[note.pk]), **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<li id="notification-{note.pk}"') and "Mark as read" not in fragment
    note.refresh_from_db()
    assert note.read_at is not None
    page = client.get(reverse("jobs:notifications")).content.decode()
    assert "Notifications (1)" not in page and ">Notifications<" in page


def test_the_unread_count_in_the_header_is_one_query(client, docs, django_assert_num_queries):
    _reminded(docs)
    from django.test import RequestFactory

    from dashboards.navigation import navigation_for

    request = RequestFactory().get("/")
    request.user = docs["users"][R.PRACTICE_LEAD]
    with django_assert_num_queries(1):
        items = navigation_for(request)
    assert {"text": "Notifications (1)", "href": "/notifications/", "active": False} in items


def test_mark_all_read(client, docs):
    _reminded(docs)
    lead = docs["users"][R.PRACTICE_LEAD]
    client.force_login(lead)
    client.post(reverse("jobs:notifications_read_all"))
    assert not REMINDERS.filter(recipient=lead, read_at__isnull=True).exists()
    assert notifications.mark_all_read(document_access.notifications_for(lead)) == 0


# PDFs ---------------------------------------------------------------------------------------------------

def _rendered(contract, document):
    stored = pdf.request_pdf(contract=contract, document=document, enqueue=False)
    return pdf.render(stored.pk)


def test_pdf_downloads_follow_the_document_access_policy_and_are_logged(client, docs, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, contract = docs["users"], docs["contract"]
    advance(docs["contract"], "factual_accuracy_review", users)
    report_pdf, plan_pdf = _rendered(contract, "report"), _rendered(contract, "plan")
    outsider = user_for(R.PRACTICE_LEAD, practice=world["practices"]["other"])
    other_commissioner = user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])

    def status(user, stored):
        client.force_login(user)
        return client.get(reverse("jobs:pdf_download", args=[stored.pk])).status_code

    for role in (R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.PRACTICE_LEAD, R.PRACTICE_USER):
        assert status(users[role], report_pdf) == 200, role
        assert status(users[role], plan_pdf) == 200, role
    for user in (outsider, other_commissioner, users[R.NHSE_REPORTING], users[R.COMMISSIONER_PEER_SUPPORT],
                 users[R.COMMISSIONER_LEAD]):
        assert status(user, report_pdf) == 404
        assert status(user, plan_pdf) == 404
    advance(contract, "review_meeting", users)
    assert status(users[R.COMMISSIONER_PEER_SUPPORT], plan_pdf) == 200
    assert status(other_commissioner, plan_pdf) == 404
    downloads = DocumentAccess.objects.filter(contract=contract, document="pdf", kind="downloaded",
                                              detail=plan_pdf.filename)
    assert downloads.count() == 6
    assert downloads.filter(user=users[R.COMMISSIONER_PEER_SUPPORT]).exists()

    client.force_login(users[R.PRACTICE_LEAD])
    response = client.get(reverse("jobs:pdf_download", args=[report_pdf.pk]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="diagnostic-report-DOC-1-v1.pdf"'
    assert hashlib.sha256(body).hexdigest() == report_pdf.sha256 and len(body) == report_pdf.size


def test_a_pdf_of_a_draft_report_stays_with_the_rcgp_team(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users = docs["users"]
    draft_pdf = _rendered(docs["contract"], "report")
    assert draft_pdf.source_state == "draft"
    advance(docs["contract"], "factual_accuracy_review", users)
    client.force_login(users[R.PRACTICE_LEAD])
    assert client.get(reverse("jobs:pdf_download", args=[draft_pdf.pk])).status_code == 404
    client.force_login(users[R.RCGP_ADVISER])
    assert client.get(reverse("jobs:pdf_download", args=[draft_pdf.pk])).status_code == 200


def test_the_pdf_panel_polls_until_ready_and_an_edited_report_needs_a_new_pdf(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users = docs["users"]
    client.force_login(users[R.RCGP_ADVISER])
    page = client.get(reverse("forwardplans:report", args=["DOC-1"])).content.decode()
    assert 'hx-get="/contracts/DOC-1/pdf/report/panel/" hx-trigger="load"' in page
    panel = client.get(reverse("jobs:pdf_panel", args=["DOC-1", "report"])).content.decode()
    assert "Create PDF" in panel and "every 2s" not in panel

    response = client.post(reverse("jobs:pdf", args=["DOC-1", "report"]), **HTMX)
    panel = response.content.decode()
    assert response.status_code == 200 and 'hx-trigger="every 2s"' in panel and "being created" in panel
    stored = StoredPdf.objects.get()
    assert (stored.status, stored.number, stored.source_revision) == ("pending", 1, docs["report"].revision)
    assert OutboxJob.objects.get().args == [stored.pk]  # queued after commit
    client.post(reverse("jobs:pdf", args=["DOC-1", "report"]), **HTMX)  # asking again: the same PDF
    assert StoredPdf.objects.count() == 1 and OutboxJob.objects.count() == 1

    pdf.render(stored.pk)
    panel = client.get(reverse("jobs:pdf_panel", args=["DOC-1", "report"])).content.decode()
    assert "every 2s" not in panel and f'href="/pdfs/{stored.pk}/download/"' in panel and "Download PDF" in panel

    report = docs["report"]
    report.refresh_from_db()
    write_sections(report, users[R.RCGP_ADVISER], {"history": "Founded 1975."})
    panel = client.get(reverse("jobs:pdf_panel", args=["DOC-1", "report"])).content.decode()
    assert "Create PDF" in panel and "Earlier versions" in panel
    client.post(reverse("jobs:pdf", args=["DOC-1", "report"]), **HTMX)
    newer = StoredPdf.objects.latest("pk")
    assert newer.number == 2 and newer.source_revision == report.revision + 1
    assert newer.fingerprint != stored.fingerprint


def test_a_pdf_that_cannot_be_made_fails_visibly_to_the_requester_and_rcgp_admins(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    adviser, admin = docs["users"][R.RCGP_ADVISER], docs["users"][R.RCGP_ADMIN]
    stored = pdf.request_pdf(contract=docs["contract"], document="plan", user=adviser, enqueue=False)
    # A snapshot the template cannot draw: a permanent fault, so no retries.
    StoredPdf.objects.filter(pk=stored.pk).update(content={**stored.content, "groups": 5})
    assert tasks.render_pdf.apply(args=[stored.pk]).get() == "failed"
    stored.refresh_from_db()
    assert stored.status == "failed" and stored.error.startswith("TypeError") and stored.attempts == 1
    for user in (adviser, admin):
        note = REMINDERS.get(recipient=user)
        assert note.title == "The forward plan PDF for contract DOC-1 failed" and "TypeError" in note.body
    client.force_login(adviser)
    panel = client.get(reverse("jobs:pdf_panel", args=["DOC-1", "plan"])).content.decode()
    assert "could not be created" in panel and "Try again" in panel
    client.post(reverse("jobs:pdf", args=["DOC-1", "plan"]), **HTMX)  # asks again: the same PDF, queued again
    stored.refresh_from_db()
    assert stored.status == "pending" and stored.error == "" and OutboxJob.objects.filter(args=[stored.pk]).exists()


def test_someone_who_cannot_read_the_document_cannot_ask_for_its_pdf(client, docs, world):
    client.force_login(user_for(R.PRACTICE_LEAD, practice=world["practices"]["other"]))
    for document in ("report", "plan"):
        assert client.get(reverse("jobs:pdf", args=["DOC-1", document])).status_code == 404
        assert client.post(reverse("jobs:pdf", args=["DOC-1", document])).status_code == 404
        assert client.get(reverse("jobs:pdf_panel", args=["DOC-1", document])).status_code == 404
    client.force_login(docs["users"][R.PRACTICE_LEAD])  # the report is still a draft
    assert client.post(reverse("jobs:pdf", args=["DOC-1", "report"])).status_code == 404
    assert StoredPdf.objects.count() == 0


def test_the_plan_pdf_shows_rag_words_practice_contract_and_confidential(docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = _rendered(docs["contract"], "plan")
    reader = PdfReader(io.BytesIO(pdf.file_path(stored).read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == stored.page_count >= 1
    for words in ("Own Practice", "Contract DOC-1", "CONFIDENTIAL", "Draft, before version 1", "Red", "Amber",
                  "Green", "Set up a monthly recall", "Searches built", f"Page 1 of {len(reader.pages)}", "Generated"):
        assert words in text, words


# Calendar feed ---------------------------------------------------------------------------------------

def _calendar_url(page):
    return page.split('id="calendar-url" type="text" readonly value="')[1].split('"')[0]


def _feed(client, url):
    client.logout()
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, []
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    return 200, sorted((str(e["SUMMARY"]), e.decoded("DTSTART")) for e in cal.walk("VEVENT"))


def test_calendar_feed_lists_what_the_user_may_see_and_can_be_revoked(client, docs, world):
    users, action = docs["users"], docs["action"]
    today = datetime.date.today()
    action.planned_completion = today + datetime.timedelta(days=30)
    action.lead_user = users[R.RCGP_ADVISER]  # the feed holds what its owner is told of: the actions they lead
    action.save(update_fields=["planned_completion", "lead_user"])
    services.milestone_add(action=action, actor=users[R.RCGP_ADVISER], description="Soon", due_on=today + DAYS_10,
                           base_version=action.version)
    hidden = ContractFactory(reference="HIDDEN-1", practice=world["practices"]["other"])
    services.action_create(plan=with_documents(hidden).forward_plan, actor=users[R.RCGP_ADMIN], **{
        **ACTION_FIELDS, "planned_completion": today + DAYS_10}, milestones=[("Not yours", today + DAYS_10)])
    # Led by the adviser, but on a contract they are not on: the access policy keeps it out of their feed.
    hidden.forward_plan.actions.update(lead_user=users[R.RCGP_ADVISER])

    client.force_login(users[R.RCGP_ADVISER])
    page = client.post(reverse("jobs:calendar"), {"action": "issue"}).content.decode()
    assert "Copy your link now" in page
    url = _calendar_url(page)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40 and CalendarFeed.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get(reverse("jobs:calendar")).content.decode()  # shown once

    status, events = _feed(client, url)
    assert status == 200
    # A neutral title, the date and a link: calendar clients keep copies the access policy cannot reach.
    assert ("Milestone due (contract DOC-1)", today + DAYS_10) in events
    assert ("Action due for completion (contract DOC-1)", today + datetime.timedelta(days=30)) in events
    assert not [summary for summary, _day in events if "HIDDEN-1" in summary]
    client.logout()
    feed = client.get(url).content.decode()
    assert "Soon" not in feed and "monthly recall" not in feed and "Own Practice" not in feed
    assert f"/actions/{action.pk}/" in feed

    client.force_login(users[R.RCGP_ADVISER])
    newer = client.post(reverse("jobs:calendar"), {"action": "issue"}).content.decode()
    new_url = _calendar_url(newer)
    assert _feed(client, url)[0] == 404  # regenerated: the old link is dead
    assert _feed(client, new_url)[0] == 200
    client.force_login(users[R.RCGP_ADVISER])
    client.post(reverse("jobs:calendar"), {"action": "revoke"})
    assert _feed(client, new_url)[0] == 404
    assert _feed(client, "/calendar/feed/not-a-real-token.ics")[0] == 404


def test_calendar_feed_of_a_commissioner_user_has_no_plan_dates_without_consent(client, docs):
    """Peer support hears of a plan's overdue milestones (as the sweep tells them), and only while it is shared."""
    users = docs["users"]
    peer = users[R.COMMISSIONER_PEER_SUPPORT]
    services.milestone_add(action=docs["action"], actor=users[R.RCGP_ADVISER], description="Late",
                           due_on=datetime.date.today() - datetime.timedelta(days=3),
                           base_version=docs["action"].version)
    url = reverse("jobs:calendar_feed", args=[ical.issue(peer)])
    assert not [s for s, _d in _feed(client, url)[1] if "DOC-1" in s]
    advance(docs["contract"], "review_meeting", users)
    assert [s for s, _d in _feed(client, url)[1] if "Milestone" in s]
    peer.is_active = False
    peer.save(update_fields=["is_active"])
    assert _feed(client, url)[0] == 404
