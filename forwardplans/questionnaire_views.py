"""Pages of the confidential staff questionnaire.

Staff pages (open, close, results) are for the contract's RCGP team; the results page, which shows
individual answers, only for the contract's advisers and deputy lead – everyone else gets 404.
The answer and thanks pages are public: the secret token in the link is the only key, and they show
nothing of the practice but its name.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resilience import policy
from resilience.errors import DomainError

from . import permissions
from . import questionnaire_services as services
from .models import Questionnaire
from .vocabulary import AGREEMENT_SCALE, QUESTIONNAIRE_STATEMENTS

CLOSED_STATUS = 410  # Gone: the link was real, but it no longer takes answers.


def _agree_that(statement):
    """'Morale in the practice is good.' -> 'morale in the practice is good'."""
    text = statement.rstrip(".")
    return text if text.startswith("I ") else text[0].lower() + text[1:]


class AnswerForm(forms.Form):
    comments = forms.CharField(label="Is there anything else you would like to tell the advisers?", required=False,
                               widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        comments = self.fields.pop("comments")
        for key, statement in QUESTIONNAIRE_STATEMENTS:
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
        return [self[key] for key, _statement in QUESTIONNAIRE_STATEMENTS]

    def answers(self):
        return {key: self.cleaned_data[key] for key, _statement in QUESTIONNAIRE_STATEMENTS}


def _private(response):
    """Public questionnaire pages: keep the token out of Referer headers, caches and search engines."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _after_change(request, questionnaire):
    """Back to the results if this user may read them; otherwise (RCGP admin) to the contract."""
    if services.can_read_answers.test(request.user, questionnaire.contract):
        return redirect("questionnaires:results", reference=questionnaire.contract.reference, pk=questionnaire.pk)
    return redirect("contracts:detail", reference=questionnaire.contract.reference)


def answer_url(request, questionnaire):
    return request.build_absolute_uri(reverse("questionnaires:answer", kwargs={"token": questionnaire.token}))


# Staff ------------------------------------------------------------------------------------------

@login_required
@require_POST
def questionnaire_open_view(request, reference):
    contract = policy.get_contract_or_404(request.user, reference)
    if not permissions.can_run_questionnaire.test(request.user, contract):
        raise Http404
    try:
        questionnaire = services.questionnaire_open(contract=contract, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        open_one = contract.questionnaires.filter(closed_at__isnull=True).first()
        return _after_change(request, open_one) if open_one else redirect("contracts:detail", reference=reference)
    messages.success(request, f"Staff questionnaire opened. Share this link with the practice’s staff: "
                              f"{answer_url(request, questionnaire)}")
    return _after_change(request, questionnaire)


@login_required
@require_POST
def questionnaire_close_view(request, reference, pk):
    contract = policy.get_contract_or_404(request.user, reference)
    if not permissions.can_run_questionnaire.test(request.user, contract):
        raise Http404
    questionnaire = get_object_or_404(Questionnaire, contract=contract, pk=pk)
    try:
        services.questionnaire_close(questionnaire=questionnaire, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Staff questionnaire closed. The link no longer accepts answers.")
    return _after_change(request, questionnaire)


@login_required
@require_GET
def questionnaire_results_view(request, reference, pk):
    contract = policy.get_contract_or_404(request.user, reference)
    if not services.can_read_answers.test(request.user, contract):
        raise Http404
    questionnaire = get_object_or_404(Questionnaire.objects.select_related("opened_by"), contract=contract, pk=pk)
    aggregates = services.questionnaire_aggregates(questionnaire)
    # Individual answers come through the access policy, in no particular order (not arrival order),
    # and only once there are enough of them that no one can be picked out.
    responses = []
    if not aggregates.too_few:
        responses = list(policy.questionnaire_responses_for(request.user).filter(questionnaire=questionnaire)
                         .order_by("?").values("answers", "comments"))
    can_run = permissions.can_run_questionnaire.test(request.user, contract)
    return render(request, "forwardplans/questionnaire/results.jinja", {
        "contract": contract,
        "questionnaire": questionnaire,
        "aggregates": aggregates,
        "summary_text": services.questionnaire_summary_text(questionnaire, aggregates),
        "responses": responses,
        "statements": QUESTIONNAIRE_STATEMENTS,
        "scale": dict(AGREEMENT_SCALE),
        "share_url": answer_url(request, questionnaire),
        "can_close": can_run and questionnaire.is_open,
        "can_open_another": (can_run and not contract.is_ended
                             and not contract.questionnaires.filter(closed_at__isnull=True).exists()),
        "others": contract.questionnaires.exclude(pk=questionnaire.pk),
    })


# Public -----------------------------------------------------------------------------------------

def _public_questionnaire(token):
    return get_object_or_404(Questionnaire.objects.select_related("contract__practice"), token=token)


def _closed(request, questionnaire):
    return _private(render(request, "forwardplans/questionnaire/closed.jinja",
                           {"practice_name": questionnaire.contract.practice.name}, status=CLOSED_STATUS))


@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire_answer_view(request, token):
    questionnaire = _public_questionnaire(token)
    if not questionnaire.is_open:
        return _closed(request, questionnaire)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_submit(token=token, answers=form.answers(),
                                          comments=form.cleaned_data["comments"])
        except DomainError as exc:
            questionnaire.refresh_from_db()
            if not questionnaire.is_open:  # closed while they were answering
                return _closed(request, questionnaire)
            form.add_error(None, str(exc))
        else:
            return redirect("questionnaires:thanks", token=token)
    return _private(render(request, "forwardplans/questionnaire/answer.jinja", {
        "form": form,
        "practice_name": questionnaire.contract.practice.name,
        "scale": AGREEMENT_SCALE,
        "max_words": services.MAX_COMMENT_WORDS,
    }))


@never_cache
@require_GET
def questionnaire_thanks_view(request, token):
    questionnaire = _public_questionnaire(token)
    return _private(render(request, "forwardplans/questionnaire/thanks.jinja",
                           {"practice_name": questionnaire.contract.practice.name}))
