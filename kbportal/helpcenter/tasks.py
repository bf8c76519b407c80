"""The help center's periodic job: the content gaps' daily rollup (beat, hourly; `manage.py rollup_content_gaps`)."""

from celery import shared_task

from .services import content_gap_rollup_due


@shared_task(name="helpcenter.content_gap_rollup", ignore_result=True, time_limit=600, soft_time_limit=540)
def content_gap_rollup_task() -> int:
    return content_gap_rollup_due()
