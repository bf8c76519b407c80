"""Brute force: a run of wrong passwords pauses signing in for the account and for the address, on every way in."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from kbportal.accounts.models import User
from kbportal.accounts.roles import Role
from kbportal.security.client import client_ip
from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 20
SIGN_IN = "/accounts/sign-in/"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def _sign_in(client, username: str, password: str, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


def _fail(client, username: str, times: int, **extra) -> list[int]:
    return [_sign_in(client, username, "wrong-password", **extra).status_code for _ in range(times)]


def test_the_21st_attempt_in_a_row_is_refused_without_checking_the_password(client, monkeypatch):
    UserFactory(username="mei", email="mei@example.com")

    # The 20th failure is still checked, and answered with the pause; from then on nothing is checked.
    assert _fail(client, "mei@example.com", LIMIT) == [200] * (LIMIT - 1) + [429]
    checked = []
    monkeypatch.setattr(User, "check_password", lambda self, raw: checked.append(raw) or True)
    refused = _sign_in(client, "mei@example.com", PASSWORD)

    assert refused.status_code == 429
    assert checked == []
    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_from_any_address_and_whichever_name_is_typed(client):
    UserFactory(username="mei", email="mei@example.com")
    _fail(client, "mei", LIMIT // 2)
    _fail(client, "MEI@Example.com", LIMIT // 2, REMOTE_ADDR="198.51.100.7")

    elsewhere = _sign_in(client, "mei", PASSWORD, REMOTE_ADDR="203.0.113.50")

    assert elsewhere.status_code == 429


def test_a_success_resets_the_run(client):
    UserFactory(username="mei", email="mei@example.com")
    _fail(client, "mei", LIMIT - 1)
    assert _sign_in(client, "mei", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    _fail(client, "mei", LIMIT - 1)

    assert _sign_in(client, "mei", PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_paused_but_others_are_not(client):
    UserFactory(username="victim", email="victim@example.com")
    for n in range(LIMIT):
        _sign_in(client, f"guess{n}@example.com", "wrong-password")

    assert _sign_in(client, "victim", PASSWORD).status_code == 429
    assert _sign_in(client, "victim", PASSWORD, REMOTE_ADDR="203.0.113.50").status_code == 302


def test_rotating_x_forwarded_for_changes_nothing_without_trusted_proxies(client):
    UserFactory(username="mei")
    for n in range(LIMIT):
        _sign_in(client, f"guess{n}", "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert _sign_in(client, "mei", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.9"),  # not trusted: the connection counts
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the client wrote the first entry itself
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.9"),  # fewer hops than proxies: the request went around them
        (1, "not-an-address", "10.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "192.0.2.1:5678", "192.0.2.1"),  # proxies that write the client's port
        (1, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_only_from_trusted_proxies(rf, settings, proxies, forwarded, expected):
    settings.KBPORTAL_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_behind_a_trusted_proxy_each_client_is_counted_apart(client, settings):
    settings.KBPORTAL_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="mei")
    for n in range(LIMIT):
        _sign_in(client, f"guess{n}", "wrong-password", HTTP_X_FORWARDED_FOR="192.0.2.1")

    assert _sign_in(client, "mei", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    assert _sign_in(client, "mei", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 302


def test_the_admin_login_is_the_portal_sign_in_and_counts_alike(client):
    StaffFactory(username="agent", role=Role.AGENT_TIER_1)
    admin_login = client.post(reverse("admin:login"), {"username": "agent", "password": "wrong-password"})
    assert admin_login.status_code == 302
    assert admin_login["Location"].startswith(SIGN_IN)
    _fail(client, "agent", LIMIT)

    refused = client.post(f"{SIGN_IN}?next=/admin/", {"username": "agent", "password": PASSWORD, "next": "/admin/"})

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_current_passwords_on_the_change_form_count_too(client):
    user = UserFactory(username="mei")
    client.force_login(user)
    change = reverse("accounts:password_change")
    data = {"new_password1": "a-much-better-passphrase-42", "new_password2": "a-much-better-passphrase-42"}
    codes = [client.post(change, {**data, "old_password": "wrong-password"}).status_code for _ in range(LIMIT)]
    assert codes == [200] * (LIMIT - 1) + [429]

    refused = client.post(change, {**data, "old_password": PASSWORD})

    assert refused.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_message_is_in_the_visitors_language(client):
    UserFactory(username="mei")
    _fail(client, "mei", LIMIT)

    refused = _sign_in(client, "mei", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.content.decode()


def test_a_support_manager_lifts_a_lockout_in_the_admin(client):
    UserFactory(username="mei")
    _fail(client, "mei", LIMIT, REMOTE_ADDR="198.51.100.7")
    manager = StaffFactory(username="boss", role=Role.SUPPORT_MANAGER)
    attempt = AccessAttempt.objects.get(username="mei")
    staff = type(client)()
    staff.force_login(manager)

    listed = staff.get(reverse("admin:axes_accessattempt_changelist"))
    staff.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert listed.status_code == 200
    assert b"mei" in listed.content
    assert _sign_in(client, "mei", PASSWORD, REMOTE_ADDR="203.0.113.50").status_code == 302


def test_agents_cannot_see_or_lift_lockouts(client):
    agent = StaffFactory(username="agent", role=Role.AGENT_TIER_1)
    client.force_login(agent)

    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_the_token_endpoint_counts_and_refuses_alike_with_json(client):
    UserFactory(username="mei", email="mei@example.com")
    token_url = "/api/v1/auth/token/"
    codes = [
        client.post(
            token_url, {"username": "mei", "password": "wrong-password"}, content_type="application/json"
        ).status_code
        for _ in range(LIMIT)
    ]

    refused = client.post(token_url, {"username": "mei", "password": PASSWORD}, content_type="application/json")

    assert codes == [400] * (LIMIT - 1) + [429]
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.json()["detail"]
    assert "token" not in refused.json()


def test_signing_in_to_ones_own_account_does_not_clear_the_guesses_against_another(client):
    UserFactory(username="victim")
    UserFactory(username="eve")
    _fail(client, "victim", LIMIT - 1)
    assert _sign_in(client, "eve", PASSWORD).status_code == 302  # the attacker's own account
    client.post(reverse("accounts:logout"))

    assert _fail(client, "victim", 1) == [429]
    assert _sign_in(client, "victim", PASSWORD, REMOTE_ADDR="203.0.113.50").status_code == 429
