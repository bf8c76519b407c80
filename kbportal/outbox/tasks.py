"""The workers' side of the outbox: one task per queue, and the periodic sweep.

Delivering is idempotent (a lease on the row, the outcome recorded on it), so the tasks acknowledge late
and are handed back to the queue when their worker dies. A hard time limit ends an attempt before its
lease runs out, so no two attempts of one delivery overlap.
"""

from celery import shared_task
from django.conf import settings

from . import services
from .models import Kind

_LEASE = settings.KBPORTAL_OUTBOX_LEASE_SECONDS
_ATTEMPT = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "time_limit": max(10, _LEASE - 5),
    "soft_time_limit": max(5, _LEASE - 10),
}


@shared_task(name="outbox.deliver_mail", **_ATTEMPT)
def deliver_mail_task(delivery_id: int) -> bool:
    """Send one recorded mail (the `mail` queue, so a slow mail server never holds up index updates)."""
    return services.deliver(delivery_id)


@shared_task(name="outbox.deliver", **_ATTEMPT)
def deliver_task(delivery_id: int) -> bool:
    """Carry out one recorded delivery of any other kind (search-index updates)."""
    return services.deliver(delivery_id)


@shared_task(name="outbox.sweep", ignore_result=True, time_limit=120, soft_time_limit=100)
def sweep_task() -> int:
    """Beat runs this every KBPORTAL_OUTBOX_SWEEP_SECONDS; `manage.py outbox_sweep` does it by hand."""
    return services.sweep()


def task_for(kind: str):
    return deliver_mail_task if kind == Kind.MAIL else deliver_task
