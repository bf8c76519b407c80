"""Reads on a real PostgreSQL streaming replica: routing, read-your-writes under lag, and the replica down.

    deploy/replica/replica.sh start        # a replica of 127.0.0.1:5432 on 127.0.0.1:5433
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kbportal \\
    DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/kbportal \\
      .venv/bin/pytest -p no:cacheprovider tests/kbportal/test_replicas_streaming.py

Skipped without DATABASE_REPLICA_URLS naming a PostgreSQL replica; `KBPORTAL_REPLICA_REQUIRED=1` (set by
.ci/run, which starts the replica) turns that into a failure. Run it alone and on one worker: the last test
stops the replica, and starts it again.

Test databases. pytest-django creates the test database on the primary only. The test profile declares
replica1 a TEST MIRROR of default (kbportal/settings/test.py), and for a mirror Django changes nothing but the
connection's NAME, to the test database's: replica1 still connects to the replica's host and port. Streaming
replication replays the CREATE DATABASE and the migrations, so that database is there on the replica, read-only,
and no test database is ever created, flushed or dropped on it (TransactionTestCase flushes only non-mirrors).
The tests are transactional (a replica sees committed rows only) and each waits, bounded, until the replica has
replayed the primary's WAL past its arrangement before it reads. A streaming replica mirrors the primary, so no
row can tell them apart: where each query ran shows in which connection ran it, and that connection's server is
checked to be the replica (`pg_is_in_recovery()`, its port). With replay paused (`pg_wal_replay_pause()`) the
replica lags for as long as the test wants: the old state it still serves proves that a page read there.
"""

import os
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from articles.models import Article, Feedback
from kbportal import replicas
from tests.accounts.factories import UserFactory
from tests.articles.factories import ArticleFactory
from tests.kbportal.replica_helpers import BOTH, PRIMARY, REPLICA, queries_per_database

_CONFIGURED = bool(os.environ.get("DATABASE_REPLICA_URLS")) and settings.DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
)
if not _CONFIGURED and os.environ.get("KBPORTAL_REPLICA_REQUIRED") == "1":
    pytest.fail(
        "KBPORTAL_REPLICA_REQUIRED=1 but DATABASE_REPLICA_URLS does not name a PostgreSQL replica of DATABASE_URL: "
        "start one with deploy/replica/replica.sh start and set DATABASE_REPLICA_URLS to it.",
        pytrace=False,
    )

