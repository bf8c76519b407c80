"""Recording deliveries with the change that causes them, and carrying them out once, with retries.

Recording (``record``, ``mail_send``) only writes a row and asks for it to be handed over after the commit.
Handing over (``dispatch``) gives the row to a Celery worker, or on the embedded default (no broker)
delivers it in this process at once; it never raises, so a broker that is down never turns a committed
request into an error page. Delivering (``deliver``) takes a lease on the row with one conditional UPDATE
(only one process at a time may attempt it), runs the handler of its kind, and records the outcome: done,
or due again after an exponential backoff, or failed for good after the last attempt. ``sweep`` hands over
again whatever is due and was not picked up: its task lost with the broker or with a killed worker.
"""

from __future__ import annotations

import functools
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Delivery, Kind, State

logger = logging.getLogger(__name__)

Handler = Callable[[Delivery], None]
_handlers: dict[str, Handler] = {}
_broker = SimpleNamespace(down_until=0.0)  # per process

# Publishing a task to a broker that is down gives up quickly: the delivery is safe in its row already.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# After a failed publish, this process leaves the broker alone this long: with it down, every commit would
# otherwise wait for the publish timeout once per delivery (the sweep hands them over when it is back).
BROKER_PAUSE_SECONDS = 5
# The most a sweep hands over at once; the next sweep takes the rest.
SWEEP_BATCH = 500
# A delivery recorded this recently is left to the hand-over its own commit makes.
SWEEP_GRACE = timedelta(seconds=10)
LAST_ERROR_LENGTH = 2000


class DeliveryError(Exception):
    """A handler's way to say the side effect did not happen and should be tried again."""


def register(kind: str, handler: Handler) -> None:
    """Name the function that carries out deliveries of ``kind`` (an app does this in its ``ready()``)."""
    _handlers[kind] = handler


# --- Recording --------------------------------------------------------------------------------------------


def record(*, kind: str, payload: dict[str, Any], summary: str = "", hand_over: bool = True) -> Delivery:
    """Record one delivery in the current transaction; it is handed over once the transaction commits.

    ``hand_over=False`` leaves asking for that (``dispatch`` after the commit) to the caller.
    """
    delivery = Delivery.objects.create(kind=kind, payload=payload, summary=summary[:300])
    if hand_over:
        _dispatch_after_commit(delivery)
    return delivery


def amend_pending(uid: uuid.UUID, payload: dict[str, Any]) -> bool:
    """Replace the payload of a delivery nobody has attempted yet; False if it is gone or under way."""
    return bool(Delivery.objects.filter(uid=uid, state=State.PENDING, attempts=0).update(payload=payload))


def mail_send(message: EmailMessage, *, key: str | None = None) -> Delivery | None:
    """Record ``message`` for sending after the surrounding transaction commits (nothing leaves on a rollback).

    The mail's Message-ID is its delivery id: a mail sent again after a crash is the same mail, which mail
    servers and clients show once. With a ``key``, a mail already recorded under it is not recorded again.
    Returns None when the message has no recipient or its key was used.
    """
    if not message.recipients():
        return None
    if key is not None and Delivery.objects.filter(key=key).exists():
        return None
    delivery = _mail_delivery(message, key=key)
    delivery.save()
    _dispatch_after_commit(delivery)
    return delivery


def mails_send(messages: Iterable[EmailMessage]) -> int:
    """Record each of ``messages`` in one INSERT (a notice to its thousand followers); returns how many."""
    deliveries = [_mail_delivery(message) for message in messages if message.recipients()]
    if not deliveries:
        return 0
    Delivery.objects.bulk_create(deliveries)
    if any(delivery.pk is None for delivery in deliveries):  # a database that returns no ids from the INSERT
        by_uid = dict(Delivery.objects.filter(uid__in=[d.uid for d in deliveries]).values_list("uid", "pk"))
        for delivery in deliveries:
            delivery.pk = by_uid[delivery.uid]
    for delivery in deliveries:
        _dispatch_after_commit(delivery)
    return len(deliveries)


def _mail_delivery(message: EmailMessage, *, key: str | None = None) -> Delivery:
    """An unsaved delivery for ``message``, whose Message-ID becomes the delivery id."""
    delivery = Delivery(kind=Kind.MAIL, key=key, summary=_mail_summary(message)[:300])
    message.extra_headers["Message-ID"] = message_id(delivery.uid)
    delivery.payload = _mail_payload(message)
    return delivery


def message_id(uid: uuid.UUID) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "kbportal.invalid"
    return f"<{uid}@{domain}>"


def _mail_summary(message: EmailMessage) -> str:
    return f"{', '.join(message.recipients())}: {message.subject}"


def _mail_payload(message: EmailMessage) -> dict[str, Any]:
    if message.attachments:
        raise ValueError("the outbox carries text mails; attachments are not supported")
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


