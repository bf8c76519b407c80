"""Customers sign up, sign in and out, change and reset their password."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.urls import reverse

from kbportal.accounts.models import User
from kbportal.demo.accounts import DEMO_PASSWORD
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-passphrase-42"


def _sign_up(client, **overrides):
    data = {"display_name": "Mei Lin", "email": "mei@example.com", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("accounts:sign_up"), {**data, **overrides})


def test_sign_up_creates_a_customer_and_signs_them_in(client):
    response = _sign_up(client)

    assert response.status_code == 302
    user = User.objects.get(email="mei@example.com")
    assert (user.display_name, user.is_staff) == ("Mei Lin", False)
    assert client.get(reverse("articles:home")).context["user"] == user


def test_sign_up_shows_errors_and_keeps_what_was_typed(client):
    response = _sign_up(client, password2="something-else-entirely")

    page = response.content.decode()
    assert response.status_code == 200
    assert "The two passwords differ" in page
    assert 'value="mei@example.com"' in page
    assert 'value="Mei Lin"' in page
    assert not User.objects.exists()


def test_an_email_address_signs_up_only_once_whatever_its_case(client):
    UserFactory(email="mei@example.com")

    response = _sign_up(client, email="MEI@Example.com")

    assert "exists already" in response.content.decode()
    assert User.objects.filter(email__iexact="mei@example.com").count() == 1


def test_weak_passwords_are_refused(client):
    response = _sign_up(client, password1="12345678", password2="12345678")

    assert response.status_code == 200
    assert not User.objects.filter(email="mei@example.com").exists()


def test_passwords_shorter_than_twelve_characters_are_refused(client):
    response = _sign_up(client, password1="tiger-lily7", password2="tiger-lily7")

    assert "at least 12 characters" in response.content.decode()
    assert not User.objects.filter(email="mei@example.com").exists()
    assert _sign_up(client, password1="tiger-lily-7", password2="tiger-lily-7").status_code == 302


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


def test_reset_a_forgotten_password_by_email(client, customer):
    client.post(reverse("accounts:password_reset"), {"email": customer.email.upper()})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)


def test_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_open_redirects_after_sign_up_are_refused(client):
    response = _sign_up(client, next="https://evil.example/")

    assert response["Location"] == reverse("articles:home")