pytestmark = [
    pytest.mark.skipif(
        not _CONFIGURED, reason="needs a PostgreSQL streaming replica in DATABASE_REPLICA_URLS (deploy/replica/)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH),
]

SCRIPT = settings.BASE_DIR / "deploy" / "replica" / "replica.sh"
CATCH_UP_SECONDS = 30


@pytest.fixture(autouse=True)
def routing(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    replicas.forget_failures()
    yield
    replicas.forget_failures()


def _one(alias: str, sql: str, params: tuple = ()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def wait_for_replica() -> None:
    """Until the replica has replayed everything the primary has written so far (bounded)."""
    (position,) = _one(PRIMARY, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while not _one(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (position,))[0]:
        if time.monotonic() > deadline:
            pytest.fail(f"the replica did not replay the primary's WAL up to {position} in {CATCH_UP_SECONDS}s")
        time.sleep(0.05)


@pytest.fixture
def replay_paused(transactional_db):
    """The replica keeps receiving WAL but applies none of it: a replica lagging as long as the test lasts."""
    _one(REPLICA, "SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while _one(REPLICA, "SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
        assert time.monotonic() < deadline, "the replica did not pause its replay"
        time.sleep(0.05)
    yield
    _one(REPLICA, "SELECT pg_wal_replay_resume()")


@pytest.fixture
def article(transactional_db):
    article = ArticleFactory(title="Reset your password")
    wait_for_replica()
    return article


def _api_article(client: Client, pk: int):
    with queries_per_database() as queries:
        response = client.get(reverse("api:article-detail", kwargs={"pk": pk}))
    assert response.status_code == 200
    return response.json(), queries


def test_replica1_is_a_streaming_replica_of_the_primary_holding_the_test_database():
    assert _one(REPLICA, "SELECT pg_is_in_recovery(), inet_server_port()") == (
        True,
        int(settings.DATABASES[REPLICA]["PORT"]),
    )
    assert _one(PRIMARY, "SELECT pg_is_in_recovery()") == (False,)
    assert connections[REPLICA].settings_dict["NAME"] == connections[PRIMARY].settings_dict["NAME"]
    assert _one(PRIMARY, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")[0] >= 1


def test_a_page_read_goes_to_the_replica(client, article):
    with queries_per_database() as queries:
        response = client.get(article.category.get_absolute_url())

    assert response.status_code == 200
    assert "Reset your password" in response.content.decode()
    assert queries.count(REPLICA) > 0
    assert queries.on(PRIMARY) == []


def test_a_write_goes_to_the_primary_and_streams_to_the_replica(client, article):
    with queries_per_database() as queries:
        response = client.post(
            reverse("articles:feedback", kwargs={"kind": "article", "pk": article.pk}), {"helpful": "yes"}
        )

    assert response.status_code == 302
    assert queries.on(REPLICA) == []
    assert any(sql.startswith("INSERT") and "articles_feedback" in sql for sql in queries.on(PRIMARY))
    wait_for_replica()
    assert Feedback.objects.using(REPLICA).filter(article=article).count() == 1


def test_under_lag_the_writer_reads_their_write_and_a_reader_may_see_the_old_state(article, replay_paused):
    writer = Client()
    writer.force_login(UserFactory())
    reader = Client()

    posted = writer.post(
        reverse("api:article-feedback", kwargs={"pk": article.pk}), {"helpful": True}, content_type="application/json"
    )
    assert posted.status_code == 200, posted.content
    assert posted.json()["helpful_count"] == 1
    assert replicas.STICKY_COOKIE in posted.cookies

    mine, queries = _api_article(writer, article.pk)
    assert mine["helpful_count"] == 1
    assert queries.on(REPLICA) == []

    theirs, queries = _api_article(reader, article.pk)
    assert theirs["helpful_count"] == 0  # the replica has not applied the vote yet
    assert queries.on(PRIMARY) == []

    _one(REPLICA, "SELECT pg_wal_replay_resume()")
    wait_for_replica()
    assert Article.objects.using(REPLICA).get(pk=article.pk).helpful_count == 1


def test_with_the_replica_down_pages_answer_from_the_primary(client, article):
    """Last: it stops the replica, then starts it again."""
    env = {**os.environ, "KBPORTAL_REPLICA_PORT": str(settings.DATABASES[REPLICA]["PORT"])}
    subprocess.run([SCRIPT, "stop"], env=env, check=True, timeout=120)  # noqa: S603 - the project's own script
    try:
        # What Django does when the next request starts (the test client leaves it out): a persistent
        # connection is health-checked again at its first use.
        connections[REPLICA].close_if_unusable_or_obsolete()
        for url in (article.category.get_absolute_url(), reverse("articles:home")):
            with queries_per_database(PRIMARY) as queries:
                response = client.get(url)
            assert response.status_code == 200
            assert queries.count(PRIMARY) > 0
        assert "Reset your password" in response.content.decode()
        mine, _ = _api_article_primary_only(client, article.pk)
        assert mine["title"] == "Reset your password"
        assert replicas.available_replicas() == []
    finally:
        subprocess.run([SCRIPT, "start"], env=env, check=True, timeout=300)  # noqa: S603 - the project's own script
        connections[REPLICA].close()


def _api_article_primary_only(client: Client, pk: int):
    with queries_per_database(PRIMARY) as queries:
        response = client.get(reverse("api:article-detail", kwargs={"pk": pk}))
    assert response.status_code == 200
    return response.json(), queries
