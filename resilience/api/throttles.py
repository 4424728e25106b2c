"""Throttling per API token (per user for browser sessions, per address for anonymous requests)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from resilience.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Rate from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]`` (env ``API_THROTTLE_RATE``).

    The rate is read when each request is checked (not once at import, as DRF's own throttles do),
    so settings overrides apply. Each token has its own allowance, even two tokens of one user.
    """

    scope = "api"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
