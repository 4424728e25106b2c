"""Pages of events, training and peer support. Thin: who may see and do what is events/access.py; the rules of each
write are events/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import NotAllowed, NothingChanged
from core.submit import page_status, run_for_button, run_for_form
from practices.models import Practice

from . import access, selectors, services
from .forms import AttendanceForm, CancelForm, EndPeerSupportForm, EventForm, PeerSupportForm, RegistrationForm
from .models import Event


def _posted(request):
    return request.POST if request.method == "POST" else None


def _refuse(request, refusal, *, sees):
    """A page the user may not use: 404 for a GET, or for someone who does not see what it is about; a POST from
    someone who sees it is refused with the reason (403)."""
    if not refusal:
        return
    if request.method == "POST" and sees:
        raise NotAllowed(refusal)
    raise Http404


# Events ----------------------------------------------------------------------------------------------------------

@login_required
def event_list_view(request):
    """Events the user may see, upcoming and past, with places left."""
    upcoming, past = selectors.event_list(request.user)
    return render(request, "events/list.jinja", {"upcoming": upcoming, "past": past,
                                                 "may_manage": access.may_manage(request.user),
                                                 "sees_peer_support": access.may_see_peer_support(request.user)})


@login_required
def event_new_view(request):
    _refuse(request, None if access.may_manage(request.user) else access.MANAGE_REFUSAL, sees=False)
    form = EventForm(_posted(request), initial={"organiser": "RCGP", "invited": "all", "online": "no"}, new=True)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.event_create(actor=request.user, **form.values()))
        if outcome.ok:
            messages.success(request, "The event is saved.")
            return redirect("events:detail", pk=outcome.value.pk)
    return render(request, "events/event_form.jinja", {"form": form, "event": None, "conflict": None},
                  status=page_status(form, outcome))


@login_required
def event_edit_view(request, pk):
    event = access.get_event_or_404(request.user, pk)
    _refuse(request, None if access.may_manage(request.user) else access.MANAGE_REFUSAL, sees=True)
    form = EventForm(_posted(request), initial=EventForm.initial_for(event), new=False)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = run_for_form(form, lambda: services.event_update(
                event=event, actor=request.user, base_version=form.cleaned_data["version"], **form.values()),
                current_version=lambda: Event.objects.get(pk=event.pk).version)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect("events:detail", pk=event.pk)
        if outcome.ok:
            messages.success(request, "The event is saved.")
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.jinja", {"form": form, "event": event,
                                                       "conflict": outcome.conflict if outcome else None},
                  status=page_status(form, outcome))


def _invited_practices(event):
    """The practices RCGP admin may register for the event (every active practice when it is open to all)."""
    practices = Practice.objects.filter(status=Practice.Status.ACTIVE)
    if not event.open_to_all:
        commissioners = [c.pk for c in event.invited_commissioners.all()]
        practices = practices.filter(pk__in=[p.pk for p in event.invited_practices.all()]) | practices.filter(
            commissioner__in=commissioners) | practices.filter(commissioner__parent__in=commissioners)
    return practices.order_by("name")


@login_required
def event_view(request, pk):
    """The event's details and counts; the register form for whoever may register; the registrations the user may
    see (their own practice's; a commissioner's practices'; every one for RCGP) with attendance."""
    event = access.get_event_or_404(request.user, pk)
    user, now = request.user, timezone.now()
    registers = access.may_register(user, event)
    if request.method == "POST":
        _refuse(request, None if registers else access.REGISTER_REFUSAL, sees=True)
    admin = access.may_manage(user)
    choices = list(_invited_practices(event)) if admin else ()
    form = RegistrationForm(_posted(request), practices=choices) if registers else None
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        practice = data.get("practice") or user.practice_id
        outcome = run_for_form(form, lambda: services.registration_create(
            event=event, practice=practice, actor=user, attendee_name=data["attendee_name"],
            attendee_role=data["attendee_role"]))
        if outcome.ok:
            messages.success(request, f"{outcome.value.attendee_name} is registered for {event.title}.")
            return redirect("events:detail", pk=event.pk)
    event = selectors.with_counts(Event.objects.filter(pk=event.pk)).prefetch_related(
        "invited_practices", "invited_commissioners").get()
    event.left = selectors.places_left(event)
    registrations = list(selectors.registrations_of(user, event)) if access.may_see_registrations(user) else []
    counts = selectors.counts(registrations)
    context = {
        "event": event, "form": form, "registrations": registrations, "counts": counts, "admin": admin,
        "open": registers and now < event.starts_at and timezone.localtime(now).date() <= event.registration_closes_on
        and event.left > 0,
        "started": now >= event.starts_at, "sees_registrations": access.may_see_registrations(user),
        "role_counts": selectors.role_counts_of_event(event) if not access.may_see_registrations(user) else None,
        "cancellable": {r.pk for r in registrations if r.active and access.may_cancel(user, r)}
        if now < event.starts_at else set(),
    }
    status = page_status(form, outcome) if form is not None else 200
    return render(request, "events/detail.jinja", context, status=status)


@login_required
@require_POST
def registration_cancel_view(request, pk):
    """Cancel a registration before the event: the place is free again."""
    registration = get_object_or_404(access.registrations_for(request.user).select_related(
        "practice__commissioner", "event"), pk=pk)
    _refuse(request, None if access.may_cancel(request.user, registration) else access.CANCEL_REFUSAL, sees=True)
    form = CancelForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    run_for_button(request, lambda: services.registration_cancel(registration=registration, actor=request.user,
                                                                 base_version=version),
                   done=f"{registration.attendee_name}'s registration is cancelled: the place is free again.")
    return redirect("events:detail", pk=registration.event_id)


@login_required
def attendance_view(request, pk):
    """RCGP admin records who attended, once the event has started."""
    event = access.get_event_or_404(request.user, pk)
    _refuse(request, None if access.may_manage(request.user) else access.MANAGE_REFUSAL, sees=True)
    registrations = [r for r in selectors.registrations_of(request.user, event) if r.active]
    form = AttendanceForm(_posted(request), registrations=registrations)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.attendance_record(event=event, actor=request.user,
                                                                        marks=form.marks()))
        if outcome.ok:
            messages.success(request, "Attendance is saved.")
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/attendance.jinja", {
        "event": event, "form": form, "started": timezone.now() >= event.starts_at,
        "conflict": outcome.conflict if outcome else None}, status=page_status(form, outcome))


