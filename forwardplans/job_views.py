"""Pages for background jobs: notifications, PDFs of the documents, and the calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import access, events, ical, notifications
from . import pdf as pdfs
from .job_models import CalendarFeed, PdfDocument, PdfStatus

NOTIFICATIONS_SHOWN = 200


# Notifications ---------------------------------------------------------------------------------------

@login_required
def notifications_view(request):
    mine = access.notifications_for(request.user)
    items = events.present(mine.select_related("event__contract", "event__actor", "reminder")
                           .order_by("-created_at", "-pk")[:NOTIFICATIONS_SHOWN], request.user)
    return render(request, "forwardplans/notifications/list.jinja", {
        "items": items, "unread": sum(1 for n in items if n.read_at is None), "total": mine.count()})


@require_POST
@login_required
def notification_read_view(request, pk):
    notification = get_object_or_404(access.notifications_for(request.user)
                                     .select_related("event__contract", "event__actor", "reminder"), pk=pk)
    notifications.mark_read(notification)
    events.present([notification], request.user)
    if request.htmx:
        return render(request, "forwardplans/notifications/_item.jinja", {"n": notification})
    return redirect("jobs:notifications")


@require_POST
@login_required
def notifications_read_all_view(request):
    count = notifications.mark_all_read(access.notifications_for(request.user))
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("jobs:notifications")


# PDFs ------------------------------------------------------------------------------------------------

def _document_contract(request, reference, document):
    """The contract whose document the user may read now (404 otherwise)."""
    if document == PdfDocument.REPORT:
        readable = access.reports_for(request.user)
    elif document in (PdfDocument.PLAN, PdfDocument.CQC_ACTION_PLAN):
        readable = access.plans_for(request.user)
    else:
        raise Http404
    found = readable.select_related("contract__practice", "contract__commissioner").filter(
        contract__reference=reference).first()
    if found is None:
        raise Http404
    return found.contract


def _status_context(contract, document, current):
    return {"contract": contract, "document": document, "label": PdfDocument(document).label, "current": current,
            "stale": current is not None and pdfs.is_stale(current),
            "status_url": reverse("jobs:pdf_panel", args=[contract.reference, document]) + "?part=status",
            "check_url": reverse("jobs:pdf", args=[contract.reference, document]),
            "request_url": reverse("jobs:pdf", args=[contract.reference, document])}


def _panel_context(request, contract, document, focus_status=False):
    current = pdfs.current_pdf(contract, document)
    earlier = (access.pdfs_for(request.user).filter(contract=contract, document=document, status=PdfStatus.READY)
               .exclude(pk=current.pk if current else None).order_by("-number")[:5])
    return {**_status_context(contract, document, current), "earlier": list(earlier), "focus_status": focus_status}


@login_required
def pdf_view(request, reference, document):
    """GET: the PDF page. POST: ask for a PDF of the document as it is now (answers at once)."""
    contract = _document_contract(request, reference, document)
    if request.method == "POST":
        stored = pdfs.request_pdf(contract=contract, document=document, user=request.user)
        if not request.htmx:
            if stored.status != PdfStatus.READY:
                messages.success(request, "The PDF is being created. This usually takes a few seconds.")
            return redirect("jobs:pdf", reference=reference, document=document)
        return render(request, "forwardplans/pdf/_panel.jinja",
                      _panel_context(request, contract, document, focus_status=True))
    if request.method != "GET":
        raise Http404
    return render(request, "forwardplans/pdf/page.jinja", _panel_context(request, contract, document))


@login_required
def pdf_panel_view(request, reference, document):
    """The PDF panel alone (loaded by htmx on the document's page), or with ``?part=status`` its status line,
    which htmx polls every 2 seconds while a PDF is being created: 204 (nothing changes, so nothing is announced
    again) until the PDF is ready or has failed."""
    contract = _document_contract(request, reference, document)
    if request.GET.get("part") != "status":
        return render(request, "forwardplans/pdf/_panel.jinja", _panel_context(request, contract, document))
    current = pdfs.current_pdf(contract, document)
    context = _status_context(contract, document, current)
    if request.htmx and current is not None and current.status == PdfStatus.PENDING and not context["stale"]:
        return HttpResponse(status=204)
    return render(request, "forwardplans/pdf/_status.jinja", context)


@login_required
def pdf_download_view(request, pk):
    stored = get_object_or_404(access.pdfs_for(request.user).select_related("contract"), pk=pk,
                               status=PdfStatus.READY)
    path = pdfs.file_path(stored)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=stored.filename,
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# Calendar feed ---------------------------------------------------------------------------------------

@login_required
def calendar_view(request):
    """Set up, replace or revoke the secret calendar URL. A new URL is shown once."""
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            ical.revoke(request.user)
            messages.success(request, "Your calendar link has been turned off. Calendars using it stop updating.")
            return redirect("jobs:calendar")
        token = ical.issue(request.user)
        new_url = request.build_absolute_uri(reverse("jobs:calendar_feed", args=[token]))
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "forwardplans/notifications/calendar.jinja", {"feed": feed, "new_url": new_url})


def calendar_feed_view(request, token):
    """The feed itself: no login, only the secret URL. An unknown or revoked token answers 404."""
    user = ical.user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(ical.calendar_for(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="practice-resilience.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
