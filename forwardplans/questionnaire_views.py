"""Pages of the confidential staff questionnaire.

RCGP pages (open, close, results) are for the contract's RCGP team; the results page, which shows individual
answers, only for the contract's advisers and deputy lead. The invitation pages (e-mail addresses, printed
codes) are for the contract's practice only: the RCGP team sees counts, never an invitation. Everyone else
gets 404.

The answer pages are public: a single-use invitation (its link, or a typed code) is the only key, and they show
nothing of the practice but its name.
"""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts import access as contract_access
from core.errors import DomainError
from core.forms import Form
from core.submit import run_for_form

from . import access, permissions
from . import questionnaire_services as services
from .forms import EnterCodeForm, InvitationCodesForm, InviteStaffForm
from .models import InvitationStatus, Questionnaire
from .vocabulary import AGREEMENT_SCALE, QUESTIONNAIRE_STATEMENTS

GONE = 410  # the invitation was real, but it no longer lets anyone answer


def _agree_that(statement):
    """'Morale in the practice is good.' -> 'morale in the practice is good'."""
    text = statement.rstrip(".")
    return text if text.startswith("I ") else text[0].lower() + text[1:]


class AnswerForm(Form):
    comments = forms.CharField(label="Is there anything else you would like to tell the advisers?", required=False,
                               widget=forms.Textarea)

    def __init__(self, *args, statements=QUESTIONNAIRE_STATEMENTS, **kwargs):
        super().__init__(*args, **kwargs)
        self.statements = statements
        comments = self.fields.pop("comments")
        for key, statement in statements:
            message = f"Select how much you agree that {_agree_that(statement)}"
            self.fields[key] = forms.TypedChoiceField(
                label=statement, choices=[(str(v), label) for v, label in AGREEMENT_SCALE], coerce=int,
                error_messages={"required": message, "invalid_choice": message})
        self.fields["comments"] = comments

    def clean_comments(self):
        comments = self.cleaned_data["comments"].strip()
        if services.word_count(comments) > services.MAX_COMMENT_WORDS:
            raise forms.ValidationError(f"Comments must be {services.MAX_COMMENT_WORDS} words or fewer")
        return comments

    def statement_fields(self):
        return [self[key] for key, _statement in self.statements]

    def answers(self):
        return {key: self.cleaned_data[key] for key, _statement in self.statements}


