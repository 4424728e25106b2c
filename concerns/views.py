"""The concerns pages: raise one on a contract, the receivers' lists, a concern with its acknowledgement and what
was done. Every record comes through concerns/access.py: a hidden concern answers 404 like a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from contracts import access as contract_access
from core.submit import page_status, refuse, run_for_button, run_for_form

from . import access, services
from .forms import ConcernActionForm, ConcernForm
from .selectors import listed


@login_required
def concern_list_view(request):
    """The concerns the user receives (or raised), open ones first."""
    if not access.has_concerns_page(request.user):
        raise Http404
    return render(request, "concerns/list.jinja", {"concerns": list(listed(access.concerns_for(request.user))),
                                                   "contract": None})


@login_required
def contract_concerns_view(request, reference):
    """A contract's concerns: for its receivers, and for the team member who may raise one (what they raised)."""
    user = request.user
    contract = contract_access.get_contract_or_404(user, reference)
    can_raise = access.can(user, "raise", contract)
    if not (can_raise or access.can(user, "receive", contract)):
        raise Http404
    concerns = list(listed(access.concerns_for(user).filter(contract=contract)))
    return render(request, "concerns/list.jinja", {"concerns": concerns, "contract": contract,
                                                   "can_raise": can_raise})


@login_required
def concern_new_view(request, reference):
    contract = contract_access.get_contract_or_404(request.user, reference)
    refuse(request, access.refusal(request.user, "raise", contract))
    form = ConcernForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.concern_raise(contract=contract, actor=request.user,
                                                                    **form.service_kwargs()))
        if outcome.ok:
            messages.success(request, "The concern has been reported to the commissioner's lead and RCGP admin.")
            return redirect("concerns:detail", pk=outcome.value.pk)
    return render(request, "concerns/new.jinja", {"contract": contract, "form": form},
                  status=page_status(form, outcome))


def _detail(request, concern, *, action_form=None, status=200):
    receives = access.receives(request.user, concern)
    context = {"concern": concern, "contract": concern.contract, "receives": receives,
               "actions": list(concern.actions.select_related("by")) if receives else [],
               "action_form": action_form or ConcernActionForm()}
    return render(request, "concerns/detail.jinja", context, status=status)


@login_required
def concern_detail_view(request, pk):
    return _detail(request, access.get_concern_or_404(request.user, pk))


@require_POST
@login_required
def concern_acknowledge_view(request, pk):
    concern = access.get_concern_or_404(request.user, pk)
    refuse(request, access.refusal(request.user, "receive", concern.contract))
    run_for_button(request, lambda: services.concern_acknowledge(concern=concern, actor=request.user),
                   done="Concern acknowledged. Record what was done about it.")
    return redirect("concerns:detail", pk=concern.pk)


@require_POST
@login_required
def concern_action_view(request, pk):
    concern = access.get_concern_or_404(request.user, pk)
    refuse(request, access.refusal(request.user, "receive", concern.contract))
    form = ConcernActionForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_for_form(form, lambda: services.concern_record_action(concern=concern, actor=request.user,
                                                                            **form.service_kwargs()))
        if outcome.ok:
            messages.success(request, "Recorded." + (" The concern is closed." if form.cleaned_data["close"] else ""))
            return redirect("concerns:detail", pk=concern.pk)
    return _detail(request, access.get_concern_or_404(request.user, pk), action_form=form,
                   status=page_status(form, outcome))
