from celery import shared_task

from .digest import digest_send


@shared_task(name="analytics.tasks.weekly_digest_task")
def weekly_digest_task() -> int:
    """Beat runs this on Monday mornings; `manage.py send_analytics_digest` does the same by hand or from cron."""
    return digest_send()
