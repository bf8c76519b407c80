"""A worker that outlives its broker: a narrow guard around kombu's Redis transport.

When the Redis broker drops the connection while the worker holds unacknowledged tasks (acknowledged-late
tasks under way, or retries waiting for their countdown), Celery 5.7 closes the broken connection, and
kombu's Redis QoS then tries to put those tasks back on the queue through that closed connection. It has
no client any more, raises AttributeError, and Celery stops the worker as an "unrecoverable error": one
broker restart, and no worker is left (reproduced in the fault run, fault 5; celery/kombu issues about
`'NoneType' object has no attribute 'hostname'`).

Nothing needs to be put back at that moment: the tasks are still in the broker's "unacked" set, from which
any worker puts them back on the queue after the visibility timeout (`visibility_timeout` in
CELERY_BROKER_TRANSPORT_OPTIONS), and the outbox's sweep hands their deliveries over sooner. So with no
connection left, the guard only forgets them locally and the worker goes on reconnecting.
"""

import logging

from kombu.transport import redis as kombu_redis

logger = logging.getLogger(__name__)

_restore_unacked = kombu_redis.QoS.restore_unacked


def restore_unacked(self, client=None):
    if client is None and getattr(self.channel.connection, "client", None) is None:
        logger.warning(
            "broker connection gone: %d unacknowledged task(s) stay in the broker and return to the queue "
            "after the visibility timeout",
            len(self._delivered),
        )
        self._delivered.clear()
        return None
    return _restore_unacked(self, client)


def install() -> None:
    kombu_redis.QoS.restore_unacked = restore_unacked
