"""Sessions read from the cache (Redis when REDIS_URL is set) and written through to the database.

Django's ``cached_db`` store, with two changes. A session is kept in the cache for SESSION_CACHE_SECONDS at most
(then read again from the database), not for its whole life: a sign-out made while Redis could not be reached
(the database row is gone, the cached copy could not be deleted) is not undone for longer than that when Redis
comes back. And a Redis that cannot be reached never fails a page: the session is read from and written to the
database alone, and the error is logged.
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db

log = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def _cache_set(self, data, **expiry):
        try:
            self._cache.set(self.cache_key, data, min(self.get_expiry_age(**expiry), settings.SESSION_CACHE_SECONDS))
        except Exception as exc:
            log.warning("session cache not written: %s", type(exc).__name__)

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception as exc:  # Redis unreachable (or a key it refuses): the database has the session
            log.warning("session cache not read: %s", type(exc).__name__)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        self._cache_set(data, expiry=row.expire_date)
        return data

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)  # the database's copy
        self._cache_set(self._session)

    def delete(self, session_key=None):
        key = session_key or self.session_key
        super(cached_db.SessionStore, self).delete(session_key)  # the database's copy
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception as exc:
            log.error("signed-out session %s… left in the cache for up to %s s: %s", key[:6],
                      settings.SESSION_CACHE_SECONDS, type(exc).__name__)
