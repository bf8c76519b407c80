"""The account mails: confirmation links, "you already have an account", password-reset answers.

Each is rendered in the visitor's language during the request and recorded in the outbox, which sends it
after the transaction commits, so the request never waits on the mail server; every path of sign-up and
password reset sends exactly one mail, so neither the page nor its timing tells whether an address has an
account.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from kbportal.outbox.services import mail_send


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def account_mail_send(*, to: str, template: str, context: dict) -> None:
    """Queue ``accounts/email/<template>.txt`` (and its ``_subject.txt``) for ``to`` once the transaction commits."""
    context = {
        "sign_in_url": absolute(reverse("accounts:login")),
        "reset_url": absolute(reverse("accounts:password_reset")),
        "sign_up_url": absolute(reverse("accounts:sign_up")),
        **context,
    }
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    account_mail_queue(subject=subject, body=render_to_string(f"accounts/email/{template}.txt", context), to=to)


def account_mail_queue(*, subject: str, body: str, to: str) -> None:
    """Record a rendered mail in the outbox; it leaves once the surrounding transaction commits.

    A mail server or broker that fails delays the mail (the outbox retries it), never turns a request whose
    work is already committed into an error page.
    """
    mail_send(EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to]))