# Peer support ----------------------------------------------------------------------------------------------------

@login_required
def peer_support_view(request):
    """Practice-to-practice peer support the user may see, counted; the form to record it for RCGP admin and
    commissioner leads."""
    user = request.user
    if not access.may_see_peer_support(user):
        raise Http404
    records = list(selectors.peer_support_list(user))
    records_form = access.may_record_peer_support(user)
    if request.method == "POST" and not records_form:
        raise NotAllowed(access.PEER_SUPPORT_REFUSAL)
    form = PeerSupportForm(_posted(request)) if records_form else None
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.peer_support_create(
            supporting=data["supporting"], supported=data["supported"], started_on=data["started_on"],
            support=data["support"], actor=user))
        if outcome.ok:
            messages.success(request, f"{data['supporting'].name} supporting {data['supported'].name} is recorded.")
            return redirect("events:peer_support")
    endable = {r.pk for r in records if r.ended_on is None and access.RECORD_PEER_SUPPORT.test(user, r)}
    return render(request, "events/peer_support.jinja", {
        "records": records, "counts": selectors.peer_support_counts(records), "form": form, "endable": endable,
        "today": timezone.localdate()}, status=page_status(form, outcome) if form is not None else 200)


@login_required
@require_POST
def peer_support_end_view(request, pk):
    record = access.get_peer_support_or_404(request.user, pk)
    _refuse(request, None if access.RECORD_PEER_SUPPORT.test(request.user, record) else access.PEER_SUPPORT_REFUSAL,
            sees=True)
    form = EndPeerSupportForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("events:peer_support")
    run_for_button(request, lambda: services.peer_support_end(
        peer_support=record, actor=request.user, ended_on=form.cleaned_data["ended_on"],
        base_version=form.cleaned_data["version"]), done="The end of the support is recorded.")
    return redirect("events:peer_support")

