"""Values a signed-in session would otherwise work out on every request — the signed-in user, the header's
unread count — kept in the cache (Redis when REDIS_URL is set) for a minute at most, and never used once what
they were worked out from has changed.

A value is kept under the session's key (random, so two databases sharing one Redis never read each other's)
together with its owner's *generation*: a token kept per owner (a user's id) that ``forget(owner_ids)`` drops when
the change is made and again once it commits, so that the next read finds a new generation and works the value out
again. The generation is read before the value is worked out and stored with it, so a value worked out from data a
change has since replaced is never used, whichever finishes first. A cache that cannot be reached costs a
recomputation, never a failed page; a generation that could not be dropped then is outlived by TIMEOUT.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

TIMEOUT = 60  # seconds a value is kept: how stale it can be when a change could not reach the cache
GENERATION_TIMEOUT = 24 * 60 * 60  # a generation outlives the values stored with it; a lost one means a reload

_caches = []  # every SessionCache: a request reads all of a session's kept values in one round trip
_forgets = [0]  # moves on at every forget(): what a request read ahead before one is read again
_READ_AHEAD = "_session_cache_read_ahead"


class SessionCache:
    """``get(session, owner_id, work_out)``: the owner's value for this session (anything with a
    ``session_key``, the request's session), from the cache when it is of the owner's current generation, else
    ``work_out()`` (kept unless it is None). The first ``get`` of a request reads every SessionCache's value and
    generation for the session in one ``MGET`` and keeps them on the session object, for the request only."""

    def __init__(self, name, timeout=TIMEOUT):
        self.name, self.timeout = name, timeout
        _caches.append(self)

    def _value_key(self, session_key):
        return f"{self.name}:{session_key}"

    def _generation_key(self, owner_id):
        return f"{self.name}:generation:{owner_id}"

    def get(self, session, owner_id, work_out):
        session_key = getattr(session, "session_key", None)
        if not session_key or owner_id is None:
            return work_out()
        value_key, generation_key = self._value_key(session_key), self._generation_key(owner_id)
        try:
            found = _read_ahead(session, owner_id)
            generation = found.get(generation_key)
            kept = found.get(value_key)
            if kept is not None and generation is not None and kept[0] == generation:
                return kept[1]
            if generation is None:
                cache.add(generation_key, uuid.uuid4().hex, GENERATION_TIMEOUT)
                generation = found[generation_key] = cache.get(generation_key)
        except Exception as exc:  # Redis unreachable: work it out, as without a cache
            log.warning("%s: cache not read: %s", self.name, type(exc).__name__)
            return work_out()
        value = work_out()
        if value is not None and generation is not None:
            try:
                cache.set(value_key, (generation, value), self.timeout)
                found[value_key] = (generation, value)
            except Exception as exc:
                log.warning("%s: cache not written: %s", self.name, type(exc).__name__)
        return value

    def forget(self, owner_ids):
        """Every session's value for these owners is worked out again: at once (what this transaction's own
        connection reads) and again when the transaction commits (a value another request worked out meanwhile,
        from what was committed before, is not used)."""
        keys = [self._generation_key(owner_id) for owner_id in set(owner_ids) if owner_id is not None]
        if keys:
            self._drop(keys)
            transaction.on_commit(lambda: self._drop(keys))

    def _drop(self, keys):
        _forgets[0] += 1
        try:
            cache.delete_many(keys)
        except Exception as exc:
            log.error("%s: %d generation(s) not dropped, values may be used for up to %s s: %s", self.name,
                      len(keys), self.timeout, type(exc).__name__)


def _read_ahead(session, owner_id):
    """Every SessionCache's value and generation for this session and owner, read in one round trip and kept on
    the session object, for this request, until a forget() anywhere in the process (then read again)."""
    ahead = getattr(session, _READ_AHEAD, None)
    if ahead is not None and ahead[0] == (str(owner_id), _forgets[0]):
        return ahead[1]
    seen = (str(owner_id), _forgets[0])  # the session holds the user's id as text
    keys = [key for kept in _caches
            for key in (kept._value_key(session.session_key), kept._generation_key(owner_id))]
    found = cache.get_many(keys)
    setattr(session, _READ_AHEAD, (seen, found))
    return found


# The signed-in user of each session (core/auth.py); core.models.Users tells it which users changed.
signed_in_users = SessionCache("signed-in-user")
