"""Pages of the commissioner's monitoring. Thin: who may see and do what is monitoring/access.py; the rules of each
write are monitoring/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import NotAllowed, NothingChanged
from core.submit import page_status, run_for_form
from forwardplans import access as document_access
from practices import access as practice_access

from . import access, selectors, services
from .forms import FollowUpDoneForm, FollowUpForm, ReadinessForm, RecordForm, ReviewNoteForm
from .models import MonitoringRecord, ReadinessReview

SAVED_NOTE = "The review note is saved. The action's RAG status is unchanged."


def _posted(request):
    """The posted data, even when empty (a button-only form), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _render(request, template, form, outcome, **context):
    return render(request, template, {"form": form, "conflict": outcome.conflict if outcome else None, **context},
                  status=page_status(form, outcome))


def _monitored_practice(request, ods_code):
    """The practice, for its commissioner's users; anyone else finds no such page (404)."""
    practice = practice_access.get_practice_or_404(request.user, ods_code)
    if not access.may_monitor(request.user, practice):
        raise Http404
    return practice


def _writable(request, record):
    refusal = access.refusal(request.user, "write", record)
    if refusal:
        if request.method == "POST":
            raise NotAllowed(refusal)
        raise Http404
    return record


@login_required
def practice_view(request, ods_code):
    """A practice's monitoring: its records (the commissioner's, or those shared with the practice), open
    follow-ups and readiness reviews."""
    practice = practice_access.get_practice_or_404(request.user, ods_code)
    monitors = access.may_monitor(request.user, practice)
    if not monitors and not (access.may_read_monitoring(request.user) and request.user.practice_id == practice.pk):
        raise Http404
    return render(request, "monitoring/practice.jinja", {
        "practice": practice, "monitors": monitors,
        "records": list(selectors.practice_records(request.user, practice)),
        "follow_ups": list(selectors.open_follow_ups(request.user, practice)),
        "reviews": list(selectors.practice_readiness_reviews(request.user, practice)) if monitors else []})


@login_required
def record_new_view(request, ods_code):
    practice = _monitored_practice(request, ods_code)
    form = RecordForm(_posted(request), new=True, team=list(services.commissioner_team(practice)))
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.monitoring_record_create(
            practice=practice, actor=request.user, follow_ups=form.follow_ups(),
            confirmed_no_patient_data=form.cleaned_data["confirm_no_patient_data"], **form.values()))
        if outcome.ok:
            messages.success(request, "The monitoring record is saved.")
            return redirect("monitoring:record", pk=outcome.value.pk)
    return _render(request, "monitoring/record_form.jinja", form, outcome, practice=practice, record=None)


@login_required
def record_view(request, pk):
    record = access.get_record_or_404(request.user, pk)
    return render(request, "monitoring/record.jinja", {
        "record": record, "practice": record.practice, "may_write": access.can(request.user, "write", record),
        "follow_ups": list(access.follow_ups_for(request.user).filter(record=record).select_related(
            "owner", "done_by"))})


@login_required
def record_edit_view(request, pk):
    record = _writable(request, access.get_record_or_404(request.user, pk))
    initial = {"kind": record.kind, "happened_on": record.happened_on, "people": record.people,
               "summary": record.summary, "shared": "yes" if record.shared_with_practice else "no",
               "version": record.version}
    form = RecordForm(_posted(request), initial=initial, new=False)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run_for_form(form, lambda: services.monitoring_record_update(
                record=record, actor=request.user, base_version=form.cleaned_data["version"],
                confirmed_no_patient_data=form.cleaned_data["confirm_no_patient_data"], **form.values()),
                current_version=lambda: MonitoringRecord.objects.get(pk=record.pk).version)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect("monitoring:record", pk=record.pk)
        if outcome.ok:
            messages.success(request, "The monitoring record is saved.")
            return redirect("monitoring:record", pk=record.pk)
    return _render(request, "monitoring/record_form.jinja", form, outcome, practice=record.practice, record=record)


@login_required
def follow_up_add_view(request, pk):
    record = _writable(request, access.get_record_or_404(request.user, pk))
    form = FollowUpForm(_posted(request), team=list(services.commissioner_team(record.practice)))
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.follow_up_add(record=record, actor=request.user,
                                                                    **form.values()))
        if outcome.ok:
            messages.success(request, "The follow-up is added.")
            return redirect(reverse("monitoring:record", args=[record.pk]) + "#follow-ups")
    return _render(request, "monitoring/follow_up_form.jinja", form, outcome, record=record,
                   practice=record.practice)


