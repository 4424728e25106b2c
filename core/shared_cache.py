"""The application's cache on Redis (settings.CACHES), sharing the Redis database with the Celery broker."""

import re

from django.core.cache.backends.redis import RedisCache

BATCH = 1000


class PrefixedRedisCache(RedisCache):
    """Django's Redis cache, except that ``clear()`` deletes only this cache's keys (those under its KEY_PREFIX):
    Django's own flushes the whole database, and with it the Celery broker's queues and bindings."""

    def clear(self):
        if not self.key_prefix:
            raise ValueError("PrefixedRedisCache needs a KEY_PREFIX: without one, clear() would empty the database.")
        client = self._cache.get_client(None, write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        deleted, batch = 0, []
        for key in client.scan_iter(match=pattern, count=BATCH):
            batch.append(key)
            if len(batch) == BATCH:
                deleted += client.delete(*batch)
                batch = []
        if batch:
            deleted += client.delete(*batch)
        return bool(deleted)
