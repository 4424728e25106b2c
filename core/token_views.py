"""Pages for API tokens: a user's own (list, make one, revoke one) and, for RCGP admin, everyone's (list, revoke).

Tokens come from core.access (through core.api_tokens); a token the user may not revoke answers 404.
The pages are never cached: one of them shows a new token's secret, once.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import api_tokens
from core.errors import DomainError
from core.forms import Form
from core.roles import is_rcgp_admin
from core.submit import run_for_form

ALL_SHOWN = 1000


class ApiTokenForm(Form):
    name = forms.CharField(label="Name", max_length=api_tokens.NAME_LENGTH,
                           help_text="What the token is for, so that you can tell your tokens apart.",
                           error_messages={"required": "Enter a name for the token"})
    days = forms.IntegerField(label="Expires after (days)", min_value=1,
                              error_messages={"required": "Enter how many days the token lasts",
                                              "invalid": "Enter how many days the token lasts as a whole number",
                                              "min_value": "A token must last at least 1 day"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        most = settings.API_TOKEN_MAX_DAYS
        days = self.fields["days"]
        days.max_value, days.initial = most, settings.API_TOKEN_DAYS
        days.validators.append(MaxValueValidator(most, message=f"A token can last at most {most} days"))
        days.error_messages["max_value"] = f"A token can last at most {most} days"
        days.help_text = f"Between 1 and {most}. Make a new token when this one expires."


def _listed(tokens):
    now = timezone.now()
    tokens = list(tokens)
    for token in tokens:
        token.status = token.status_at(now)
    return tokens


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def own_tokens_view(request):
    """The user's tokens; POST makes one and shows its secret this once."""
    form, secret, new_token = ApiTokenForm(), None, None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            outcome = run_for_form(form, lambda: api_tokens.api_token_create(
                owner=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"], actor=request.user))
            if outcome.ok:
                new_token, secret = outcome.value
                form = ApiTokenForm()
    return render(request, "accounts/api_tokens.jinja", {
        "form": form, "secret": secret, "new_token": new_token, "tokens": _listed(api_tokens.own_tokens(request.user)),
        "sees_all": is_rcgp_admin.test(request.user)}, status=422 if form.errors else 200)


@never_cache
@login_required
def all_tokens_view(request):
    """Everyone's tokens with their owners: RCGP admin only (404 for anyone else)."""
    try:
        tokens = api_tokens.all_tokens(request.user)
    except DomainError:
        raise Http404 from None
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(request, "accounts/api_tokens_all.jinja", {"tokens": _listed(tokens[:ALL_SHOWN]),
                                                             "total": tokens.count(), "shown": ALL_SHOWN})


@never_cache
@login_required
@require_POST
def revoke_token_view(request):
    """Revoke the token ``token`` (an id) of the form: the owner's or, for RCGP admin, anyone's; 404 otherwise."""
    try:
        pk = int(request.POST.get("token", ""))
    except ValueError:
        raise Http404 from None
    token = api_tokens.get_token_or_404(request.user, pk)
    back = "api_tokens_all" if request.POST.get("back") == "all" and is_rcgp_admin.test(request.user) else "api_tokens"
    try:
        api_tokens.api_token_revoke(token=token, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        whose = "" if token.user_id == request.user.pk else f" of {token.user.get_full_name() or token.user.username}"
        messages.success(request, f"Token {token.prefix}…{whose} revoked. It no longer works.")
    return redirect(back)
