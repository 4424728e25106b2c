"""API tokens: made by their owner (the secret is shown once, only its hash is kept), listed and revoked by their
owner or by RCGP admin. Every token expires. Which tokens someone may see is core.access.api_tokens_for."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.errors import DomainError
from core.models import ApiToken
from core.roles import is_rcgp_admin
from core.text import one_line

from . import access

PREFIX_LENGTH = 8
NAME_LENGTH = ApiToken._meta.get_field("name").max_length


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


# Selectors ------------------------------------------------------------------------------------------------------

def own_tokens(user):
    """The user's own tokens, newest first."""
    return access.api_tokens_for(user).filter(user=user)


def all_tokens(user):
    """Everyone's tokens with their owners, for RCGP admin (nobody else has this list: DomainError)."""
    if not is_rcgp_admin.test(user):
        raise DomainError("Only RCGP admin can list everyone's API tokens.")
    return access.api_tokens_for(user).select_related("user")


def get_token_or_404(user, pk):
    """A token the user may revoke (their own; any, for RCGP admin); 404 for any other."""
    return get_object_or_404(access.api_tokens_for(user), pk=pk)


# Services -------------------------------------------------------------------------------------------------------

@transaction.atomic
def api_token_create(*, owner, name="", days=None, actor):
    """Make a token for ``owner``, lasting ``days`` (default API_TOKEN_DAYS). Returns (token, secret); the secret is
    not kept anywhere. ``actor`` is the owner, or None for the server's operator (``create_api_token``)."""
    if actor is not None and actor.pk != owner.pk:
        raise DomainError("You can make API tokens only for yourself.")
    if not owner.is_active:
        raise DomainError(f"{owner.username} is not active: an inactive user cannot have an API token.")
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise DomainError(f"A token must last at least one day and at most {settings.API_TOKEN_MAX_DAYS} days.")
    name = one_line(name)
    if len(name) > NAME_LENGTH:
        raise DomainError(f"Give the token a name of {NAME_LENGTH} characters or fewer.")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=owner, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key),
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
    return token, key


@transaction.atomic
def api_token_revoke(*, token, actor):
    """Revoke ``token`` now: its owner or RCGP admin may. A token already revoked keeps its first date."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not access.api_tokens_for(actor).filter(pk=token.pk).exists():
        raise DomainError("You cannot revoke this token.")
    if token.revoked_at is not None:
        raise DomainError(f"Token {token.prefix}… was already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def revoke_tokens(tokens):
    """Revoke the given tokens (a queryset) now; already revoked ones keep their date. Returns how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
