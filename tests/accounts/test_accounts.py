"""Customers sign up, sign in and out, change and reset their password."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from kbportal.accounts.models import User
from kbportal.demo.accounts import DEMO_PASSWORD
from kbportal.outbox.models import Delivery, State
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-passphrase-42"


def _sign_up(client, **overrides):
    data = {"display_name": "Mei Lin", "email": "mei@example.com", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("accounts:sign_up"), {**data, **overrides})


def _link(message, prefix: str) -> str:
    return re.search(rf"https?://[^/\s]+({prefix}\S+/)", message.body).group(1)


def test_sign_up_mails_a_link_and_the_account_works_once_it_is_opened(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client)

    user = User.objects.get(email="mei@example.com")
    assert response.status_code == 200
    assert "We sent a message to mei@example.com" in response.content.decode()
    assert (user.display_name, user.is_staff, user.is_active) == ("Mei Lin", False, False)
    assert (
        client.post(reverse("accounts:login"), {"username": "mei@example.com", "password": PASSWORD}).status_code == 200
    )

    link = _link(mail.outbox[0], "/accounts/sign-up/confirm/")
    assert client.get(link).status_code == 200  # opening the link only asks: mail scanners open links
    assert not User.objects.get(pk=user.pk).is_active
    assert client.post(link, {"password": PASSWORD}).status_code == 302

    user.refresh_from_db()
    assert user.is_active
    assert user.email_verified_at is not None
    assert client.get(reverse("articles:home")).context["user"] == user
    assert client.post(link, {"password": PASSWORD}).status_code == 400  # one use


def test_sign_up_shows_errors_and_keeps_what_was_typed(client):
    response = _sign_up(client, password2="something-else-entirely")

    page = response.content.decode()
    assert response.status_code == 400
    assert "The two passwords differ" in page
    assert 'value="mei@example.com"' in page
    assert 'value="Mei Lin"' in page
    assert not User.objects.exists()


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(client, django_capture_on_commit_callbacks):
    UserFactory(email="taken@example.com", display_name="Owner")

    with django_capture_on_commit_callbacks(execute=True):
        new = _sign_up(client, email="new@example.com")
        taken = _sign_up(client, email="TAKEN@example.com")

    assert (new.status_code, taken.status_code) == (200, 200)
    assert new.content.decode().replace("new@example.com", "@") == taken.content.decode().replace(
        "TAKEN@example.com", "@"
    ).replace(_csrf(taken), _csrf(new))
    assert [message.to for message in mail.outbox] == [["new@example.com"], ["taken@example.com"]]
    assert "You already have an account" in mail.outbox[1].body
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert User.objects.get(email__iexact="taken@example.com").display_name == "Owner"


def _csrf(response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


def test_an_unconfirmed_sign_up_does_not_keep_the_address_from_its_owner(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, display_name="Squatter", password1="squatters-pass-123", password2="squatters-pass-123")
        _sign_up(client)

    first_link, second_link = (_link(message, "/accounts/sign-up/confirm/") for message in mail.outbox)
    assert client.post(first_link, {"password": "squatters-pass-123"}).status_code == 400  # died with the new one
    assert client.post(second_link, {"password": PASSWORD}).status_code == 302
    user = User.objects.get(email="mei@example.com")
    assert (user.display_name, user.check_password(PASSWORD), user.is_active) == ("Mei Lin", True, True)


def test_someone_else_signing_up_for_the_address_cannot_have_the_owner_confirm_their_account(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client)  # the owner
        _sign_up(client, display_name="Attacker", password1="attackers-pass-123", password2="attackers-pass-123")

    owners_click = client.post(_link(mail.outbox[-1], "/accounts/sign-up/confirm/"), {"password": PASSWORD})

    assert owners_click.status_code == 400
    assert "That is not the password chosen" in owners_click.content.decode()
    assert not User.objects.get(email="mei@example.com").is_active
    signed_in = client.post(
        reverse("accounts:login"), {"username": "mei@example.com", "password": "attackers-pass-123"}
    )
    assert "_auth_user_id" not in client.session
    assert signed_in.status_code == 200


def test_a_disabled_account_is_not_reactivated_by_signing_up_again(client, django_capture_on_commit_callbacks):
    disabled = UserFactory(email="mei@example.com", is_active=False, email_verified_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client)

    disabled.refresh_from_db()
    assert not disabled.is_active
    assert "/accounts/sign-up/confirm/" not in mail.outbox[0].body


def test_weak_passwords_are_refused(client):
    response = _sign_up(client, password1="12345678", password2="12345678")

    assert response.status_code == 400
    assert not User.objects.filter(email="mei@example.com").exists()


def test_passwords_shorter_than_twelve_characters_are_refused(client):
    response = _sign_up(client, password1="tiger-lily7", password2="tiger-lily7")

    assert "at least 12 characters" in response.content.decode()
    assert not User.objects.filter(email="mei@example.com").exists()
    assert (
        _sign_up(client, password1="tiger-lily-7", password2="tiger-lily-7").status_code == 200
    )  # accepted: check your inbox


@pytest.mark.parametrize(
    ("language", "rule"),
    [("en", "Your password must contain at least 12 characters."), ("zh-CN", "你的密码必须包含至少 12 个字符。")],
)
def test_the_password_forms_state_the_length_rule_in_both_languages(client, customer, language, rule):
    sign_up = client.get(reverse("accounts:sign_up"), HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(customer)
    change = client.get(reverse("accounts:password_change"), HTTP_ACCEPT_LANGUAGE=language)

    assert rule in sign_up.content.decode()
    assert rule in change.content.decode()


def test_the_length_rule_keeps_djangos_other_password_checks(settings):
    validators = {validator["NAME"].rsplit(".", 1)[-1] for validator in settings.AUTH_PASSWORD_VALIDATORS}

    assert validators == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    # The published demo password and the factories' one still pass every rule.
    for password in (DEMO_PASSWORD, PASSWORD):
        password_validation.validate_password(password, User(email="mei@example.com", display_name="Mei Lin"))


def test_sign_in_with_email_or_username_and_sign_out(client):
    user = UserFactory(username="mei", email="mei@example.com")

    by_email = client.post(reverse("accounts:login"), {"username": "MEI@example.com", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    by_username = client.post(reverse("accounts:login"), {"username": "mei", "password": PASSWORD})

    assert by_email.status_code == 302
    assert by_username.status_code == 302
    assert client.get(reverse("articles:home")).context["user"] == user
    client.post(reverse("accounts:logout"))
    assert not client.get(reverse("articles:home")).context["user"].is_authenticated


def test_a_wrong_password_gets_a_clear_message(client):
    UserFactory(email="mei@example.com")

    response = client.post(reverse("accounts:login"), {"username": "mei@example.com", "password": "nope"})

    assert "do not match an account" in response.content.decode()


def test_sign_out_needs_post(customer_client):
    assert customer_client.get(reverse("accounts:logout")).status_code == 405


def test_change_password(customer_client, customer):
    response = customer_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)


def test_reset_a_forgotten_password_by_email(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": customer.email.upper()})

    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0], "/accounts/password/reset/")
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)


def test_reset_for_an_unknown_address_answers_alike_and_tells_only_the_address(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
        known = client.post(reverse("accounts:password_reset"), {"email": customer.email})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [message.to for message in mail.outbox] == [["nobody@example.com"], [customer.email]]
    assert "no account uses it" in mail.outbox[0].body
    assert "/accounts/password/reset/" not in mail.outbox[0].body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_up_hashes_the_password_before_it_takes_the_write_lock(client, monkeypatch):
    """A password hash takes most of a second in production; inside the transaction it held SQLite's one
    write lock that long, and a burst of sign-ups timed out with "database is locked"."""
    from django.contrib.auth.hashers import MD5PasswordHasher
    from django.db import connection

    in_transaction = []
    encode = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher,
        "encode",
        lambda self, *args: in_transaction.append(connection.in_atomic_block) or encode(self, *args),
    )

    _sign_up(client)

    assert in_transaction == [False]
    assert User.objects.filter(email="mei@example.com").exists()


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


def test_a_mail_server_that_refuses_never_turns_sign_up_or_reset_into_an_error_page(
    client, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.accounts.test_accounts.RefusingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        signed_up = _sign_up(client)
        reset = client.post(reverse("accounts:password_reset"), {"email": "someone@example.com"})

    assert signed_up.status_code == 200
    assert reset.status_code == 302
    assert User.objects.filter(email="mei@example.com").exists()
    assert "Connection refused" in caplog.text
    # Both mails wait in the outbox for the next attempt.
    waiting = Delivery.objects.filter(state=State.PENDING, attempts=1, last_error__contains="Connection refused")
    assert waiting.count() == 2
