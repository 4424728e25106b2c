"""API tokens: issued once in plain text, stored as a SHA-256 hash, expiring and revocable (core/api_tokens.py).

``Authorization: Token <token>``. A missing token answers 401 (with ``WWW-Authenticate: Token``),
and so does a wrong, expired or revoked one, or one whose user is inactive.
"""

import datetime

from django.utils import timezone
from rest_framework import authentication, exceptions

from core.api_tokens import api_token_create, hash_key
from core.models import ApiToken

KEYWORD = "Token"
# last_used_at is written at most this often per token, so reading does not mean writing on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def issue_token(user, *, name="", expires_days=None):
    """Make a token for ``user`` as the server's operator: returns (ApiToken, the secret). It lasts
    ``expires_days`` (default API_TOKEN_DAYS)."""
    return api_token_create(owner=user, name=name, days=expires_days, actor=None)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token as `Authorization: Token <token>`.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or token.status_at(now) != "active" or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
