"""API tokens: made with the sign-in credentials (and the second factor), stored hashed, expiring, revoked
by the client or on the account page; DRF's old plain tokens carried over with the same secret."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.settings import knox_settings

from kbportal.accounts import services
from kbportal.accounts.models import ApiToken
from kbportal.accounts.roles import Role
from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory, two_factor_enrol
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PAGE_URL = "/accounts/tokens/"
# Any endpoint that needs a signed-in caller and answers 200 to one.
SIGNED_IN_ONLY = "/api/v1/tickets/"


def _ask_token(client, **data):
    return client.post(TOKEN_URL, data, content_type="application/json")


def _call(token: str, path: str = SIGNED_IN_ONLY):
    # A fresh client each time: no session cookie may stand in for the token.
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {token}")


def _every_value_in_the_database() -> str:
    """Every row of every table as text, to show a secret is stored nowhere."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


# --- Making a token -------------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["email", "username"])
def test_the_sign_in_credentials_make_a_hashed_token_that_expires(client, login):
    user = UserFactory(username="mei", email="mei@example.com")

    response = _ask_token(client, username=getattr(user, login), password=PASSWORD, name="Backup script")

    body = response.json()
    token = ApiToken.objects.get(user=user)
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    assert set(body) == {"token", "expiry", "name"}
    assert body["name"] == "Backup script" == token.name
    assert body["token"].startswith("kbp_")
    assert len(body["token"]) == 4 + 64
    expected_expiry = timezone.now() + timedelta(days=90)
    assert abs(token.expiry - expected_expiry) < timedelta(minutes=1)
    assert body["token"] not in _every_value_in_the_database()
    assert _call(body["token"]).status_code == 200
    # Counted as a sign-in (user_logged_in), which is also what clears the lockout's count of failures.
    user.refresh_from_db()
    assert user.last_login is not None


def test_the_form_encoded_request_of_drf_clients_still_works(client):
    user = UserFactory()

    response = client.post(TOKEN_URL, {"username": user.email, "password": PASSWORD})

    assert response.status_code == 201
    assert _call(response.json()["token"]).status_code == 200


def test_wrong_or_missing_credentials_answer_400_with_the_errors_of_drf_token_endpoint(client):
    user = UserFactory()

    wrong = _ask_token(client, username=user.email, password="not-the-password")
    unknown = _ask_token(client, username="nobody@example.com", password=PASSWORD)
    missing = _ask_token(client, name="x")

    assert wrong.status_code == unknown.status_code == missing.status_code == 400
    assert list(wrong.json()) == ["non_field_errors"]
    assert wrong.json() == unknown.json()
    assert "do not match an account" in wrong.json()["non_field_errors"][0]
    assert set(missing.json()) == {"username", "password"}
    assert not ApiToken.objects.exists()


def test_a_deactivated_account_gets_no_token(client):
    user = UserFactory(is_active=False)

    assert _ask_token(client, username=user.email, password=PASSWORD).status_code == 400


def test_the_password_is_checked_by_authenticate_with_the_django_request(client):
    """The sign-in lockout hooks into authenticate() and its failure signal, which need Django's request."""
    user = UserFactory()
    failures = []

    def receiver(sender, credentials, request=None, **kwargs):
        failures.append((credentials, request))

    user_login_failed.connect(receiver)
    try:
        _ask_token(client, username=user.email, password="not-the-password")
    finally:
        user_login_failed.disconnect(receiver)

    [(credentials, request)] = failures
    assert credentials["username"] == user.email
    assert "not-the-password" not in repr(credentials)
    assert isinstance(request, HttpRequest)