@login_required
def follow_up_done_view(request, pk):
    follow_up = access.get_follow_up_or_404(request.user, pk)
    record = _writable(request, follow_up.record)
    form = FollowUpDoneForm(_posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.follow_up_done(
            follow_up=follow_up, actor=request.user, done_on=form.cleaned_data["done_on"]))
        if outcome.ok:
            messages.success(request, "The follow-up is marked done.")
            return redirect(reverse("monitoring:record", args=[record.pk]) + "#follow-ups")
    return _render(request, "monitoring/follow_up_done.jinja", form, outcome, follow_up=follow_up, record=record,
                   practice=record.practice)


@login_required
def readiness_new_view(request, ods_code):
    practice = _monitored_practice(request, ods_code)
    form = ReadinessForm(_posted(request), new=True)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.readiness_review_record(
            practice=practice, actor=request.user, **form.values()))
        if outcome.ok:
            messages.success(request, "The readiness review is saved.")
            return redirect("monitoring:readiness", pk=outcome.value.pk)
    return _render(request, "monitoring/readiness_form.jinja", form, outcome, practice=practice, review=None)


@login_required
def readiness_view(request, pk):
    review = access.get_readiness_review_or_404(request.user, pk)
    return render(request, "monitoring/readiness.jinja", {"review": review, "practice": review.practice})


@login_required
def readiness_edit_view(request, pk):
    review = access.get_readiness_review_or_404(request.user, pk)
    form = ReadinessForm(_posted(request), initial=ReadinessForm.initial_from(review), new=False)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run_for_form(form, lambda: services.readiness_review_record(
                practice=review.practice, actor=request.user, review=review,
                base_version=form.cleaned_data["version"], **form.values()),
                current_version=lambda: ReadinessReview.objects.get(pk=review.pk).version)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect("monitoring:readiness", pk=review.pk)
        if outcome.ok:
            messages.success(request, "The readiness review is saved.")
            return redirect("monitoring:readiness", pk=review.pk)
    return _render(request, "monitoring/readiness_form.jinja", form, outcome, practice=review.practice,
                   review=review)


def _notes_context(request, action, form=None, message=None):
    contract = action.plan.contract
    return {"action": action, "contract": contract,
            "notes": list(access.review_notes_for(request.user).filter(action=action).select_related("recorded_by")),
            "may_read": access.can_note(request.user, "read", contract),
            "may_write": access.can_note(request.user, "write", contract),
            "note_form": form or ReviewNoteForm(), "note_message": message, "in_place": bool(request.htmx)}


@login_required
def action_notes_view(request, pk):
    """The commissioner's review notes on a forward plan action (after handover): a page of its own, and a panel
    the action page loads in place (htmx). Whoever cannot read the action finds nothing (404)."""
    action = document_access.get_action_or_404(request.user, pk)
    contract = action.plan.contract
    if not access.can_note(request.user, "read", contract):
        if request.htmx:  # the action page's slot: nothing to show this reader
            return HttpResponse("")
        raise Http404
    template = "monitoring/_action_notes.jinja" if request.htmx else "monitoring/action_notes.jinja"
    return render(request, template, _notes_context(request, action))


@login_required
@require_POST
def action_note_add_view(request, pk):
    action = document_access.get_action_or_404(request.user, pk)
    refusal = access.note_refusal(request.user, "write", action.plan.contract)
    if refusal and request.htmx:  # the panel says why in place (a stale page: consent withdrawn, case closed)
        return render(request, "monitoring/_action_notes.jinja",
                      {**_notes_context(request, action), "note_error": refusal}, status=403)
    if refusal:
        raise NotAllowed(refusal)
    form = ReviewNoteForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_for_form(form, lambda: services.action_review_note_add(
            action=action, actor=request.user, note=form.cleaned_data["note"],
            confirmed_no_patient_data=form.cleaned_data["confirm_no_patient_data"]), field="note")
        if outcome.ok and request.htmx:  # in place on the action page: the notes, a fresh form and the result
            return render(request, "monitoring/_action_notes.jinja",
                          _notes_context(request, action, message=SAVED_NOTE))
        if outcome.ok:
            messages.success(request, SAVED_NOTE)
            return redirect(reverse("monitoring:action_notes", args=[action.pk]) + "#review-notes")
    template = "monitoring/_action_notes.jinja" if request.htmx else "monitoring/action_notes.jinja"
    return render(request, template, _notes_context(request, action, form), status=page_status(form, outcome))
