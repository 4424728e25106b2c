"""API tokens: issued once in plain text, stored as a SHA-256 hash, expirable and revocable.

``Authorization: Token <token>``. A missing token answers 401 (with ``WWW-Authenticate: Token``),
and so does a wrong, expired or revoked one, or one whose user is inactive.
"""

import datetime
import hashlib
import secrets

from django.utils import timezone
from rest_framework import authentication, exceptions

from resilience.errors import DomainError
from resilience.models import ApiToken

KEYWORD = "Token"
PREFIX_LENGTH = 8
# last_used_at is written at most this often per token, so reading does not mean writing on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user, *, name="", expires_days=None):
    """Make a token for ``user``: returns (ApiToken, the secret). The secret is not kept anywhere."""
    if not user.is_active:
        raise DomainError(f"{user.username} is not active: an inactive user cannot have an API token.")
    if expires_days is not None and expires_days < 1:
        raise DomainError("A token must last at least one day.")
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + datetime.timedelta(days=expires_days) if expires_days else None
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key),
                                    expires_at=expires_at)
    return token, key


def revoke_tokens(tokens):
    """Revoke the given tokens (a queryset) now; already revoked ones keep their date. Returns how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


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
