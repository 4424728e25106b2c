"""Throttling per API token (per user for browser sessions, per address for anonymous requests).

The counts live in the default cache, which is Redis (shared by every worker process) whenever REDIS_URL is set.
"""

import logging

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.client_address import client_address
from core.models import ApiToken

logger = logging.getLogger("resilience.api")


class TokenRateThrottle(SimpleRateThrottle):
    """Rate from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]`` (env ``API_THROTTLE_RATE``).

    The rate is read when each request is checked (not once at import, as DRF's own throttles do),
    so settings overrides apply. Each token has its own allowance, even two tokens of one user.

    A window opens at a caller's first request and lasts the rate's period; each request adds one to the window's
    count with the cache's atomic increment. (DRF's own throttle reads a list of times, appends and writes it back:
    simultaneous requests in several processes each read the same list and all pass.)
    """

    scope = "api"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            # The hash, not the id: ids start again in a new database, and a count must never pass to another token.
            ident = f"token-{request.auth.key_hash[:32]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        try:
            count = self._count()
        except RedisError:
            # Redis down: the API keeps answering (as saving keeps working, see the jobs' outbox), unthrottled.
            logger.warning("API throttle: the cache is unavailable; request let through", exc_info=True)
            return True
        return count is None or count <= self.num_requests

    def _count(self):
        """This request's number in its caller's window (None if the cache would not keep a count)."""
        for _attempt in range(3):
            # add() opens a window only if none is open; incr() fails if the window closed in between: open again.
            self.cache.add(f"{self.key}:start", self.now, self.duration)
            self.cache.add(self.key, 0, self.duration)
            try:
                return self.cache.incr(self.key)
            except ValueError:
                continue
        return None

    def wait(self):
        start = self.cache.get(f"{self.key}:start", self.now)
        return max(1.0, start + self.duration - self.now)
