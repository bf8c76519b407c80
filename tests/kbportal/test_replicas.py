"""Reads on replicas: which database the router sends each query to (kbportal/replicas.py).

These run in the default suite, on SQLite and on PostgreSQL, with the test profile's "replica1": a TEST MIRROR
of default (kbportal/settings/test.py), that is a second connection to the test database itself — a replica
without lag. Which connection a query ran on shows where the router sent it. The same behaviour against a real
streaming replica, with lag and a replica that stops, is in test_replicas_streaming.py.

The tests are transactional (`transaction=True`): in a test wrapped in a transaction every read is inside an
atomic block on the primary, which the router rightly keeps there; and a replica only ever sees committed rows.
Like every transactional test of the suite they restore the database by serialized rollback: a flush without it
recreates the content types, and a later serialized test's restore then collides with them.
The test profile keeps routing off for the rest of the suite; the `routing` fixture turns it on.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import signing
from django.db import connections, transaction
from django.db.models import F
from django.db.utils import ConnectionRouter
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from articles import services as article_services
from articles.models import Article, Feedback
from kbportal import replicas
from tests.accounts.factories import UserFactory
from tests.articles.factories import ArticleFactory
from tests.kbportal.replica_helpers import BOTH, PRIMARY, REPLICA, queries_per_database

pytestmark = [
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_REPLICA_URLS")),
        reason="replica1 is a real replica (with lag): test_replicas_streaming.py is the module for it",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH),
]

router = ConnectionRouter(settings.DATABASE_ROUTERS)


@pytest.fixture
def routing(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    replicas.forget_failures()
    yield
    replicas.forget_failures()


@pytest.fixture
def article(db):
    return ArticleFactory(title="Reset your password")


def _get(client, url: str, *aliases: str):
    with queries_per_database(*aliases) as queries:
        response = client.get(url)
    return response, queries


# --- Without replicas nothing changes ---------------------------------------------------------------------


def test_without_replicas_the_router_has_no_opinion_and_no_cookie_is_set(client, article):
    with replicas.request_reads(replica_allowed=True):
        assert router.db_for_read(Article) == PRIMARY
        assert Article.objects.all().db == PRIMARY

    response, queries = _get(client, article.get_absolute_url())

    assert response.status_code == 200
    assert queries.count(REPLICA) == 0
    posted = client.post(reverse("articles:feedback", kwargs={"kind": "article", "pk": article.pk}), {"helpful": "yes"})
    assert replicas.STICKY_COOKIE not in posted.cookies


# --- Pages that only read ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("routing")
def test_a_page_that_only_reads_reads_everything_from_the_replica(client, article):
    response, queries = _get(client, article.category.get_absolute_url())

    assert response.status_code == 200
    assert article.title in response.content.decode()
    assert queries.count(REPLICA) > 0
    assert queries.on(PRIMARY) == []
    assert replicas.STICKY_COOKIE not in response.cookies


@pytest.mark.usefixtures("routing")
@pytest.mark.parametrize(
    "url_name",
    ["articles:home", "articles:article_list", "articles:video_list", "community:questions", "api:article-list"],
)
def test_the_knowledge_base_the_forum_and_the_api_read_from_the_replica(client, article, url_name):
    response, queries = _get(client, reverse(url_name))

    assert response.status_code == 200
    assert queries.count(REPLICA) > 0
    assert queries.on(PRIMARY) == []


@pytest.mark.usefixtures("routing")
def test_a_page_outside_the_replica_views_reads_from_the_primary(client):
    client.force_login(UserFactory())

    response, queries = _get(client, reverse("tickets:list"))

    assert response.status_code == 200
    assert queries.on(REPLICA) == []
    assert queries.count(PRIMARY) > 0


@pytest.mark.usefixtures("routing")
def test_a_request_picks_one_replica_and_leaves_no_state_behind(client, article):
    with replicas.request_reads(replica_allowed=True) as reads:
        assert router.db_for_read(Article) == REPLICA
        assert Article.objects.get(pk=article.pk)._state.db == REPLICA
        assert reads.chosen == REPLICA

    assert replicas.current() is None
    client.get(article.get_absolute_url())
    assert replicas.current() is None


# --- Writes, transactions and work outside requests -------------------------------------------------------


@pytest.mark.usefixtures("routing")
def test_a_write_goes_to_the_primary_and_every_later_read_of_the_request_too(article):
    with replicas.request_reads(replica_allowed=True) as reads:
        item = Article.objects.get(pk=article.pk)
        assert item._state.db == REPLICA

        with queries_per_database() as queries:
            # A vote about an article read from the replica, saved on the primary.
            article_services.feedback_submit(
                item=item, voter=article_services.Voter(session_key="s" * 32), helpful=True
            )
            again = Article.objects.get(pk=article.pk)

        assert reads.wrote
        assert queries.on(REPLICA) == []
        assert again._state.db == PRIMARY
        assert again.helpful_count == 1
    assert Feedback.objects.filter(article=article).count() == 1


@pytest.mark.usefixtures("routing")
def test_reads_inside_a_transaction_use_the_primary(article):
    with replicas.request_reads(replica_allowed=True):
        with transaction.atomic():
            assert Article.objects.get(pk=article.pk)._state.db == PRIMARY
        assert Article.objects.get(pk=article.pk)._state.db == REPLICA


@pytest.mark.usefixtures("routing")
def test_use_primary_reads_from_the_primary_on_a_page_that_reads_from_a_replica(article):
    with replicas.request_reads(replica_allowed=True) as reads:
        with replicas.use_primary():
            assert Article.objects.get(pk=article.pk)._state.db == PRIMARY
            Article.objects.filter(pk=article.pk).update(view_count=7)
        assert reads.wrote
        assert Article.objects.get(pk=article.pk)._state.db == PRIMARY


@pytest.mark.usefixtures("routing")
def test_work_outside_a_request_uses_the_primary(article):
    """Celery tasks, management commands and the shell have no request state."""
    assert replicas.current() is None
    assert router.db_for_read(Article) == PRIMARY
    assert Article.objects.get(pk=article.pk)._state.db == PRIMARY


@pytest.mark.usefixtures("routing")
def test_replicas_are_never_migrated():
    assert router.allow_migrate(REPLICA, "articles", model_name="article") is False
    assert router.allow_migrate(PRIMARY, "articles", model_name="article") is True


# --- Read your writes ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("routing")
def test_after_a_post_that_browser_reads_from_the_primary(client, article):
    with queries_per_database() as queries:
        posted = client.post(
            reverse("articles:feedback", kwargs={"kind": "article", "pk": article.pk}), {"helpful": "yes"}
        )

    assert posted.status_code == 302
    assert queries.on(REPLICA) == []
    cookie = posted.cookies[replicas.STICKY_COOKIE]
    assert cookie["max-age"] == settings.DATABASE_REPLICA_STICKY_SECONDS
    assert cookie["httponly"]

    response, queries = _get(client, article.get_absolute_url())
    assert response.status_code == 200
    assert queries.on(REPLICA) == []

    # Another visitor, who wrote nothing, reads from the replica.
    response, queries = _get(Client(), article.category.get_absolute_url())
    assert queries.count(REPLICA) > 0
    assert queries.on(PRIMARY) == []


@pytest.mark.usefixtures("routing")
def test_a_get_that_writes_is_pinned_from_its_write_on_and_so_are_the_browsers_next_reads(rf, article):
    read_from = []

    def page_that_counts_a_view(request):
        read_from.append(Article.objects.get(pk=article.pk)._state.db)
        Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
        read_from.append(Article.objects.get(pk=article.pk)._state.db)
        return HttpResponse()

    response = replicas.ReplicaReadsMiddleware(page_that_counts_a_view)(rf.get(reverse("articles:home")))

    assert read_from == [REPLICA, PRIMARY]
    assert replicas.STICKY_COOKIE in response.cookies

    read_from.clear()
    again = rf.get(reverse("articles:home"))
    again.COOKIES[replicas.STICKY_COOKIE] = response.cookies[replicas.STICKY_COOKIE].value
    replicas.ReplicaReadsMiddleware(page_that_counts_a_view)(again)
    assert read_from == [PRIMARY, PRIMARY]


@pytest.mark.usefixtures("routing")
def test_an_expired_or_forged_sticky_cookie_counts_for_nothing(client, article):
    signer = signing.get_cookie_signer(salt=replicas.STICKY_COOKIE + replicas._STICKY_SALT)
    an_hour_ago = signing.b62_encode(int(signing.time.time()) - 3600)
    signer.timestamp = lambda: an_hour_ago  # type: ignore[method-assign]
    # Two pages, so that neither answer can come from a cache of the other.
    for value, url in ((signer.sign("1"), article.category.get_absolute_url()), ("1", reverse("articles:home"))):
        client.cookies[replicas.STICKY_COOKIE] = value

        _, queries = _get(client, url)

        assert queries.count(REPLICA) > 0
        assert queries.on(PRIMARY) == []


# --- A replica down --------------------------------------------------------------------------------------


@pytest.fixture
def replica_unreachable():
    """The replica's connection fails to open, as a stopped server's does."""
    connection = connections[REPLICA]
    connection.close()
    real_name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = "/nonexistent-directory/replica.sqlite3"
    if connection.vendor == "postgresql":
        connection.settings_dict["NAME"] = "kbportal_no_such_database"
    yield
    connection.close()
    connection.settings_dict["NAME"] = real_name


@pytest.mark.usefixtures("routing", "replica_unreachable")
def test_a_replica_that_refuses_connections_is_skipped_and_pages_read_the_primary(client, article, caplog):
    response, queries = _get(client, article.category.get_absolute_url(), PRIMARY)

    assert response.status_code == 200
    assert article.title in response.content.decode()
    assert queries.count(PRIMARY) > 0
    assert connections[REPLICA].connection is None
    assert replicas.available_replicas() == []
    assert "Read replica replica1 does not answer" in caplog.text

    # Left alone for DATABASE_REPLICA_RETRY_SECONDS: the next request does not try it again.
    caplog.clear()
    response, _ = _get(client, reverse("articles:home"), PRIMARY)
    assert response.status_code == 200
    assert caplog.text == ""

    replicas.forget_failures()
    assert replicas.available_replicas() == [REPLICA]


# --- Settings ---------------------------------------------------------------------------------------------


def _settings_with(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'replicas': s.DATABASE_REPLICAS, 'databases': {a: [d['ENGINE'], d.get('HOST'), "
        "d.get('PORT'), d.get('NAME'), d.get('OPTIONS', {}).get('connect_timeout')] for a, d in s.DATABASES.items()}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 - this project's own settings, in a fresh interpreter
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "kbportal.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_database_replica_urls_add_one_alias_per_replica():
    result = _settings_with(
        {
            "DATABASE_URL": "postgres://kbportal@db.example.com:5432/kbportal",
            "DATABASE_REPLICA_URLS": "postgres://kbportal@r1.example.com:5432/kbportal, "
            "postgres://kbportal@r2.example.com:5433/kbportal",
        }
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["replicas"] == ["replica1", "replica2"]
    assert found["databases"]["replica1"][1:] == ["r1.example.com", 5432, "kbportal", 2]
    assert found["databases"]["replica2"][1:] == ["r2.example.com", 5433, "kbportal", 2]
    assert found["databases"]["default"][-1] is None


def test_without_database_replica_urls_there_is_only_the_primary():
    result = _settings_with({})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replicas"] == []
    assert list(json.loads(result.stdout)["databases"]) == ["default"]


def test_a_replica_on_another_kind_of_server_is_refused():
    result = _settings_with(
        {"DATABASE_URL": "postgres://kbportal@db.example.com/kbportal", "DATABASE_REPLICA_URLS": "sqlite:///x.sqlite3"}
    )

    assert result.returncode != 0
    assert "a replica is a copy of the primary" in result.stderr
