from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(
    name="accounts.send_account_mail",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_kwargs={"max_retries": 8},
    acks_late=True,
)
def send_account_mail(*, subject: str, body: str, to: str) -> None:
    """A sign-up or password mail, sent by a worker (inline on the embedded default, which has none)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
