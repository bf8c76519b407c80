"""Redis down: every read page and the search still answer 200, sessions survive, rate limits keep counting.

The caches are built by the same function as production's (``cache_settings`` in settings/base.py), pointed at
a port where nothing listens, so every cache call fails as it does when Redis is stopped.
"""

import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from kbportal.redis_pool import FailFastConnectionPool
from kbportal.security import cache as counter_cache
from kbportal.security.cache import CounterDatabaseCache
from kbportal.security.ratelimits import rate_limited
from kbportal.settings.base import cache_settings
from tests.accounts.factories import PASSWORD, UserFactory
from tests.articles.factories import ArticleFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"
READ_PAGES = ["/", "article", "/search/?q=install", "/api/v1/search/?q=install", "/community/", "/accounts/sign-in/",
              "/admin/login/"]  # fmt: skip


@pytest.fixture(autouse=True)
def _primary_not_marked_down():
    """Each test finds the counters' primary store as untried (the failover remembers a failure for seconds)."""
    counter_cache._primary_down_until.clear()
    yield
    counter_cache._primary_down_until.clear()


@pytest.fixture
def dead_redis(settings):
    settings.CACHES = cache_settings(DEAD_REDIS, key_prefix=f"dead-{uuid.uuid4().hex}")
    return settings


def _counter_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM kbportal_rate_limit_counter")
        return cursor.fetchone()[0]


def _url(page: str) -> str:
    return ArticleFactory().get_absolute_url() if page == "article" else page


