from celery import shared_task

from .jobs import sla_check


# Idempotent (each warning and breach is recorded once), so a run its worker lost is simply run again.
@shared_task(
    name="tickets.tasks.sla_check_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def sla_check_task() -> str:
    """Beat runs this every minute at scale; `manage.py sla_check --every 60` does in the embedded default."""
    return str(sla_check())
