"""kbportal/buffer.py: what read-only pages count waits, in this process or in Redis, and is written in batches.

The Redis tests need `REDIS_URL` (they use the default cache's Redis, under this test process's key prefix).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from articles.models import Article
from articles.services import VIEW_RECORD, content_register_view
from kbportal import buffer
from tests.articles.factories import ArticleFactory

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")


def _views(article) -> int:
    return Article.objects.get(pk=article.pk).view_count


@pytest.fixture
def article():
    return ArticleFactory(view_count=0)


@pytest.fixture
def on_redis(settings):
    settings.KBPORTAL_BUFFER_BACKEND = "redis"
    buffer._redis().delete(buffer._key(VIEW_RECORD))
    yield buffer._redis()
    buffer._redis().delete(buffer._key(VIEW_RECORD))


def test_the_backend_is_redis_only_with_redis_and_a_broker_to_drain_it(settings):
    settings.KBPORTAL_BUFFER_BACKEND = ""
    settings.REDIS_URL, settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0", ""
    embedded = buffer.backend()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/1"

    assert (embedded, buffer.backend()) == ("memory", "redis")


def test_the_memory_backend_writes_a_batch_in_the_order_recorded(article):
    with buffer.held():
        for _ in range(3):
            content_register_view(item=article)
        assert _views(article) == 0

    assert buffer.flush_memory() == 3
    assert _views(article) == 3
    assert buffer.flush_memory() == 0


@needs_redis
def test_redis_keeps_the_records_until_the_drain_writes_them_in_batches(article, on_redis):
    for _ in range(4):
        content_register_view(item=article)

    assert on_redis.llen(buffer._key(VIEW_RECORD)) == 4
    assert buffer.flush_memory() == 0  # nothing waits in the process
    assert _views(article) == 0

    assert buffer.drain_task() == 4
    assert _views(article) == 4
    assert on_redis.llen(buffer._key(VIEW_RECORD)) == 0


@needs_redis
def test_a_batch_that_fails_to_be_written_waits_in_redis_for_the_next_drain(article, on_redis, monkeypatch):
    for _ in range(2):
        content_register_view(item=article)
    real = buffer._writers[VIEW_RECORD]

    def broken(batch):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(buffer._writers, VIEW_RECORD, broken)
    assert buffer.drain_redis() == 0
    assert on_redis.llen(buffer._key(VIEW_RECORD)) == 2

    monkeypatch.setitem(buffer._writers, VIEW_RECORD, real)
    assert buffer.drain_redis() == 2
    assert _views(article) == 2


def test_with_redis_down_a_record_is_written_from_the_process_instead_of_lost(article, settings, monkeypatch, caplog):
    settings.KBPORTAL_BUFFER_BACKEND = "redis"

    class Down:
        def rpush(self, *args):
            raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(buffer, "_redis", lambda: Down())
    with buffer.held():
        content_register_view(item=article)

    assert "written after this response" in caplog.text
    assert buffer.flush_memory() == 1
    assert _views(article) == 1


def test_a_record_of_a_kind_without_a_writer_is_dropped_with_an_error(caplog):
    buffer.record("nobody.writes.this", {"x": 1})

    assert "No writer is registered" in caplog.text
    assert buffer.flush_memory() == 0