def _private(response):
    """Pages holding an invitation's secret: keep it out of Referer headers, caches and search engines."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _after_change(request, questionnaire):
    """Back to the results if this user may read them; otherwise (RCGP admin) to the contract."""
    if services.can_read_answers.test(request.user, questionnaire.contract):
        return redirect("questionnaires:results", reference=questionnaire.contract.reference, pk=questionnaire.pk)
    return redirect("contracts:detail", reference=questionnaire.contract.reference)


# RCGP team --------------------------------------------------------------------------------------

@login_required
@require_POST
def questionnaire_open_view(request, reference):
    contract = contract_access.get_contract_or_404(request.user, reference)
    if not permissions.can_run_questionnaire.test(request.user, contract):
        raise Http404
    purpose = request.POST.get("purpose") or services.DIAGNOSTIC
    try:
        questionnaire = services.questionnaire_open(contract=contract, actor=request.user, purpose=purpose)
    except DomainError as exc:
        messages.error(request, str(exc))
        open_one = contract.questionnaires.filter(purpose=purpose, closed_at__isnull=True).first()
        return _after_change(request, open_one) if open_one else redirect("contracts:detail", reference=reference)
    what = "Staff feedback questionnaire" if purpose == services.CLOSURE_FEEDBACK else "Staff questionnaire"
    messages.success(request, f"{what} opened. The practice can now invite its staff from the "
                              "contract page: each member of staff gets their own invitation, which works once.")
    return _after_change(request, questionnaire)


@login_required
@require_POST
def questionnaire_close_view(request, reference, pk):
    contract = contract_access.get_contract_or_404(request.user, reference)
    if not permissions.can_run_questionnaire.test(request.user, contract):
        raise Http404
    questionnaire = get_object_or_404(Questionnaire, contract=contract, pk=pk)
    try:
        services.questionnaire_close(questionnaire=questionnaire, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Staff questionnaire closed. Invitations no longer let anyone answer, and staff "
                                  "e-mail addresses have been deleted.")
    return _after_change(request, questionnaire)


@login_required
@require_GET
def questionnaire_results_view(request, reference, pk):
    contract = contract_access.get_contract_or_404(request.user, reference)
    if not services.can_read_answers.test(request.user, contract):
        raise Http404
    questionnaire = get_object_or_404(Questionnaire.objects.select_related("opened_by"), contract=contract, pk=pk)
    aggregates = services.questionnaire_aggregates(questionnaire)
    # Individual answers come through the access policy, in no particular order (not arrival order),
    # and only once there are enough of them that no one can be picked out.
    responses = []
    if not aggregates.too_few:
        responses = list(access.questionnaire_responses_for(request.user).filter(questionnaire=questionnaire)
                         .order_by("?").values("answers", "comments"))
    can_run = permissions.can_run_questionnaire.test(request.user, contract)
    return render(request, "forwardplans/questionnaire/results.jinja", {
        "contract": contract,
        "questionnaire": questionnaire,
        "aggregates": aggregates,
        "counts": services.invitation_counts(questionnaire),
        "summary_text": services.questionnaire_summary_text(questionnaire, aggregates),
        "responses": responses,
        "statements": services.statements_of(questionnaire),
        "scale": dict(AGREEMENT_SCALE),
        "can_close": can_run and questionnaire.is_open,
        "can_open_another": (can_run and services.may_take_answers(questionnaire, contract)
                             and not contract.questionnaires.filter(purpose=questionnaire.purpose,
                                                                    closed_at__isnull=True).exists()),
        "others": contract.questionnaires.filter(purpose=questionnaire.purpose).exclude(pk=questionnaire.pk),
    })


# The practice -----------------------------------------------------------------------------------

def _practice_questionnaire(request, reference, pk):
    contract = contract_access.get_contract_or_404(request.user, reference)
    if not permissions.can_invite_staff.test(request.user, contract):
        raise Http404
    return get_object_or_404(Questionnaire.objects.select_related("contract__practice"), contract=contract, pk=pk)


def _invitations_page(request, questionnaire, invite_form=None, codes_form=None, status=200):
    failed = (access.questionnaire_invitations_for(request.user)
              .filter(questionnaire=questionnaire, status=InvitationStatus.FAILED).exclude(email="")
              .order_by("pk").values("email", "error"))
    forms_with_errors = [f for f in (invite_form, codes_form) if f is not None and f.errors]
    return render(request, "forwardplans/questionnaire/invitations.jinja", {
        "contract": questionnaire.contract,
        "questionnaire": questionnaire,
        "counts": services.invitation_counts(questionnaire),
        "failed": list(failed),
        "invite_form": invite_form or InviteStaffForm(),
        "codes_form": codes_form or InvitationCodesForm(),
        "error_form": forms_with_errors[0] if forms_with_errors else None,
    }, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_invitations_view(request, reference, pk):
    """The practice enters its staff's e-mail addresses; each is sent a single-use invitation."""
    questionnaire = _practice_questionnaire(request, reference, pk)
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_for_form(form, lambda: services.questionnaire_invite_by_email(
            questionnaire=questionnaire, addresses=services.split_addresses(form.cleaned_data["addresses"]),
            actor=request.user), field="addresses")
        if outcome.ok:
            invited = outcome.value
            if invited.invited:
                n = len(invited.invited)
                messages.success(request, f"{n} invitation{'s' if n != 1 else ''} will be sent by e-mail.")
            if invited.already:
                messages.info(request, "Already invited, so not sent again: " + ", ".join(invited.already) + ".")
            return redirect("questionnaires:invitations", reference=reference, pk=pk)
    return _invitations_page(request, questionnaire, invite_form=form)


