"""A Redis connection pool that leaves a Redis it just failed to reach alone for a few seconds.

Stopped, Redis refuses a connection at once; unreachable (a partition, a host dropping packets) or hung, it
costs SOCKET_CONNECT_TIMEOUT or SOCKET_TIMEOUT per attempt, and a page makes several cache calls. After a
failure to connect this pool refuses new connections at once for ``PAUSE_SECONDS``, then tries again: the
page cache reads the refusals as misses (IGNORE_EXCEPTIONS) and the rate-limit counters fail over to the
database (kbportal.security.cache.FailoverCounterCache), so an outage costs one timeout per process every few
seconds instead of one per cache call. Set as CONNECTION_POOL_CLASS by ``redis_cache`` in settings/base.py.
"""

import time

from redis.connection import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class FailFastConnectionPool(ConnectionPool):
    PAUSE_SECONDS = 5.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unreachable_until = 0.0  # time.monotonic() before which no connection is attempted

    def get_connection(self, *args, **kwargs):
        if time.monotonic() < self.unreachable_until:
            raise RedisConnectionError("Redis could not be reached moments ago; it is not asked again yet.")
        try:
            return super().get_connection(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            self.unreachable_until = time.monotonic() + self.PAUSE_SECONDS
            raise
