"""Who is signed in. Django's ModelBackend, except that the signed-in user is loaded with their organisation, which
every page's header names, in the same query; and Django's AuthenticationMiddleware, except that the user it loads
is kept for the session in ``signed_in_users`` (core/session_cache.py) and reused by the session's next requests
within a minute, until the user changes (any save, update or delete of the user's row: core.models.Users and
the signals connected in core/apps.py)."""

from django.contrib import auth
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend, UserModel
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from .session_cache import signed_in_users


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = UserModel._default_manager.select_related("commissioner", "practice").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def signed_in_user(request):
    """The request's user: the session's kept copy when it is of the user's current generation and still matches
    the session's password hash, else loaded and checked as Django does (a changed password ends the session)."""
    if not hasattr(request, "_cached_user"):
        session, loaded = request.session, []

        def load():
            loaded.append(auth.get_user(request))
            return loaded[0] if loaded[0].is_authenticated else None

        user = signed_in_users.get(session, session.get(SESSION_KEY), load)
        if user is None:
            user = loaded[0] if loaded else AnonymousUser()
        elif not loaded and not constant_time_compare(session.get(HASH_SESSION_KEY, ""),
                                                      user.get_session_auth_hash()):
            user = auth.get_user(request)
        request._cached_user = user
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)  # request.auser stays Django's
        request.user = SimpleLazyObject(lambda: signed_in_user(request))
