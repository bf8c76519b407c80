"""The outbox: what leaves the process is recorded with the change that causes it and delivered once.

Every test runs on the embedded default (no broker: delivery happens in this process right after commit)
unless it says it has a broker; `dispatch` is then the seam where a worker would take over.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from articles.models import Status as ArticleStatus
from kbportal.outbox import services, tasks
from kbportal.outbox.models import Delivery, Kind, State
from kbportal.search import service as search
from tests.articles.factories import ArticleFactory
from tests.concurrency import run_concurrently
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def _mail(to="mei@example.com", subject="Your ticket") -> EmailMessage:
    return EmailMessage(subject, "Body", "HelloWorld Support <support@helloworld.example>", [to])


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses connections while `down` is true."""

    down = True

    def send_messages(self, messages) -> int:
        if RefusingBackend.down:
            raise ConnectionRefusedError(111, "Connection refused")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def refusing_smtp(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_outbox.RefusingBackend"
    RefusingBackend.down = True
    yield RefusingBackend
    RefusingBackend.down = True


@pytest.fixture
def broker(settings, monkeypatch):
    """A broker: tasks are published instead of run; the list holds (task name, delivery id, countdown)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published = []

    def publish(task):
        def apply_async(args, countdown=None, **options):
            published.append((task.name, args[0], countdown))

        return apply_async

    for task in (tasks.deliver_mail_task, tasks.deliver_task):
        monkeypatch.setattr(task, "apply_async", publish(task))
    return published


def _due_now(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now() - timedelta(seconds=1))


# --- Recorded with the change -----------------------------------------------------------------------------


def test_a_mail_is_recorded_in_the_transaction_and_sent_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        delivery = services.mail_send(_mail())
        assert mail.outbox == []  # nothing leaves before the commit

    (sent,) = mail.outbox
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert delivery.attempts == 1
    assert sent.extra_headers["Message-ID"] == f"<{delivery.uid}@helloworld.example>"
    assert delivery.summary == "mei@example.com: Your ticket"


def _change_that_fails() -> None:
    with transaction.atomic():
        services.mail_send(_mail())
        raise RuntimeError("the change failed")


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _change_that_fails()

    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_a_new_ticket_records_its_mail_with_the_ticket(django_capture_on_commit_callbacks, settings):
    settings.KBPORTAL_AUTO_ASSIGN = False
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _created = ticket_services.ticket_create(
            requester=None, requester_email="guest@example.com", subject="Sync fails", description="At 99%."
        )

    (delivery,) = Delivery.objects.filter(kind=Kind.MAIL)
    assert delivery.payload["to"] == ["guest@example.com"]
    assert ticket.reference in delivery.payload["subject"]
    assert [m.to for m in mail.outbox] == [["guest@example.com"]]


def test_a_mail_without_recipients_is_not_recorded():
    assert services.mail_send(EmailMessage("Nobody", "Body", "a@example.com", [])) is None
    assert not Delivery.objects.exists()


# --- Retries ----------------------------------------------------------------------------------------------


def test_a_refused_mail_waits_with_backoff_and_goes_once_the_server_is_back(
    refusing_smtp, settings, django_capture_on_commit_callbacks
):
    settings.KBPORTAL_OUTBOX_RETRY_BASE_SECONDS = 30
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.mail_send(_mail())

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 1)
    assert "Connection refused" in delivery.last_error
    wait = (delivery.due_at - timezone.now()).total_seconds()
    assert 20 < wait <= 36  # 30 s ± 20 %

    assert services.deliver(delivery.pk) is False  # not due yet: no attempt
    delivery.refresh_from_db()
    assert delivery.attempts == 1

    refusing_smtp.down = False
    _due_now(delivery)
    assert services.deliver(delivery.pk) is True
    assert services.deliver(delivery.pk) is False  # delivered: never again
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (State.DELIVERED, 2, "")


@pytest.mark.parametrize(("attempts", "base_delay"), [(1, 30), (2, 60), (3, 120), (4, 240), (8, 3600), (12, 3600)])
def test_the_backoff_doubles_up_to_its_ceiling(settings, attempts, base_delay):
    settings.KBPORTAL_OUTBOX_RETRY_BASE_SECONDS = 30
    settings.KBPORTAL_OUTBOX_RETRY_MAX_SECONDS = 3600

    delays = [services.backoff_seconds(attempts) for _ in range(50)]

    assert all(0.8 * base_delay <= delay <= 1.2 * base_delay for delay in delays)
    assert len(set(delays)) > 1  # jittered, so retries after an outage do not arrive all at once


def test_after_the_last_attempt_a_delivery_fails_until_someone_retries_it(
    refusing_smtp, settings, django_capture_on_commit_callbacks
):
    settings.KBPORTAL_OUTBOX_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.mail_send(_mail())
    _due_now(delivery)
    services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.FAILED, 2)
    assert services.sweep() == 0  # the sweep leaves failed deliveries to a person

    refusing_smtp.down = False
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry([delivery.pk]) == 1

    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert len(mail.outbox) == 1


def test_with_a_broker_a_failed_attempt_is_published_again_after_its_backoff(
    refusing_smtp, broker, settings, django_capture_on_commit_callbacks
):
    settings.KBPORTAL_OUTBOX_RETRY_BASE_SECONDS = 10
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.mail_send(_mail())

    assert broker == [("outbox.deliver_mail", delivery.pk, None)]
    services.deliver(delivery.pk)  # the worker's attempt

    (_first, (name, pk, countdown)) = broker
    assert (name, pk) == ("outbox.deliver_mail", delivery.pk)
    assert 8 <= countdown <= 12


# --- Exactly once -----------------------------------------------------------------------------------------


def test_a_delivery_under_way_in_another_process_is_not_attempted_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.mail_send(_mail())
    assert len(mail.outbox) == 1
    other = services.mail_send(_mail(subject="Second"))
    Delivery.objects.filter(pk=other.pk).update(state=State.PENDING, leased_until=timezone.now() + timedelta(minutes=2))

    assert services.deliver(other.pk) is False  # the lease holds it
    assert services.deliver(delivery.pk) is False  # delivered
    assert len(mail.outbox) == 1


def test_a_mail_sent_again_after_a_crash_is_the_same_mail():
    """A worker killed after the server took the mail but before it recorded so: the retry resends it
    under the same Message-ID, which mail servers and clients show once."""
    delivery = services.mail_send(_mail())  # not committed: no attempt yet
    assert services._lease(delivery.pk)
    services._send_mail(Delivery.objects.get(pk=delivery.pk))  # ...and the process dies here
    Delivery.objects.filter(pk=delivery.pk).update(leased_until=timezone.now() - timedelta(seconds=1))

    assert services.deliver(delivery.pk) is True
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2


def test_a_keyed_mail_is_recorded_once():
    assert services.mail_send(_mail(), key="digest:2026-11-16:boss@example.com") is not None
    assert services.mail_send(_mail(), key="digest:2026-11-16:boss@example.com") is None
    assert Delivery.objects.count() == 1


# --- The broker is down -----------------------------------------------------------------------------------


def test_a_broker_that_is_down_leaves_the_delivery_to_the_sweep(
    settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_mail_task, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.mail_send(_mail())  # the hand-over after the commit must not raise

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.handed_over_at) == (State.PENDING, 0, None)
    assert "wait for the sweep" in caplog.text


def test_a_ticket_created_while_the_broker_is_down_is_saved_and_its_mail_kept(
    customer_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.deliver_mail_task, "apply_async", broker_down)
    form = customer_client.get(reverse("tickets:new")).context["form"]
    data = {"subject": "Sync fails", "description": "At 99%.", "proposed_priority": "3"}
    data["idempotency_key"] = form.initial["idempotency_key"]

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(reverse("tickets:new"), data)

    assert response.status_code == 302
    assert Delivery.objects.filter(kind=Kind.MAIL, state=State.PENDING, payload__to=["customer@example.com"]).exists()


def test_an_article_published_while_the_broker_is_down_becomes_findable_after_the_sweep(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.deliver_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(title="Quokka licence transfer", status=ArticleStatus.PUBLISHED)
    assert search.search("quokka").hits == []
    (update,) = Delivery.objects.filter(kind=Kind.SEARCH_INDEX)
    assert update.payload == {"kind": "article", "ids": [article.pk]}

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back; here the sweep delivers in-process
    Delivery.objects.filter(pk=update.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert services.sweep() == 1

    assert [hit.object_id for hit in search.search("quokka").hits] == [article.pk]


# --- The sweep --------------------------------------------------------------------------------------------


def test_the_sweep_hands_over_only_what_no_worker_took(broker, settings):
    settings.KBPORTAL_OUTBOX_LEASE_SECONDS = 120
    now = timezone.now()
    fresh = services.mail_send(_mail(subject="Just handed over"))
    lost = services.mail_send(_mail(subject="Handed over, never run"))
    never = services.mail_send(_mail(subject="Broker was down"))
    crashed = services.mail_send(_mail(subject="Worker killed mid-attempt"))
    waiting = services.mail_send(_mail(subject="Retry not due yet"))
    Delivery.objects.filter(pk=lost.pk).update(handed_over_at=now - timedelta(minutes=5))
    Delivery.objects.filter(pk=never.pk).update(handed_over_at=None, created_at=now - timedelta(minutes=1))
    Delivery.objects.filter(pk=crashed.pk).update(
        handed_over_at=now - timedelta(minutes=5), leased_until=now - timedelta(seconds=1), attempts=1
    )
    Delivery.objects.filter(pk=waiting.pk).update(
        handed_over_at=now - timedelta(minutes=5), due_at=now + timedelta(minutes=5)
    )
    broker.clear()

    assert services.sweep() == 3

    assert sorted(pk for _name, pk, _countdown in broker) == sorted([lost.pk, never.pk, crashed.pk])
    assert fresh.pk not in {pk for _name, pk, _countdown in broker}


def test_the_sweep_purges_delivered_rows_after_the_keeping_time(settings):
    settings.KBPORTAL_OUTBOX_KEEP_DAYS = 30
    old = services.mail_send(_mail(subject="Old"))
    recent = services.mail_send(_mail(subject="Recent"))
    Delivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    services.sweep()

    assert list(Delivery.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_command_sweeps_on_the_embedded_default(refusing_smtp, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.mail_send(_mail())  # refused: waits
    refusing_smtp.down = False
    Delivery.objects.filter(pk=delivery.pk).update(
        due_at=timezone.now() - timedelta(seconds=1), created_at=timezone.now() - timedelta(minutes=1)
    )

    call_command("outbox_sweep")

    assert "1 handed over, 0 waiting" in capsys.readouterr().out
    assert len(mail.outbox) == 1


# --- Where staff see it -----------------------------------------------------------------------------------


def test_managers_see_waiting_deliveries_in_the_admin_and_retry_them(
    client, manager, refusing_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.mail_send(_mail(to="waiting@example.com"))
    client.force_login(manager)

    listing = client.get(reverse("admin:outbox_delivery_changelist"), {"state": State.PENDING})
    assert listing.status_code == 200
    assert "waiting@example.com: Your ticket" in listing.content.decode()
    assert "Connection refused" in listing.content.decode()

    refusing_smtp.down = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:outbox_delivery_changelist"),
            {"action": "retry_now", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    assert Delivery.objects.get(pk=delivery.pk).state == State.DELIVERED


def test_mail_bodies_are_not_shown_in_the_admin(client, manager):
    delivery = services.mail_send(EmailMessage("Your link", "secret-guest-token-123", "a@example.com", ["b@e.com"]))
    client.force_login(manager)

    page = client.get(reverse("admin:outbox_delivery_change", args=[delivery.pk]))

    assert page.status_code == 200
    assert "secret-guest-token-123" not in page.content.decode()


def test_agents_do_not_see_deliveries(client):
    from kbportal.accounts.roles import Role
    from tests.accounts.factories import StaffFactory

    client.force_login(StaffFactory(role=Role.AGENT_TIER_1))

    assert client.get(reverse("admin:outbox_delivery_changelist")).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_workers_delivering_one_mail_at_once_send_it_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the test's threads are the workers
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.deliver_mail_task, "apply_async", lambda *args, **kwargs: None)
        delivery = services.mail_send(_mail())
    mail.outbox = []
    outcomes = []

    errors = run_concurrently(8, lambda _n: outcomes.append(services.deliver(delivery.pk)))

    assert errors == []
    assert sorted(outcomes) == [False] * 7 + [True]
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_retrying_a_delivery_under_way_leaves_it_to_that_attempt():
    delivery = services.mail_send(_mail())
    assert services._lease(delivery.pk)  # another process is sending it now

    assert services.retry([delivery.pk]) == 0
    assert services._lease(delivery.pk) is False  # still held: no second attempt


def test_after_a_failed_publish_the_next_commits_do_not_wait_for_the_broker(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.deliver_mail_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        mails = [services.mail_send(_mail(subject=f"Mail {n}")) for n in range(5)]

    assert len(attempts) == 1  # one publish timed out; the other four were left to the sweep at once
    assert Delivery.objects.filter(pk__in=[m.pk for m in mails], state=State.PENDING, handed_over_at=None).count() == 5


def test_many_mails_are_recorded_in_one_insert(django_assert_max_num_queries, django_capture_on_commit_callbacks):
    messages = [_mail(to=f"follower{n}@example.com") for n in range(50)]

    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_max_num_queries(2):  # the INSERT (and, without RETURNING, a read of the ids)
            assert services.mails_send(messages) == 50
        assert mail.outbox == []  # nothing leaves before the commit

    deliveries = list(Delivery.objects.order_by("pk"))
    assert {delivery.state for delivery in deliveries} == {State.DELIVERED}
    sent = {m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox}
    assert sent == {d.payload["to"][0]: services.message_id(d.uid) for d in deliveries}
