"""The two pages of signing in with an NHS identity (people/sso.py does the work). Open to anyone, like the login
page: a person already signed in is sent on to their home page. Every refusal goes back to the login page with
its message, and is logged (``sso.refusal_record``)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from . import sso

BACKEND = "core.auth.UserBackend"


def _provider_or_404(name):
    found = sso.provider(name)
    if found is None:
        raise Http404
    return found


def _refused(request, refused, provider):
    sso.refusal_record(refused, provider.name)
    messages.error(request, refused.message)
    return redirect("login")


@require_GET
def start_view(request, provider):
    """Send the person to the provider's sign-in, with a new state, nonce and PKCE challenge."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    found = _provider_or_404(provider)
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = ""
    try:
        url = sso.authorization_url(request.session, found, next_url=target)
    except sso.SsoRefused as refused:
        return _refused(request, refused, found)
    return redirect(url)


@require_GET
def callback_view(request, provider):
    """Where the provider sends the person back: check everything, find the person, sign them in."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    found = _provider_or_404(provider)
    try:
        claims, target = sso.authorization_finish(request.session, found, request.GET)
        user = sso.person_for(provider=found, claims=claims)
    except sso.SsoRefused as refused:
        return _refused(request, refused, found)
    login(request, user, backend=BACKEND)
    return redirect(target or settings.LOGIN_REDIRECT_URL)
