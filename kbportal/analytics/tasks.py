from celery import shared_task

from .digest import digest_send


# Idempotent (one digest per manager and week, keyed in the outbox), so a run its worker lost runs again.
@shared_task(
    name="analytics.tasks.weekly_digest_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=540,
    time_limit=600,
)
def weekly_digest_task() -> int:
    """Beat runs this on Monday mornings; `manage.py send_analytics_digest` does the same by hand or from cron."""
    return digest_send()
