"""Enquiries (the special-measures offers and the initial conversations): their list, recording a conversation,
one enquiry with the outcome form, and the practice page's panel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from markupsafe import Markup

from core.pagination import paginate
from core.submit import page_status, refuse, run_for_form
from practices.panels import register

from . import access, enquiry_services
from .enquiry_forms import EnquiryForm, EnquiryReplyForm
from .enquiry_models import Enquiry
from .figures import enquiry_outcome_figures


@login_required
def enquiry_list_view(request):
    """Every enquiry the user sees, filtered by source and status, with the take-up of those shown."""
    if not access.uses_offers(request.user):
        raise Http404
    visible = access.enquiries_for(request.user)
    source, status = request.GET.get("source"), request.GET.get("status")
    if source in Enquiry.Source.values:
        visible = visible.filter(source=source)
    else:
        source = None
    enquiries = visible.select_related("practice", "contract").order_by("-opened_on", "-pk")
    if status in Enquiry.Status.values:
        enquiries = enquiries.with_status(status)
    return render(request, "contracts/enquiries/list.jinja", {
        "page": paginate(request, enquiries), "statuses": Enquiry.Status.choices, "status": status,
        "sources": Enquiry.Source.choices, "source": source,
        "figures": enquiry_outcome_figures(visible), "today": timezone.localdate(),
        "may_record": access.can_enquiry(request.user, "record"),
    })


@login_required
def enquiry_new_view(request):
    """Record an initial conversation (RCGP admin, deputy leads, commissioner leads: no page for the others)."""
    if not access.can_enquiry(request.user, "record"):
        raise Http404
    form = EnquiryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: enquiry_services.enquiry_record(
            practice=data["practice"], source=data["source"], programme=data["programme"],
            opened_on=data["opened_on"], asked=data["asked"], contact_name=data["contact_name"],
            actor=request.user))
        if outcome.ok:
            messages.success(request, f"Enquiry about {data['practice'].name} recorded.")
            return redirect("contracts:offer", pk=outcome.value.pk)
    return render(request, "contracts/enquiries/new.jinja", {"form": form}, status=page_status(form))


def _reply_form(request, enquiry, replies):
    # The practice's own contracts and its group's, those the user can see.
    contracts = (access.contracts_for(request.user)
                 .filter(Q(practice=enquiry.practice) | Q(practices=enquiry.practice)).distinct()
                 .order_by("-commissioned_on", "reference"))
    initial = {"version": enquiry.version}
    # Nothing the user may record now (say, a reply someone else recorded meanwhile): every reply is offered, so
    # that the service says why not.
    return EnquiryReplyForm(request.POST or None, initial=initial,
                            replies=replies or enquiry_services.replies_of(enquiry), contracts=contracts,
                            offer=enquiry.is_offer)


@login_required
def enquiry_view(request, pk):
    """One enquiry; with the outcome form for those who may record an outcome now."""
    enquiry = access.enquiry_for_user_or_404(request.user, pk)
    if request.method == "POST":
        refuse(request, access.enquiry_refusal(request.user, "record_reply", enquiry))
    replies = enquiry_services.replies_for(request.user, enquiry)
    form = _reply_form(request, enquiry, replies) if replies or request.method == "POST" else None
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: enquiry_services.enquiry_record_reply(
            enquiry=enquiry, outcome=data["outcome"], on=data["outcome_on"], contract=data["contract"],
            version=data["version"], actor=request.user),
            current_version=lambda: Enquiry.objects.get(pk=enquiry.pk).version)
        if outcome.ok:
            messages.success(request, f"{'Reply' if enquiry.is_offer else 'Outcome'} recorded: "
                                      f"{Enquiry.Outcome(data['outcome']).label.lower()}.")
            return redirect("contracts:offer", pk=enquiry.pk)
    status = page_status(form, outcome) if form is not None else 200
    return render(request, "contracts/enquiries/detail.jinja", {
        "enquiry": enquiry, "form": form, "conflict": outcome.conflict if outcome else None,
        "status": enquiry.status(), "history": list(enquiry.history.select_related("history_user")
                                                    .order_by("history_date", "history_id")),
    }, status=status)


@register
def offers_for_practice(request, practice):
    """The practice page's "Enquiries and offers": the practice's enquiries the user may see (none: no section,
    and no query)."""
    if not access.uses_offers(request.user):
        return ""
    offers = list(access.enquiries_for(request.user).filter(practice=practice).select_related("contract")
                  .order_by("-opened_on", "-pk"))
    if not offers:
        return ""
    return Markup(render_to_string("contracts/enquiries/_panel.jinja", {  # noqa: S704  # nosec B704 (our template)
        "practice": practice, "offers": offers, "today": timezone.localdate(),
    }, request=request))