@never_cache
@login_required
@require_POST
def questionnaire_codes_view(request, reference, pk):
    """The practice asks for printable single-use codes: shown on this page once, never again."""
    questionnaire = _practice_questionnaire(request, reference, pk)
    form = InvitationCodesForm(request.POST)
    if form.is_valid():
        outcome = run_for_form(form, lambda: services.questionnaire_issue_codes(
            questionnaire=questionnaire, count=form.cleaned_data["count"], actor=request.user), field="count")
        if outcome.ok:
            codes = outcome.value
            start = request.build_absolute_uri(reverse("questionnaires:code"))
            slips = []
            for code in codes:
                link = request.build_absolute_uri(reverse("questionnaires:answer", kwargs={"token": code}))
                qr = segno.make(link, error="m").svg_inline(scale=3, title="QR code to open the questionnaire")
                slips.append({"code": code, "qr": qr})
            return _private(render(request, "forwardplans/questionnaire/codes.jinja", {
                "contract": questionnaire.contract, "questionnaire": questionnaire, "slips": slips,
                "start_url": start}))
    return _invitations_page(request, questionnaire, codes_form=form)


# Public -----------------------------------------------------------------------------------------

def _invalid(request):
    return _private(render(request, "forwardplans/questionnaire/invalid.jinja", status=404))


def _gone(request, invitation, template):
    return _private(render(request, template, {"practice_name": invitation.questionnaire.contract.practice.name},
                           status=GONE))


@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire_code_view(request):
    """Staff with a printed code type it here."""
    form = EnterCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if services.find_invitation(code) is None:
            form.add_error("code", "This code is not valid. Check it against your invitation and try again")
        else:
            return redirect("questionnaires:answer", token=services.format_code(code))
    return _private(render(request, "forwardplans/questionnaire/enter_code.jinja", {"form": form}))


@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire_answer_view(request, token):
    invitation = services.find_invitation(token)
    if invitation is None:
        return _invalid(request)
    if not invitation.questionnaire.is_open:
        return _gone(request, invitation, "forwardplans/questionnaire/closed.jinja")
    if invitation.used:
        return _gone(request, invitation, "forwardplans/questionnaire/used.jinja")
    form = AnswerForm(request.POST or None, statements=services.statements_of(invitation.questionnaire))
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_submit(token=token, answers=form.answers(), comments=form.cleaned_data["comments"])
        except DomainError as exc:
            invitation = services.find_invitation(token)
            if not invitation.questionnaire.is_open:  # closed while they were answering
                return _gone(request, invitation, "forwardplans/questionnaire/closed.jinja")
            if invitation.used:  # answered meanwhile (another tab, a double click)
                return _gone(request, invitation, "forwardplans/questionnaire/used.jinja")
            form.add_error(None, str(exc))
        else:
            return redirect("questionnaires:thanks", token=token)
    return _private(render(request, "forwardplans/questionnaire/answer.jinja", {
        "form": form,
        "closure_feedback": invitation.questionnaire.purpose == services.CLOSURE_FEEDBACK,
        "practice_name": invitation.questionnaire.contract.practice.name,
        "scale": AGREEMENT_SCALE,
        "max_words": services.MAX_COMMENT_WORDS,
    }))


@never_cache
@require_GET
def questionnaire_thanks_view(request, token):
    invitation = services.find_invitation(token)
    if invitation is None:
        return _invalid(request)
    if not invitation.used:
        return redirect("questionnaires:answer", token=token)
    return _private(render(request, "forwardplans/questionnaire/thanks.jinja",
                           {"practice_name": invitation.questionnaire.contract.practice.name}))
