"""Rate limits on everything that mails someone or costs real work: per client address and per target."""

import os
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from kbportal.accounts.models import User
from kbportal.helpcenter.guest import guest_token
from kbportal.security.cache import CounterDatabaseCache
from tests.accounts.factories import PASSWORD
from tests.concurrency import run_concurrently
from tickets import services
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db

# The shipped defaults (kbportal/settings/base.py); the test profile lifts every limit for the other tests.
LIMITS = {
    "contact": {"ip": "10/h", "address": "3/h", "user": "3/h"},
    "guest-reply": {"ip": "30/h", "ticket": "20/h"},
    "password-reset": {"ip": "10/h", "address": "3/h"},
    "sign-up": {"ip": "5/h", "address": "3/h"},
    "search": {"ip": "5/h"},  # hourly windows: a minute boundary inside the test would restart the count
    "suggest": {"ip": "5/h"},
}


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.KBPORTAL_RATE_LIMITS = {**settings.KBPORTAL_RATE_LIMITS, **LIMITS}


def _contact(client, email: str, subject: str = "The installer stops at 80 %", **extra):
    form = client.get(reverse("helpcenter:contact")).context["form"]
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    data.pop("attachments", None)
    data.update(subject=subject, description="Error HW-2001 every time.", email=email, proposed_priority=3)
    return client.post(reverse("helpcenter:contact"), data, **extra)


