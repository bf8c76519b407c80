from celery import shared_task

from .jobs import sla_check


@shared_task(name="tickets.tasks.sla_check_task")
def sla_check_task() -> str:
    """Beat runs this every minute at scale; `manage.py sla_check --every 60` does in the embedded default."""
    return str(sla_check())
