"""Sliding idle sessions without a database write on every request.

A session ends SESSION_COOKIE_AGE (30 minutes) after the user's last request. Django's way to get that,
SESSION_SAVE_EVERY_REQUEST, writes the session row on every page view; here the session is written again only
when its last write is SESSION_REFRESH_SECONDS old or more, so an idle user is signed out between
SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after their last request (issue 9).
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

REFRESHED_AT = "_refreshed_at"


class SlidingSessionMiddleware:
    """After SessionMiddleware: marks a signed-in session modified when it is due a refresh, so that
    SessionMiddleware saves it with a new expiry and sends the cookie again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request read (every signed-in page does) and that still holds a signed-in user:
        # never one the request did not use, one that has just been flushed, or a stale cookie's.
        if session is not None and session.accessed and not session.modified and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now
        return response