def test_production_caches_ignore_redis_errors_for_pages_but_never_for_rate_limits():
    built = cache_settings("redis://127.0.0.1:6379/0")

    assert built["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert built["ratelimit-redis"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is False
    assert built["ratelimit"]["OPTIONS"] == {"PRIMARY": "ratelimit-redis", "FALLBACK": "ratelimit-database"}
    assert built["default"]["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] <= 2
    assert built["default"]["OPTIONS"]["SOCKET_TIMEOUT"] <= 2


def test_sessions_live_in_the_database(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.parametrize("page", READ_PAGES)
def test_read_pages_answer_200_with_redis_down(client, dead_redis, page, caplog):
    url = _url(page)

    with caplog.at_level(logging.ERROR, logger="django_redis.cache"):
        response = client.get(url, follow=True)  # the admin's login sends to the portal's sign-in page

    assert response.status_code == 200
    assert not response.has_header("X-Page-Cache")  # no stored public page either (kbportal/pagecache.py)
    if page == "/":
        assert "Exception ignored" in caplog.text  # the cache was asked, and failed quietly


def test_signing_in_and_staying_signed_in_work_with_redis_down(client, dead_redis):
    UserFactory(username="mei", email="mei@example.com")

    signed_in = client.post(reverse("accounts:login"), {"username": "mei@example.com", "password": PASSWORD})
    home = client.get("/")

    assert signed_in.status_code == 302
    assert home.status_code == 200
    assert home.wsgi_request.user.username == "mei"


def test_a_session_made_before_the_outage_survives_it(client, settings):
    client.force_login(UserFactory(username="mei"))
    assert client.get("/").wsgi_request.user.is_authenticated

    settings.CACHES = cache_settings(DEAD_REDIS, key_prefix="dead")
    during = client.get("/")
    client.post(reverse("accounts:logout"))
    after = client.get("/")

    assert during.wsgi_request.user.username == "mei"
    assert not after.wsgi_request.user.is_authenticated  # signed out stays signed out


def test_an_admin_sign_in_works_with_redis_down(client, dead_redis):
    UserFactory(username="boss", is_staff=True, is_superuser=True)

    login = client.get("/admin/login/?next=/admin/", follow=True)
    response = client.post(login.redirect_chain[-1][0], {"username": "boss", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_lockout_counts_in_the_database_with_redis_down(client, dead_redis, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="mei", email="mei@example.com")

    codes = [client.post(reverse("accounts:login"), {"username": "mei", "password": "wrong"}).status_code
             for _ in range(4)]  # fmt: skip

    assert codes == [200, 200, 429, 429]


def test_synonym_changes_and_search_survive_redis_down(client, dead_redis):
    from kbportal.search.analyzers import current_analyzer, synonyms_changed

    before = current_analyzer()
    synonyms_changed()  # dropped, not raised

    assert current_analyzer() is before  # no rebuild on every search of the outage
    assert client.get("/api/v1/search/?q=install").status_code == 200


@pytest.fixture
def silent_redis(settings):
    """A "Redis" that accepts connections and never answers, as a hung or blackholed one does."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        settings.CACHES = cache_settings(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", key_prefix="silent")
        yield silent


def test_a_blackholed_redis_costs_one_timeout_not_a_hung_worker(client, silent_redis, settings):
    started = time.monotonic()
    first = client.get("/")
    first_took = time.monotonic() - started
    started = time.monotonic()
    pages = [client.get(url).status_code for url in ("/", "/search/?q=install", "/api/v1/search/?q=install")]
    then_took = time.monotonic() - started

    assert first.status_code == 200
    assert pages == [200, 200, 200]
    assert first_took < 2 * settings.REDIS_TIMEOUT_SECONDS + 1
    assert then_took < settings.REDIS_TIMEOUT_SECONDS  # left alone for a few seconds after the failure


def test_after_the_pause_redis_is_asked_again(silent_redis, monkeypatch, settings):
    monkeypatch.setattr(FailFastConnectionPool, "PAUSE_SECONDS", 0)
    pages = caches["default"]

    started = time.monotonic()
    for key in ("a", "b"):
        assert pages.get(key) is None

    assert time.monotonic() - started >= 2 * 0.9 * settings.REDIS_TIMEOUT_SECONDS  # two timeouts: asked twice


# --- Rate limits ------------------------------------------------------------------------------------


def test_with_redis_down_the_limits_count_in_the_database(client, dead_redis):
    dead_redis.KBPORTAL_RATE_LIMITS = {**dead_redis.KBPORTAL_RATE_LIMITS, "search": {"ip": "5/h"}}

    codes = [client.get("/api/v1/search/?q=install").status_code for _ in range(6)]

    assert codes == [200] * 5 + [429]
    assert _counter_rows() >= 1


def test_contact_mails_stay_limited_with_redis_down(client, dead_redis, django_capture_on_commit_callbacks):
    dead_redis.KBPORTAL_RATE_LIMITS = {**dead_redis.KBPORTAL_RATE_LIMITS, "contact": {"ip": "10/h", "address": "2/h"}}
    from tests.security.test_rate_limits import _contact

    with django_capture_on_commit_callbacks(execute=True):
        codes = [_contact(client, "victim@example.com", subject=f"Spam {n}").status_code for n in range(4)]

    assert codes == [302, 302, 429, 429]
    assert Ticket.objects.filter(requester_email="victim@example.com").count() == 2


def _both_stores_down():
    down = OperationalError("the database is unreachable")
    return mock.patch.multiple(CounterDatabaseCache, add=mock.Mock(side_effect=down), incr=mock.Mock(side_effect=down))


@pytest.mark.parametrize(("group", "refused"), [
    ("contact", True), ("guest-reply", True), ("password-reset", True), ("sign-up", True),
    ("search", False), ("suggest", False), ("feedback", False), ("forum", False),
])  # fmt: skip
def test_without_any_counter_store_mailing_groups_fail_closed_and_reading_groups_open(dead_redis, group, refused):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    targets = {"address": "victim@example.com", "ticket": 7, "user": 7}

    with _both_stores_down():
        check = rate_limited(request, group, **targets)

    assert check.limited is refused
    assert check.uncounted is refused


def test_every_fail_closed_group_is_a_rate_limit_group(settings):
    closed = settings.KBPORTAL_RATE_LIMIT_FAIL_CLOSED

    assert closed.issubset(settings.KBPORTAL_RATE_LIMITS)
    assert closed == {"contact", "guest-reply", "password-reset", "sign-up"}


def test_a_password_reset_is_refused_and_says_why_when_nothing_can_count_it(client, dead_redis):
    UserFactory(username="mei", email="mei@example.com")

    with _both_stores_down():
        response = client.post(reverse("accounts:password_reset"), {"email": "mei@example.com"})
        chinese = client.post(
            reverse("accounts:password_reset"), {"email": "mei@example.com"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )

    assert response.status_code == 429
    assert "problem on our side" in response.content.decode()
    assert "我们这边出了问题" in chinese.content.decode()
    assert mail.outbox == []


def test_the_search_api_answers_with_no_counter_store_at_all(client, dead_redis):
    with _both_stores_down():
        assert client.get("/api/v1/search/?q=install").status_code == 200


# --- The real Redis (the PostgreSQL + Redis run) ---------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL + Redis run)")
def test_on_the_real_redis_pages_cache_and_limits_count_there(client, settings):
    prefix = f"kbportal-degrade-test-{uuid.uuid4().hex}"
    settings.CACHES = cache_settings(os.environ["REDIS_URL"], key_prefix=prefix)
    settings.KBPORTAL_RATE_LIMITS = {**settings.KBPORTAL_RATE_LIMITS, "search": {"ip": "5/h"}}
    try:
        assert client.get("/").status_code == 200
        codes = [client.get("/api/v1/search/?q=install").status_code for _ in range(6)]

        assert codes == [200] * 5 + [429]
        assert caches["default"].keys("*")  # the banner's list is cached in Redis
        assert caches["ratelimit-redis"].keys("rl:*")  # counted in Redis, not in the database table
        assert _counter_rows() == 0
    finally:
        caches["default"].delete_pattern("*")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path: Path):
    """A Redis server of this test's own, on a free port, that the test may stop (never the shared one)."""
    if not os.environ.get("REDIS_URL") or not shutil.which("redis-server"):
        pytest.skip("needs REDIS_URL and redis-server (the PostgreSQL + Redis run)")
    port, pidfile = _free_port(), tmp_path / "redis.pid"
    subprocess.run(  # noqa: S603 - starts a local Redis for this test
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes",
         "--pidfile", str(pidfile), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        check=True,
    )  # fmt: skip
    server = {"url": f"redis://127.0.0.1:{port}/0", "pid": _wait_for_pid(pidfile), "pidfile": str(pidfile),
              "dir": str(tmp_path)}  # fmt: skip
    yield server
    if server["pid"]:
        _stop(server)


def _wait_for_pid(pidfile: Path) -> int:
    for _ in range(50):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.1)
    return int(pidfile.read_text())


def _stop(server: dict) -> None:
    os.kill(server["pid"], 15)
    for _ in range(50):
        try:
            os.kill(server["pid"], 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    server["pid"] = None


def test_stopping_the_real_redis_keeps_pages_sessions_and_limits_working(client, settings, own_redis):
    settings.CACHES = cache_settings(own_redis["url"], key_prefix="own")
    settings.KBPORTAL_RATE_LIMITS = {**settings.KBPORTAL_RATE_LIMITS, "search": {"ip": "4/h"}}
    client.force_login(UserFactory(username="mei"))
    before = [client.get("/api/v1/search/?q=install").status_code for _ in range(2)]
    assert caches["ratelimit-redis"].keys("rl:*")

    _stop(own_redis)
    pages = [client.get(url).status_code for url in ("/", "/search/?q=install", "/community/")]
    during = [client.get("/api/v1/search/?q=install").status_code for _ in range(5)]

    assert before == [200, 200]
    assert pages == [200, 200, 200]
    assert client.get("/").wsgi_request.user.username == "mei"
    # The count restarts in the database: the limit is looser across the switch, never off.
    assert during == [200] * 4 + [429]
    assert _counter_rows() >= 1


def test_when_the_real_redis_comes_back_counting_returns_to_it(client, settings, own_redis, monkeypatch):
    monkeypatch.setattr(FailFastConnectionPool, "PAUSE_SECONDS", 0.2)
    settings.CACHES = cache_settings(own_redis["url"], key_prefix="back")
    settings.CACHES["ratelimit"]["OPTIONS"]["RETRY_SECONDS"] = 0.2
    port = own_redis["url"].rsplit(":", 1)[1].split("/")[0]
    _stop(own_redis)
    assert client.get("/api/v1/search/?q=install").status_code == 200  # counted in the database
    assert _counter_rows() >= 1

    subprocess.run(  # noqa: S603 - the same local Redis again, on the same port
        [shutil.which("redis-server"), "--port", port, "--bind", "127.0.0.1", "--daemonize", "yes",
         "--pidfile", own_redis["pidfile"], "--save", "", "--appendonly", "no", "--dir", own_redis["dir"]],
        check=True,
    )  # fmt: skip
    own_redis["pid"] = _wait_for_pid(Path(own_redis["pidfile"]))
    time.sleep(0.5)

    assert client.get("/").status_code == 200
    assert client.get("/api/v1/search/?q=install").status_code == 200
    assert caches["ratelimit-redis"].keys("rl:*")  # counted in Redis again
