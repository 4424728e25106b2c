"""The application's cache on Redis (settings.CACHES), sharing the Redis database with the Celery broker."""

import re

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

BATCH = 1000


class ReusedClient(RedisCacheClient):
    """Django's Redis cache client, except that each connection pool's redis-py client is made once and reused.
    Django makes a new ``redis.Redis`` around the pooled connection for every cache call, and making one fills
    its table of response callbacks (about 170 entries): a signed-in page reads the cache three times, and this
    was a tenth of its time. A client is safe to share between threads (it takes a connection from the pool for
    each command), and the pool notices a fork and opens new connections in the child."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PrefixedRedisCache(RedisCache):
    """Django's Redis cache, except that ``clear()`` deletes only this cache's keys (those under its KEY_PREFIX):
    Django's own flushes the whole database, and with it the Celery broker's queues and bindings; and that a
    connection pool's client is reused (ReusedClient)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient

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
