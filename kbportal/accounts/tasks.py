from celery import shared_task
from django.db import transaction


@shared_task(name="accounts.send_account_mail", acks_late=True, reject_on_worker_lost=True)
def send_account_mail(*, subject: str, body: str, to: str) -> None:
    """Account mails now travel through the outbox (kbportal.accounts.mail). This task stays so that mails
    queued by the previous release still go out: it records them in the outbox like any other."""
    from .mail import account_mail_queue

    with transaction.atomic():
        account_mail_queue(subject=subject, body=body, to=to)
