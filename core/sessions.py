"""Sliding idle sessions without a database write on every request, and what the page needs to warn before one ends.

A session ends SESSION_COOKIE_AGE (30 minutes) after the user's last request. Django's way to get that,
SESSION_SAVE_EVERY_REQUEST, writes the session row on every page view; here the session is written again only
when its last write is SESSION_REFRESH_SECONDS old or more, so an idle user is signed out between
SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after their last request.

Every signed-in response says how long the session has left (X-Session-Seconds, and the timeout dialog's data on a
page), so the page can warn SESSION_WARNING_SECONDS before it ends (static/js/timeout.js, WCAG 2.2.1) and offer
to stay signed in (``session_extend_view``).
"""

import time
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.models import SignedInSession

REFRESHED_AT = "_refreshed_at"
SECONDS_HEADER = "X-Session-Seconds"


def _due_refresh(session, now):
    return now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS


def seconds_left(request, now=None):
    """How long the signed-in session will last without another request, counting the write this request makes
    (a session saved now lasts a whole idle period from now)."""
    now = now or time.time()
    session = request.session
    if session.modified or _due_refresh(session, now):
        return settings.SESSION_COOKIE_AGE
    return max(0, int(session.get(REFRESHED_AT, 0) + settings.SESSION_COOKIE_AGE - now))


class SlidingSessionMiddleware:
    """After SessionMiddleware: marks a signed-in session modified when it is due a refresh, so that
    SessionMiddleware saves it with a new expiry and sends the cookie again; tells the page how long is left."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request read (every signed-in page does) and that still holds a signed-in user:
        # never one the request did not use, one that has just been flushed, or a stale cookie's.
        if session is not None and session.accessed and session.get(SESSION_KEY):
            now = time.time()
            if not session.modified and _due_refresh(session, now):
                session[REFRESHED_AT] = int(now)
            response[SECONDS_HEADER] = str(seconds_left(request, now))
        return response


@require_POST
def session_extend_view(request):
    """"Stay signed in": the session starts a whole idle period again. 401 if it has already ended."""
    if not request.user.is_authenticated:
        return HttpResponse("You have been signed out.", status=401, content_type="text/plain")
    request.session[REFRESHED_AT] = int(time.time())
    return HttpResponse(status=204)


ENDED_MARGIN = 2  # seconds: a page's countdown and the server's clock may differ by this much


@require_POST
def session_ended_view(request):
    """Where a page goes when its countdown has run out: if the session has ended (or is about to), sign out and ask
    to sign in again, saying why, then come back to where the user was. A session kept alive meanwhile (in another
    tab, say) is not ended: the page is opened again, with its time left."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if request.user.is_authenticated:
        refreshed = request.session.get(REFRESHED_AT)
        if refreshed and refreshed + settings.SESSION_COOKIE_AGE - time.time() > ENDED_MARGIN:
            return redirect(target or reverse("home"))
        logout(request)
    return redirect(f"{reverse('login')}?{urlencode({'next': target, 'timeout': 1} if target else {'timeout': 1})}")


def session_record(sender, request, user, **kwargs):
    """On sign-in (the ``user_logged_in`` signal): note the session, so that deactivation can end it."""
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        SignedInSession.objects.update_or_create(session_key=key, defaults={"user": user})


def sessions_end_for(user):
    """End every session the person signed in with, in whatever store settings.SESSION_ENGINE names, at once.
    (Each request also checks the person is still active, core.auth.UserBackend, so a session this missed ends at
    its next request all the same.) Returns how many were ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = list(SignedInSession.objects.filter(user=user).values_list("pk", "session_key"))
    for _pk, key in rows:
        store(session_key=key).delete()
    SignedInSession.objects.filter(pk__in=[pk for pk, _key in rows]).delete()
    return len(rows)
