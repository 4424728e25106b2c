"""Self-referral pages. Thin: policy finds the referral, a form reads the answers, a service acts.

Refusals (contracts/access.py decides): a referral the user cannot see answers 404, as a missing one does; one they
can see (their practice's, their commissioner's, or any for RCGP admin) but may not assess, decline or acknowledge
answers 403 with the reason, since its existence is no secret to them. The form for a new referral, which has no
record yet, answers 404 to the roles that cannot submit, as the commissioning page does.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import exports as list_exports
from core.errors import require_allowed
from core.pagination import paginate
from core.submit import page_status, run_for_form

from . import access, exports
from .models import Referral
from .referral_forms import (
    AcknowledgementForm,
    AssessmentForm,
    DeclineForm,
    ReferralForm,
    RegionalDecisionForm,
    criteria_by_domain,
)
from .referral_services import (
    OPEN_STATUSES,
    acknowledgement_status,
    can_acknowledge,
    can_assess,
    can_decide_regionally,
    can_decline,
    can_submit,
    decline_reason,
    referral_acknowledge,
    referral_assess,
    referral_decline,
    referral_regional_decide,
    referral_submit,
    waits_for_regional_decision,
)
from .vocabulary import IMPACT_LABELS, SCOPE_LABELS, Programme, SupportCategory

MATRIX = {"scope_labels": SCOPE_LABELS, "impact_labels": IMPACT_LABELS}


@login_required
def referral_list_view(request):
    referrals = access.referrals_for(request.user).select_related("practice", "commissioner")
    fmt = list_exports.wanted(request)
    if fmt:
        return exports.referrals_export(fmt, referrals)
    page = paginate(request, referrals)
    for referral in page.object_list:
        referral.ack = acknowledgement_status(referral)
    return render(request, "contracts/referrals/list.jinja", {
        "page": page, "can_submit": can_submit(request.user),
        "show_commissioner": len({r.commissioner_id for r in page.object_list}) > 1,
    })


@login_required
def referral_new_view(request):
    if not can_submit(request.user):
        raise Http404
    form = ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: referral_submit(actor=request.user, **form.service_kwargs()))
        if outcome.ok:
            referral = outcome.value
            messages.success(request, f"Self-referral submitted for {referral.practice.name}. It must be acknowledged "
                                      f"by {referral.acknowledgement_due:%-d %B %Y}.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "contracts/referrals/new.jinja", {"form": form})


def _detail(request, referral, acknowledgement_form=None, status=200):
    return render(request, "contracts/referrals/detail.jinja", {
        "referral": referral,
        "ack": acknowledgement_status(referral),
        "group_practices": referral.group_practices.order_by("name"),
        "categories": [label for value, label in SupportCategory.choices if value in referral.categories],
        "criteria_groups": [
            (domain, [label for key, label in items if key in referral.criteria])
            for domain, items in criteria_by_domain()
        ],
        "decline_reason": decline_reason(referral),
        "can_assess": can_assess(request.user, referral) and referral.status in OPEN_STATUSES,
        "can_decline": can_decline(request.user, referral) and referral.status in OPEN_STATUSES,
        "can_acknowledge": can_acknowledge(request.user, referral) and not referral.acknowledged_on,
        "acknowledgement_form": acknowledgement_form or AcknowledgementForm(),
        "can_commission": (referral.status == Referral.Status.ASSESSED
                           and access.can_referral(request.user, "commission", referral)),
        "can_decide_regionally": can_decide_regionally(request.user, referral),
        # What resilience support from it waits for (other programmes do not wait): shown beside the link.
        "regional_wait": (waits_for_regional_decision(referral, Programme.RESILIENCE)
                          if referral.status == Referral.Status.ASSESSED else None),
        **MATRIX,
    }, status=status)


def _visible_referral(request, pk, verb):
    """The referral, if the user may ``verb`` it: 404 if they cannot see it, 403 with the reason if they can."""
    referral = access.get_referral_or_404(request.user, pk)
    require_allowed(access.referral_refusal(request.user, verb, referral))
    return referral


@login_required
def referral_detail_view(request, pk):
    referral = access.get_referral_or_404(request.user, pk)
    return _detail(request, referral)


@login_required
def referral_assess_view(request, pk):
    referral = _visible_referral(request, pk, "assess")
    form = AssessmentForm.for_referral(referral, request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: referral_assess(referral=referral, actor=request.user,
                                                             **form.cleaned_data))
        if outcome.ok:
            messages.success(request, "Assessment saved.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "contracts/referrals/assess.jinja", {
        "referral": referral, "form": form, "criteria_groups": criteria_by_domain(), **MATRIX,
    })


@login_required
@require_POST
def referral_acknowledge_view(request, pk):
    referral = _visible_referral(request, pk, "acknowledge")
    form = AcknowledgementForm(request.POST)
    if form.is_valid():
        outcome = run_for_form(form, lambda: referral_acknowledge(referral=referral, actor=request.user,
                                                                  **form.cleaned_data), field="acknowledged_on")
        if outcome.ok:
            messages.success(request, f"Acknowledgement recorded for {form.cleaned_data['acknowledged_on']:%-d %B %Y}.")
            return redirect("referrals:detail", pk=referral.pk)
    return _detail(request, referral, acknowledgement_form=form)


@login_required
def referral_decline_view(request, pk):
    referral = _visible_referral(request, pk, "decline")
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: referral_decline(referral=referral, actor=request.user,
                                                              **form.cleaned_data))
        if outcome.ok:
            messages.success(request, "The referral is recorded as not supported.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "contracts/referrals/decline.jinja", {"referral": referral, "form": form})


@login_required
def referral_regional_decision_view(request, pk):
    """NHS England's regional decision (003 Annex B): its region's team, once the commissioner has assessed it."""
    referral = _visible_referral(request, pk, "regional_decision")
    form = RegionalDecisionForm(request.POST or None, initial={
        "version": referral.version, "decision": referral.regional_decision or None,
        "reason": referral.regional_reason})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: referral_regional_decide(
            referral=referral, actor=request.user, decision=data["decision"], reason=data["reason"],
            base_version=data["version"]),
            current_version=lambda: access.get_referral_or_404(request.user, referral.pk).version)
        if outcome.ok:
            decided = outcome.value
            messages.success(request, f"Regional decision recorded: {decided.get_regional_decision_display().lower()}.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "contracts/referrals/regional_decision.jinja", {
        "referral": referral, "form": form, "conflict": outcome.conflict if outcome else None,
        "can_decide": referral.status == Referral.Status.ASSESSED}, status=page_status(form))
