"""The worker outlives a broker restart: kombu's attempt to requeue through a closed connection is skipped.

The real thing runs in the fault run (bench/fault_run.py, fault 5: the broker Redis stopped while tasks are
held); here, the guard's two paths.
"""

from types import SimpleNamespace

from kombu.transport import redis as kombu_redis

from kbportal import celery_broker


def _qos(client):
    qos = kombu_redis.QoS.__new__(kombu_redis.QoS)
    qos.channel = SimpleNamespace(connection=SimpleNamespace(client=client))
    qos._delivered = {"tag-1": object(), "tag-2": object()}
    return qos


def test_the_guard_is_installed_by_the_celery_app():
    import kbportal.celery  # noqa: F401 - installs it

    assert kombu_redis.QoS.restore_unacked is celery_broker.restore_unacked


def test_with_the_connection_gone_the_held_tasks_are_left_in_the_broker(caplog):
    qos = _qos(client=None)

    assert celery_broker.restore_unacked(qos) is None  # unguarded, kombu raises AttributeError here

    assert qos._delivered == {}
    assert "2 unacknowledged task(s) stay in the broker" in caplog.text


def test_with_a_connection_kombu_puts_the_tasks_back_itself(monkeypatch):
    calls = []
    monkeypatch.setattr(celery_broker, "_restore_unacked", lambda qos, client: calls.append((qos, client)))
    qos = _qos(client=object())

    celery_broker.restore_unacked(qos)

    assert calls == [(qos, None)]