def test_thirty_contact_posts_for_one_victim_make_three_tickets_and_three_mails(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        codes = [_contact(client, "victim@example.com", subject=f"Spam {n}").status_code for n in range(30)]

    assert codes == [302] * 3 + [429] * 27
    assert Ticket.objects.filter(requester_email="victim@example.com").count() == 3
    assert len([m for m in mail.outbox if "victim@example.com" in m.to]) == 3


def test_a_refused_contact_post_keeps_what_was_typed_and_says_why_in_both_languages(client):
    for n in range(3):
        _contact(client, "mei@example.com", subject=f"Request {n}")

    refused = _contact(client, "mei@example.com", subject="Still broken after the update")
    chinese = client.post(
        reverse("helpcenter:contact"),
        {**refused.wsgi_request.POST.dict()},
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
    )

    page = refused.content.decode()
    assert refused.status_code == 429
    assert "You have sent this too often" in page
    assert 'value="Still broken after the update"' in page
    assert "Error HW-2001 every time." in page
    assert "您发送得太频繁" in chinese.content.decode()


def test_one_client_reaches_at_most_ten_addresses_an_hour(client):
    codes = [_contact(client, f"person{n}@example.com").status_code for n in range(12)]

    assert codes == [302] * 10 + [429] * 2


def test_password_reset_mails_an_address_at_most_three_times(client, django_capture_on_commit_callbacks):
    User.objects.create_user(username="mei", email="mei@example.com", password=PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        codes = [client.post(reverse("accounts:password_reset"), {"email": "mei@example.com"}).status_code
                 for _ in range(30)]  # fmt: skip

    assert codes == [302] * 3 + [429] * 27
    assert len(mail.outbox) == 3


def test_sign_up_from_one_client_is_limited(client, django_capture_on_commit_callbacks):
    data = {"display_name": "Bot", "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        codes = [client.post(reverse("accounts:sign_up"), {**data, "email": f"bot{n}@example.com"}).status_code
                 for n in range(15)]  # fmt: skip

    assert codes == [200] * 5 + [429] * 10
    assert User.objects.count() == 5
    assert len(mail.outbox) == 5


def test_guest_replies_are_limited_per_ticket(client, settings):
    settings.KBPORTAL_RATE_LIMITS = {**settings.KBPORTAL_RATE_LIMITS, "guest-reply": {"ip": "30/h", "ticket": "2/h"}}
    ticket, _created = services.ticket_create(
        requester=None, requester_email="guest@example.com", subject="Licence", description="Help",
        channel=Channel.SELF_SERVICE,
    )  # fmt: skip
    url = reverse("helpcenter:guest_reply", kwargs={"token": guest_token(ticket)})

    codes = [client.post(url, {"body": f"Reply {n}"}).status_code for n in range(3)]
    refused = client.post(url, {"body": "Is anyone there?"})

    assert codes == [302, 302, 429]
    assert refused.status_code == 429
    assert "Is anyone there?" in refused.content.decode()
    assert ticket.messages.count() == 2


@pytest.mark.parametrize("path", ["/api/v1/search/?q=install", "/api/v1/search/suggest/?q=install"])
def test_the_search_api_answers_429_with_retry_after_past_its_rate(client, path):
    codes = [client.get(path).status_code for _ in range(6)]
    refused = client.get(path)

    assert codes == [200] * 5 + [429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "detail" in refused.json()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_counter_loses_no_increment_under_concurrency(settings):
    counters = CounterDatabaseCache("kbportal_rate_limit_counter", {})
    counters.add("hits", 0, timeout=3600)

    errors = run_concurrently(40, lambda _n: counters.incr("hits"), threads=8)

    assert errors == []
    assert counters.get("hits") == 40


def test_a_rate_limit_store_that_processes_do_not_share_is_a_system_check_error(settings):
    settings.CACHES = {**settings.CACHES, "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    errors = [message.id for message in run_checks(tags=["caches"])]

    assert "security.E001" in errors


def test_migrate_creates_the_counter_table_of_the_embedded_default(settings):
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE kbportal_rate_limit_counter")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert "kbportal_rate_limit_counter" in connection.introspection.table_names()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL + Redis run)")
def test_at_scale_the_counters_live_in_redis(client, settings):
    prefix = f"kbportal-ratelimit-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": os.environ["REDIS_URL"],
                      "KEY_PREFIX": prefix, "TIMEOUT": 3600},
    }  # fmt: skip
    try:
        codes = [client.get("/api/v1/search/?q=install").status_code for _ in range(6)]

        assert codes == [200] * 5 + [429]
        assert caches["ratelimit"].keys("*")  # counted in Redis, not in the database table
    finally:
        caches["ratelimit"].delete_pattern("*")


def _expires(key: str):
    from django.db import connection

    counters = caches["ratelimit"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM kbportal_rate_limit_counter WHERE cache_key = %s", [counters.make_key(key)])
        return cursor.fetchone()[0]


def test_a_counter_expires_with_its_window_however_often_it_is_counted():
    counters = caches["ratelimit"]
    counters.add("window", 1, timeout=60)
    made = _expires("window")

    for _ in range(3):
        counters.incr("window")

    assert counters.get("window") == 4
    assert _expires("window") == made


def test_a_full_counter_table_sheds_only_expired_counters(settings):
    counters = CounterDatabaseCache("kbportal_rate_limit_counter", {"OPTIONS": {"MAX_ENTRIES": 5}})
    for n in range(5):
        counters.add(f"live{n}", n, timeout=3600)
    counters.add("expired", 1, timeout=3600)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE kbportal_rate_limit_counter SET expires = %s WHERE cache_key = %s",
            [
                connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(hours=1)),
                counters.make_key("expired"),
            ],
        )

    counters.add("newcomer", 1, timeout=3600)

    assert [counters.get(f"live{n}") for n in range(5)] == [0, 1, 2, 3, 4]
    assert counters.get("newcomer") == 1


@pytest.mark.parametrize("rate", ["abc", "3 per h", "3/0m", "3/x", ""])
def test_a_rate_that_is_not_a_rate_stops_the_site_at_start(settings, rate):
    settings.KBPORTAL_RATE_LIMITS = {**settings.KBPORTAL_RATE_LIMITS, "contact": {"ip": rate, "address": "3/h"}}

    assert "security.E002" in [message.id for message in run_checks()]


def test_visitors_typing_a_customers_address_do_not_use_up_the_customers_own_limit(client, customer):
    for n in range(3):
        _contact(client, customer.email, subject=f"Not really them {n}")
    client.force_login(customer)

    own = _contact(client, customer.email, subject="My own request", REMOTE_ADDR="203.0.113.9")

    assert own.status_code == 302