def mail_from_payload(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def _send_mail(delivery: Delivery) -> None:
    with get_connection(fail_silently=False) as connection:  # EMAIL_TIMEOUT bounds every step
        sent = connection.send_messages([mail_from_payload(delivery.payload)])
    if sent != 1:
        raise DeliveryError("the mail server did not take the message")


register(Kind.MAIL, _send_mail)


# --- Handing over -----------------------------------------------------------------------------------------


def _dispatch_after_commit(delivery: Delivery) -> None:
    pk, kind = delivery.pk, delivery.kind
    transaction.on_commit(lambda: dispatch(pk, kind))


def dispatch(pk: int, kind: str, *, countdown: float = 0) -> None:
    """Give one delivery to a worker, or deliver it here on the embedded default. Never raises."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            deliver(pk)
        except Exception:  # a database error while recording the outcome: the row is still there
            logger.exception("outbox: delivery %s could not be attempted", pk)
        return
    from .tasks import task_for

    if time.monotonic() < _broker.down_until:  # it failed a moment ago: do not make this request wait again
        return
    try:
        task_for(kind).apply_async((pk,), countdown=countdown or None, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # the broker is unreachable: the row waits for the sweep
        _broker.down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning(
            "outbox: broker unavailable; delivery %s and those of the next %d s wait for the sweep",
            pk, BROKER_PAUSE_SECONDS, exc_info=True,
        )  # fmt: skip
        return
    try:
        Delivery.objects.filter(pk=pk).update(handed_over_at=timezone.now() + timedelta(seconds=countdown))
    except Exception:  # only a hint for the sweep; the task is on its way
        logger.warning("outbox: could not note the hand-over of delivery %s", pk, exc_info=True)


# --- Delivering -------------------------------------------------------------------------------------------


def deliver(pk: int) -> bool:
    """Attempt one delivery if it is due and no other process holds it; True when it is now delivered."""
    if not _lease(pk):
        return False  # delivered, failed, not due yet, or another attempt is under way
    delivery = Delivery.objects.get(pk=pk)
    try:
        _handlers[delivery.kind](delivery)
    except Exception as error:
        _record_failure(delivery, error)
        return False
    Delivery.objects.filter(pk=pk).update(
        state=State.DELIVERED, delivered_at=timezone.now(), leased_until=None, last_error=""
    )
    return True


def _lease(pk: int) -> bool:
    now = timezone.now()
    lease = timedelta(seconds=settings.KBPORTAL_OUTBOX_LEASE_SECONDS)
    # One conditional UPDATE: of two processes that try at once, the second matches no row.
    return bool(Delivery.objects.due(now).filter(pk=pk).update(leased_until=now + lease, attempts=F("attempts") + 1))


def _record_failure(delivery: Delivery, error: Exception) -> None:
    attempts = delivery.attempts
    delay = backoff_seconds(attempts)
    gave_up = attempts >= settings.KBPORTAL_OUTBOX_MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.FAILED if gave_up else State.PENDING,
        due_at=timezone.now() + timedelta(seconds=delay),
        leased_until=None,
        last_error=f"{type(error).__name__}: {error}"[:LAST_ERROR_LENGTH],
    )
    if gave_up:
        logger.error("outbox: %s gave up after %d attempts: %s", delivery, attempts, error)
        return
    logger.warning("outbox: %s failed (attempt %d), next in %.0f s: %s", delivery, attempts, delay, error)
    if not settings.CELERY_TASK_ALWAYS_EAGER:  # the embedded default has no worker to wait; the sweep retries
        dispatch(delivery.pk, delivery.kind, countdown=delay)


def backoff_seconds(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: doubling from the base, capped, with ±20 % jitter."""
    base = settings.KBPORTAL_OUTBOX_RETRY_BASE_SECONDS
    ceiling = settings.KBPORTAL_OUTBOX_RETRY_MAX_SECONDS
    delay: float = min(ceiling, base * 2 ** max(0, attempts - 1))  # int ** int is Any to mypy (it may be a float)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - spreading retries, not a secret


def retry(pks: Iterable[int]) -> int:
    """Make failed or waiting deliveries due now and hand them over after the commit (the admin's action).

    A delivery under way (its lease still runs) is left to that attempt: freeing it would send it twice.
    """
    now = timezone.now()
    retried = (
        Delivery.objects.filter(pk__in=list(pks))
        .exclude(state=State.DELIVERED)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
    )
    rows = list(retried.values_list("pk", "kind"))
    retried.update(state=State.PENDING, due_at=now, leased_until=None, handed_over_at=None)
    for pk, kind in rows:
        transaction.on_commit(functools.partial(dispatch, pk, kind))
    return len(rows)


# --- The sweep --------------------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> int:
    """Hand over again every due delivery that no worker picked up; purge old delivered rows.

    A delivery handed over is given the lease time to start; a task lost with the broker or a killed
    worker is handed over once that has passed. Returns how many were handed over.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=settings.KBPORTAL_OUTBOX_LEASE_SECONDS)
    lost = Q(handed_over_at__isnull=True, created_at__lt=now - SWEEP_GRACE) | Q(handed_over_at__lt=now - lease)
    rows = list(Delivery.objects.due(now).filter(lost).order_by("due_at").values_list("pk", "kind")[:SWEEP_BATCH])
    for pk, kind in rows:
        dispatch(pk, kind)
    _purge(now)
    return len(rows)


def _purge(now: datetime) -> int:
    keep = timedelta(days=settings.KBPORTAL_OUTBOX_KEEP_DAYS)
    deleted, _ = Delivery.objects.filter(state=State.DELIVERED, created_at__lt=now - keep).delete()
    return deleted


def backlog() -> int:
    """Deliveries waiting (or failed): what the readiness check and the admin report."""
    return Delivery.objects.exclude(state=State.DELIVERED).count()