def test_a_stale_token_in_the_header_does_not_stop_a_client_getting_a_new_one(client):
    user = UserFactory()

    response = client.post(
        TOKEN_URL, {"username": user.email, "password": PASSWORD}, HTTP_AUTHORIZATION="Token kbp_long-gone"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("limit", [1, 3])
def test_an_account_holds_a_limited_number_of_unexpired_tokens(client, settings, limit):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": limit}
    user = UserFactory()
    old, _secret = services.api_token_create(user=user, name="expired")
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    answers = [_ask_token(client, username=user.email, password=PASSWORD).status_code for _ in range(limit + 1)]

    assert answers == [201] * limit + [400]
    refused = _ask_token(client, username=user.email, password=PASSWORD).json()
    assert "Revoke one" in refused["non_field_errors"][0]
    # The expired one was tidied away; it never counted.
    assert ApiToken.objects.filter(user=user).count() == limit


# --- Two factors --------------------------------------------------------------------------------------


def _totp_device(user, *, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def test_an_account_with_two_factors_needs_the_current_code(client):
    user = UserFactory()
    device = _totp_device(user)

    missing = _ask_token(client, username=user.email, password=PASSWORD)
    right = _ask_token(client, username=user.email, password=PASSWORD, otp=_current_code(device))

    assert missing.status_code == 400
    assert list(missing.json()) == ["otp"]
    assert right.status_code == 201
    assert _call(right.json()["token"]).status_code == 200


def test_staff_who_must_use_two_factors_get_no_token_before_they_set_them_up(client, settings):
    settings.KBPORTAL_STAFF_REQUIRE_2FA = True
    staff = StaffFactory(role=Role.AGENT_TIER_1)

    response = _ask_token(client, username=staff.username, password=PASSWORD, otp="123456")

    assert response.status_code == 400
    assert "Set them up on the website first" in response.json()["otp"][0]
    assert not ApiToken.objects.exists()


def test_a_recovery_code_is_taken_as_typed_on_the_website(client):
    user = UserFactory()
    recovery_codes = two_factor_enrol(user)
    printed = f"{recovery_codes[0][:4]}-{recovery_codes[0][4:]}".upper()

    response = _ask_token(client, username=user.email, password=PASSWORD, otp=printed)
    again = _ask_token(client, username=user.email, password=PASSWORD, otp=printed)

    assert response.status_code == 201
    assert again.status_code == 400  # one use


def test_a_wrong_code_is_refused_and_counts_as_a_failed_sign_in(client):
    user = UserFactory()
    device = _totp_device(user)
    wrong_code = f"{(int(_current_code(device)) + 500_000) % 1_000_000:06d}"
    failures = []

    def receiver(sender, credentials, request=None, **kwargs):
        failures.append(credentials)

    user_login_failed.connect(receiver)
    try:
        response = _ask_token(client, username=user.email, password=PASSWORD, otp=wrong_code)
    finally:
        user_login_failed.disconnect(receiver)

    assert response.status_code == 400
    assert list(response.json()) == ["otp"]
    assert failures == [{"username": user.email}]
    assert not ApiToken.objects.exists()


def test_a_device_not_yet_confirmed_asks_for_no_code(client):
    user = UserFactory()
    _totp_device(user, confirmed=False)

    assert _ask_token(client, username=user.email, password=PASSWORD).status_code == 201


# --- Using and refusing a token ----------------------------------------------------------------------


def test_expired_revoked_and_deactivated_tokens_are_refused_with_401(customer):
    expired, expired_secret = services.api_token_create(user=customer)
    _revoked, revoked_secret = services.api_token_create(user=customer)
    ApiToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    services.api_token_revoke(token=_revoked)
    other = UserFactory()
    _token, deactivated_secret = services.api_token_create(user=other)
    other.is_active = False
    other.save()

    answers = [_call(secret) for secret in (expired_secret, revoked_secret, deactivated_secret, "kbp_" + "0" * 64)]

    assert [answer.status_code for answer in answers] == [401] * 4
    assert {answer["WWW-Authenticate"] for answer in answers} == {"Token"}
    # Knox deletes an expired token when it is sent.
    assert not ApiToken.objects.filter(pk=expired.pk).exists()


def test_a_caller_without_credentials_still_gets_403():
    response = Client().get(SIGNED_IN_ONLY)

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


def test_last_used_is_written_at_most_once_an_hour(customer):
    token, secret = services.api_token_create(user=customer)

    def updates_during_a_call() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _call(secret).status_code == 200
        return sum(query["sql"].startswith("UPDATE") and "apitoken" in query["sql"] for query in queries)

    first = updates_during_a_call()
    token.refresh_from_db()
    noted = token.last_used
    second = updates_during_a_call()
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now() - timedelta(hours=2))
    later = updates_during_a_call()

    assert (first, second, later) == (1, 0, 1)
    assert noted is not None
    token.refresh_from_db()
    assert token.last_used > noted - timedelta(seconds=1)


def test_delete_revokes_the_token_the_request_is_signed_with(customer):
    _used, used_secret = services.api_token_create(user=customer, name="used")
    _kept, kept_secret = services.api_token_create(user=customer, name="kept")

    response = Client().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {used_secret}")

    assert response.status_code == 204
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["kept"]
    assert _call(used_secret).status_code == 401
    assert _call(kept_secret).status_code == 200


def test_delete_without_a_token_revokes_nothing(customer_client, customer):
    services.api_token_create(user=customer)

    by_session = customer_client.delete(TOKEN_URL)
    anonymous = Client().delete(TOKEN_URL)

    assert by_session.status_code == 403
    assert "account page" in by_session.json()["detail"]
    assert anonymous.status_code == 403
    assert ApiToken.objects.count() == 1


# --- The account page ---------------------------------------------------------------------------------


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(PAGE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_account_menu_links_to_the_page(customer_client):
    page = customer_client.get(reverse("articles:home")).content.decode()

    assert f'href="{PAGE_URL}"' in page


def test_a_new_token_is_shown_once_and_works(customer_client, customer):
    made = customer_client.post(PAGE_URL, {"name": "Laptop"})

    token = ApiToken.objects.get(user=customer)
    secret = made.context["secret"]
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    assert secret.startswith("kbp_")
    assert secret in made.content.decode()
    assert token.name == "Laptop"
    assert secret not in customer_client.get(PAGE_URL).content.decode()
    assert _call(secret).status_code == 200


def test_the_page_lists_only_the_users_unexpired_tokens(customer_client, customer):
    services.api_token_create(user=customer, name="Mine")
    expired, _secret = services.api_token_create(user=customer, name="Gone by now")
    ApiToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    services.api_token_create(user=UserFactory(), name="Somebody else's")

    page = customer_client.get(PAGE_URL).content.decode()

    assert "Mine" in page
    assert "Gone by now" not in page
    assert "Somebody else" not in page


def test_revoking_one_token_keeps_the_others(customer_client, customer):
    revoked, revoked_secret = services.api_token_create(user=customer, name="Old phone")
    _kept, kept_secret = services.api_token_create(user=customer, name="Laptop")

    response = customer_client.post(reverse("accounts:api_token_revoke", args=[revoked.pk]), follow=True)

    assert "is revoked" in response.content.decode()
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Laptop"]
    assert _call(revoked_secret).status_code == 401
    assert _call(kept_secret).status_code == 200


def test_another_users_token_can_be_neither_seen_nor_revoked(customer_client):
    theirs, secret = services.api_token_create(user=UserFactory(), name="Theirs")

    response = customer_client.post(reverse("accounts:api_token_revoke", args=[theirs.pk]))

    assert response.status_code == 404
    assert _call(secret).status_code == 200


def test_revoke_all_revokes_only_the_users_tokens(customer_client, customer):
    secrets = [services.api_token_create(user=customer, name=f"t{n}")[1] for n in range(3)]
    _theirs, their_secret = services.api_token_create(user=UserFactory())

    response = customer_client.post(reverse("accounts:api_token_revoke_all"), follow=True)

    assert "3 API tokens are revoked, all that you had." in response.content.decode()
    assert [_call(secret).status_code for secret in secrets] == [401, 401, 401]
    assert _call(their_secret).status_code == 200


def test_revoking_takes_a_post_with_the_csrf_token(customer):
    token, _secret = services.api_token_create(user=customer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    by_get = client.get(reverse("accounts:api_token_revoke", args=[token.pk]))
    without_csrf = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    make_without_csrf = client.post(PAGE_URL, {"name": "x"})

    assert (by_get.status_code, without_csrf.status_code, make_without_csrf.status_code) == (405, 403, 403)
    assert ApiToken.objects.count() == 1


def test_the_page_refuses_a_token_past_the_limit_and_keeps_the_name(customer_client, customer, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 1}
    services.api_token_create(user=customer)

    response = customer_client.post(PAGE_URL, {"name": "One too many"})

    page = response.content.decode()
    assert response.context["secret"] is None
    assert "Revoke one" in page
    assert 'value="One too many"' in page
    assert ApiToken.objects.count() == 1


def test_the_page_speaks_chinese(customer_client, customer):
    services.api_token_create(user=customer)
    customer_client.cookies["kbportal_language"] = "zh-hans"

    page = customer_client.get(PAGE_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "API 令牌" in page
    assert "撤销" in page


def test_the_page_costs_the_same_queries_for_more_tokens(customer_client, customer):
    def make(count: int) -> None:
        for n in range(count):
            services.api_token_create(user=customer, name=f"token {n}")

    make(2)
    with_two = page_queries(customer_client, PAGE_URL)
    make(2)

    assert page_queries(customer_client, PAGE_URL) == with_two


# --- Staff admin --------------------------------------------------------------------------------------


def test_staff_see_and_revoke_tokens_in_the_admin_but_never_make_one(admin_client, customer):
    token, secret = services.api_token_create(user=customer, name="Script")

    changelist = admin_client.get("/admin/accounts/apitoken/")
    search = admin_client.get("/admin/accounts/apitoken/", {"q": customer.email})
    change = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    add = admin_client.get("/admin/accounts/apitoken/add/")
    deleted = admin_client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert (changelist.status_code, search.status_code, change.status_code) == (200, 200, 200)
    assert "Script" in search.content.decode()
    assert token.digest not in change.content.decode()
    assert add.status_code == 403
    assert deleted.status_code == 302
    assert _call(secret).status_code == 401


# --- DRF's old tokens -------------------------------------------------------------------------------------


def _move_drf_tokens():
    migration = importlib.import_module("kbportal.accounts.migrations.0007_move_drf_tokens_to_api_tokens")
    from django.apps import apps

    migration.move_drf_tokens(apps, SimpleNamespace(connection=connection))


def _drf_token_table_with(user, key: str, created) -> None:
    """DRF's authtoken_token as its migrations left it, with one token (the app is no longer installed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) NOT NULL PRIMARY KEY, '
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL UNIQUE)"
            if connection.vendor == "postgresql"
            else 'CREATE TABLE authtoken_token ("key" varchar(40) NOT NULL PRIMARY KEY, '
            "created datetime NOT NULL, user_id bigint NOT NULL UNIQUE)"
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
            [key, created if connection.vendor == "postgresql" else created.strftime("%Y-%m-%d %H:%M:%S.%f"), user.pk],
        )
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', %s)",
            [timezone.now()],
        )


def test_a_drf_token_made_before_the_upgrade_works_after_it_and_its_key_is_gone(customer):
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's own example: 40 hex digits, no prefix
    created = timezone.now().replace(microsecond=123456) - timedelta(days=400)
    _drf_token_table_with(customer, key, created)

    _move_drf_tokens()

    token = ApiToken.objects.get(user=customer)
    assert abs(token.expiry - (timezone.now() + knox_settings.TOKEN_TTL)) < timedelta(minutes=1)
    assert token.created == created
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone() == (0,)
    assert key not in _every_value_in_the_database()
    response = _call(key)
    assert response.status_code == 200
    # The migrated token is one like the others: listed, and revoked by its own client.
    assert Client().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert _call(key).status_code == 401


def test_the_move_does_nothing_where_drf_tokens_never_were():
    _move_drf_tokens()

    assert not ApiToken.objects.exists()


# --- OpenAPI --------------------------------------------------------------------------------------------


def test_the_schema_documents_the_token_endpoint_and_scheme_without_warnings(tmp_path, client):
    # --fail-on-warn turns any warning of the generator into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    token_path = schema["paths"]["/api/v1/auth/token/"]
    assert set(token_path) == {"post", "delete"}
    assert "201" in token_path["post"]["responses"]
    assert token_path["delete"]["security"] == [{"tokenAuth": []}]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    properties = schema["components"]["schemas"]["ApiTokenCreateRequest"]["properties"]
    assert {"username", "password", "name", "otp"} <= set(properties)


@pytest.mark.parametrize("secret", ["kbp_éé", "ÿþ", "kbp_abc;drop", "a" * 200])
def test_a_malformed_token_is_refused_with_401_not_an_error(secret):
    response = Client().get(SIGNED_IN_ONLY, HTTP_AUTHORIZATION=f"Token {secret}")

    assert response.status_code == 401


def test_a_session_that_never_gave_the_code_makes_no_token(client):
    """A session opened before two-factor was turned on must pass the second step before it makes a token."""
    user = UserFactory()
    two_factor_enrol(user)
    client.force_login(user)  # a session with the password only

    page = client.get(PAGE_URL)
    made = client.post(PAGE_URL, {"name": "laptop"})

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert made.status_code == 302
    assert not ApiToken.objects.exists()


def test_a_token_request_reads_only_its_own_token_row(client):
    user = UserFactory()
    for n in range(5):
        services.api_token_create(user=user, name=f"old {n}")
    _row, secret = services.api_token_create(user=user, name="in use")
    _call(secret)  # records last_used once

    with CaptureQueriesContext(connection) as queries:
        assert _call(secret).status_code == 200

    token_reads = [q["sql"] for q in queries if "accounts_apitoken" in q["sql"] and q["sql"].startswith("SELECT")]
    assert len(token_reads) == 1
