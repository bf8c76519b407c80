"""Two-factor authentication: setting up an authenticator app, the sign-in's second step, recovery codes,
throttling, turning it off, and staff enforcement on every page, the admin and the API."""

import re
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import signing
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.views import APIView

from kbportal.accounts import two_factor
from kbportal.accounts.middleware import ALWAYS_OPEN
from kbportal.accounts.roles import Role
from tests.accounts.factories import (
    PASSWORD,
    StaffFactory,
    UserFactory,
    authenticator_code,
    two_factor_enrol,
    verified_login,
)

pytestmark = pytest.mark.django_db

require_2fa = override_settings(KBPORTAL_STAFF_REQUIRE_2FA=True)

WRONG_CODE_EN = "That code is not right."
WRONG_CODE_ZH = "验证码不正确。"


def _sign_in(client, user, next_url: str = "", **headers):
    url = reverse("accounts:login") + (f"?next={quote(next_url)}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD, "next": next_url}, **headers)


def _type_code(client, code: str, **headers):
    return client.post(reverse("accounts:two_factor_verify"), {"code": code}, **headers)


def _session_user(client):
    """The user of the client's session as the next request sees it (django-otp's is_verified() included)."""
    return client.get(reverse("articles:home")).wsgi_request.user


def _authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user)


def _wrong_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    near = {
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + shift).token():06d}"
        for shift in (-1, 0, 1, 2)
    }
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in near)


def _let_the_back_off_pass(model=TOTPDevice) -> None:
    model.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(days=1))


# --- Setting up ---------------------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_and_confirms_only_with_a_right_code(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(reverse("accounts:two_factor")).content.decode()
    device = _authenticator(user)
    again = client.get(reverse("accounts:two_factor")).content.decode()

    svg = re.search(r'<svg viewBox="[^"]*" class="qr-code">.*?</svg>', page, re.S).group(0)
    assert "<path" in svg
    assert "style=" not in svg
    assert two_factor.authenticator_secret(device) in page
    assert two_factor.authenticator_secret(device) in again
    assert not device.confirmed
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(reverse("accounts:two_factor"), {"code": _wrong_code(device)})

    assert WRONG_CODE_EN in wrong.content.decode()
    assert not two_factor.user_has_second_factor(user)

    _let_the_back_off_pass()
    right = client.post(reverse("accounts:two_factor"), {"code": authenticator_code(device)})

    device.refresh_from_db()
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert device.confirmed
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == 10
    assert all(code in right.content.decode() for code in codes)
    assert _session_user(client).is_verified()


def test_recovery_codes_are_shown_once_and_each_signs_in_once(client):
    user = UserFactory()
    codes = two_factor_enrol(user)
    client.force_login(user)

    assert codes[0] not in client.get(reverse("accounts:two_factor")).content.decode()

    client.logout()
    _sign_in(client, user)
    first = _type_code(client, codes[0].upper())
    client.logout()
    _sign_in(client, user)
    reused = _type_code(client, codes[0])

    assert first.status_code == 302
    assert WRONG_CODE_EN in reused.content.decode()
    assert "_auth_user_id" not in client.session
    assert two_factor.recovery_codes_left(user) == 9


# --- The second step of signing in ---------------------------------------------------------------------


def test_a_password_alone_does_not_sign_in_a_user_who_set_up_two_factor(client):
    user = UserFactory()
    two_factor_enrol(user)

    password_step = _sign_in(client, user)

    assert password_step.status_code == 302
    assert password_step.url == reverse("accounts:two_factor_verify")
    assert "_auth_user_id" not in client.session
    assert not _session_user(client).is_authenticated

    assert 'name="code"' in client.get(reverse("accounts:two_factor_verify")).content.decode()
    code_step = _type_code(client, authenticator_code(_authenticator(user)))

    assert code_step.status_code == 302
    signed_in = _session_user(client)
    assert signed_in == user
    assert signed_in.is_verified()


def test_users_without_two_factor_sign_in_with_their_password(client):
    user = UserFactory()

    response = _sign_in(client, user)

    assert response.status_code == 302
    assert response.url == reverse("articles:home")
    assert _session_user(client) == user


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/community/", "/community/"), ("//evil.example/steal", "/"), ("https://evil.example/", "/")],
)
def test_next_is_kept_through_the_second_step_only_if_it_stays_on_the_site(client, next_url, lands_on):
    user = UserFactory()
    two_factor_enrol(user)

    _sign_in(client, user, next_url)
    response = _type_code(client, authenticator_code(_authenticator(user)))

    assert response.url == lands_on


def test_the_code_must_follow_the_password_within_five_minutes(client, monkeypatch):
    user = UserFactory()
    two_factor_enrol(user)
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: now - 5 * 60 - 1)
        _sign_in(client, user)

    response = _type_code(client, authenticator_code(_authenticator(user)))

    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert "took too long" in client.get(response.url).content.decode()


@pytest.mark.parametrize(("language", "message"), [("en", WRONG_CODE_EN), ("zh-hans", WRONG_CODE_ZH)])
def test_a_wrong_code_gets_a_translated_error_and_the_form_again(client, language, message):
    user = UserFactory()
    two_factor_enrol(user)
    _sign_in(client, user)

    response = _type_code(client, _wrong_code(_authenticator(user)), HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'name="code"' in page
    assert "_auth_user_id" not in client.session


def test_wrong_codes_back_off_so_even_the_right_code_waits(client):
    user = UserFactory()
    two_factor_enrol(user)
    device = _authenticator(user)
    _sign_in(client, user)

    for _attempt in range(4):
        _type_code(client, _wrong_code(device))
    refused = _type_code(client, authenticator_code(device))

    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    assert "Too many wrong codes" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    _let_the_back_off_pass()
    accepted = _type_code(client, authenticator_code(device))

    assert accepted.status_code == 302
    assert _session_user(client) == user


def test_recovery_codes_back_off_too(client):
    user = UserFactory()
    codes = two_factor_enrol(user)
    _sign_in(client, user)

    for guess in ("aaaaaaaa", "bbbbbbbb", "cccccccc"):
        _type_code(client, guess)
    refused = _type_code(client, codes[0])

    assert "Too many wrong codes" in refused.content.decode()
    assert two_factor.recovery_codes_left(user) == 10


# --- Turning it off, new recovery codes --------------------------------------------------------------


def test_turning_it_off_needs_the_password_and_a_code(client):
    user = UserFactory()
    two_factor_enrol(user)
    verified_login(client, user)
    device = _authenticator(user)
    url = reverse("accounts:two_factor_disable")

    wrong_password = client.post(url, {"disable-password": "not-it", "disable-code": authenticator_code(device)})
    # A wrong code stops before the password is checked: no password guessing without the phone.
    wrong_code = client.post(url, {"disable-password": "not-it", "disable-code": _wrong_code(device)})

    assert "password is not right" in wrong_password.content.decode()
    assert WRONG_CODE_EN in wrong_code.content.decode()
    assert "password is not right" not in wrong_code.content.decode()
    assert two_factor.user_has_second_factor(user)

    _let_the_back_off_pass()
    done = client.post(url, {"disable-password": PASSWORD, "disable-code": authenticator_code(device)})

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    client.logout()
    assert _sign_in(client, user).url == reverse("articles:home")


def test_staff_cannot_turn_it_off_while_it_is_required(client):
    staff = StaffFactory(role=Role.AGENT_TIER_1)
    two_factor_enrol(staff)
    verified_login(client, staff)
    data = {"disable-password": PASSWORD, "disable-code": authenticator_code(_authenticator(staff))}

    with require_2fa:
        page = client.get(reverse("accounts:two_factor")).content.decode()
        refused = client.post(reverse("accounts:two_factor_disable"), data)

    assert 'name="disable-password"' not in page
    assert "Staff accounts must keep two-factor authentication on" in page
    assert "Staff accounts must keep two-factor authentication on" in refused.content.decode()
    assert two_factor.user_has_second_factor(staff)

    allowed = client.post(reverse("accounts:two_factor_disable"), data)

    assert allowed.status_code == 302
    assert not two_factor.user_has_second_factor(staff)


def test_new_recovery_codes_need_a_code_and_void_the_old_ones(client):
    user = UserFactory()
    old = two_factor_enrol(user)
    verified_login(client, user)
    url = reverse("accounts:two_factor_recovery_codes")

    refused = client.post(url, {"recovery-code": _wrong_code(_authenticator(user))})

    assert WRONG_CODE_EN in refused.content.decode()
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old)

    _let_the_back_off_pass()
    made = client.post(url, {"recovery-code": authenticator_code(_authenticator(user))})

    new = list(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10
    assert not set(new) & set(old)
    assert all(code in made.content.decode() for code in new)
    assert not two_factor.second_factor_check(user=user, code=old[0]).accepted
    _let_the_back_off_pass(StaticDevice)
    assert two_factor.second_factor_check(user=user, code=new[0]).accepted


# --- Enforcement for staff -------------------------------------------------------------------------------

STAFF_AREAS = [
    "/admin/",
    "/admin/tickets/ticket/",
    "/staff/queue/",
    "/staff/analytics/",
    "/staff/deflection/",
    "/staff/needs-review/",
    "/community/moderation/",
]


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@require_2fa
@pytest.mark.parametrize("url", STAFF_AREAS)
def test_staff_without_two_factor_are_sent_to_set_it_up(manager_client, url):
    response = manager_client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:two_factor')}?next={quote(url)}"


@require_2fa
@pytest.mark.parametrize("url", STAFF_AREAS)
def test_staff_with_two_factor_but_no_code_this_session_are_sent_to_the_second_step(manager_client, manager, url):
    two_factor_enrol(manager)

    response = manager_client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:two_factor_verify')}?next={quote(url)}"


def _reaches(client, url: str) -> bool:
    """The page itself answers (/staff/deflection/ through its redirect to the dashboard), not a sign-in step."""
    response = client.get(url, follow=True)
    return response.status_code == 200 and response.resolver_match.url_name not in {
        "login",
        "two_factor",
        "two_factor_verify",
    }


@pytest.mark.parametrize("url", STAFF_AREAS)
def test_verified_staff_and_staff_while_it_is_not_required_reach_the_staff_areas(client, manager, url):
    client.force_login(manager)
    assert _reaches(client, url)

    two_factor_enrol(manager)
    verified_login(client, manager)
    with require_2fa:
        assert _reaches(client, url)


@require_2fa
def test_customers_are_never_forced(client, customer):
    client.force_login(customer)

    assert client.get(reverse("tickets:list")).status_code == 200
    assert "Staff accounts must use" not in client.get(reverse("accounts:two_factor")).content.decode()

    two_factor_enrol(customer)
    assert client.get(reverse("tickets:list")).status_code == 200


def _routes(patterns=None, prefix=""):
    """Every URL of the site without parameters, with its view."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry.pattern, RegexPattern):
            route = entry.pattern._regex.lstrip("^").rstrip("$")
            if re.search(r"[()\[\]?*+\\|{}]", route):
                continue
        else:
            route = str(entry.pattern)
            if "<" in route:
                continue
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route, entry.callback


@require_2fa
def test_no_page_of_the_site_is_open_to_a_staff_session_without_the_second_factor(manager_client):
    open_pages = []
    routes = list(_routes())
    for url, view in routes:
        response = manager_client.get(url)
        if response.resolver_match.view_name in ALWAYS_OPEN | {"accounts:two_factor"}:
            continue
        is_api = isinstance(getattr(view, "cls", None), type) and issubclass(view.cls, APIView)
        closed = response.status_code == 403 if is_api else response.url.startswith(reverse("accounts:two_factor"))
        if not closed:
            open_pages.append(url)

    assert len(routes) > 100
    assert open_pages == []


def test_staff_use_the_api_with_a_session_only_after_the_second_factor(client):
    agent = StaffFactory(role=Role.AGENT_TIER_1)
    client.force_login(agent)
    url = reverse("api:ticket-list")

    assert client.get(url).status_code == 200
    with require_2fa:
        refused = client.get(url)
        two_factor_enrol(agent)
        verified_login(client, agent)
        allowed = client.get(url)

    assert refused.status_code == 403
    assert "two-factor" in refused.json()["detail"]
    assert allowed.status_code == 200


@require_2fa
def test_staff_sign_in_to_the_admin_with_both_steps(client):
    staff = StaffFactory(role=Role.SUPPORT_MANAGER)
    two_factor_enrol(staff)

    admin_login = client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0]
    _sign_in(client, staff, "/admin/")
    code_step = _type_code(client, authenticator_code(_authenticator(staff)))

    assert admin_login == f"{reverse('accounts:login')}?next=/admin/"
    assert code_step.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@require_2fa
def test_staff_set_it_up_at_their_first_sign_in_and_go_on_where_they_were_going(client):
    staff = StaffFactory(role=Role.AGENT_TIER_1)

    _sign_in(client, staff, "/staff/queue/")
    sent = client.get("/staff/queue/")
    setup = client.get(sent.url).content.decode()
    codes_page = client.post(sent.url, {"code": authenticator_code(_authenticator(staff)), "next": "/staff/queue/"})

    assert sent.url == f"{reverse('accounts:two_factor')}?next={quote('/staff/queue/')}"
    assert "Staff accounts must use two-factor authentication" in setup
    assert 'href="/staff/queue/"' in codes_page.content.decode()
    assert client.get("/staff/queue/").status_code == 200


@pytest.mark.parametrize(
    ("next_url", "target"), [("/admin/tickets/ticket/", "/admin/tickets/ticket/"), ("https://evil.example/", "/admin/")]
)
def test_the_admin_login_page_sends_everyone_to_the_portal_sign_in(client, next_url, target):
    staff = StaffFactory(role=Role.SUPPORT_MANAGER)
    two_factor_enrol(staff)

    page = client.get(reverse("admin:login"), {"next": next_url})
    posted = client.post(reverse("admin:login"), {"username": staff.username, "password": PASSWORD})

    assert page.url == f"{reverse('accounts:login')}?next={quote(target)}"
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


# --- For the other ways in (API tokens) ------------------------------------------------------------------


def test_the_questions_other_ways_in_ask():
    customer, staff = UserFactory(), StaffFactory(role=Role.AGENT_TIER_1)

    assert not two_factor.user_requires_second_factor(customer)
    assert not two_factor.user_requires_second_factor(staff)
    with require_2fa:
        assert two_factor.user_requires_second_factor(staff)
        assert not two_factor.second_factor_check(user=staff, code="123456").accepted

    two_factor_enrol(customer)
    device = _authenticator(customer)
    assert two_factor.user_requires_second_factor(customer)
    assert not two_factor.second_factor_check(user=customer, code=_wrong_code(device)).accepted
    _let_the_back_off_pass()
    assert two_factor.second_factor_check(user=customer, code=authenticator_code(device)).accepted


# --- Both languages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "english", "chinese"),
    [
        ("setup", "Set up two-factor authentication", "设置双重身份验证"),
        ("manage", "Two-factor authentication is on", "双重身份验证已开启"),
        ("verify", "Two-step sign-in", "两步登录"),
    ],
)
def test_the_pages_speak_both_languages(client, page, english, chinese):
    user = UserFactory()
    if page == "verify":
        two_factor_enrol(user)
        _sign_in(client, user)
        url = reverse("accounts:two_factor_verify")
    else:
        if page == "manage":
            two_factor_enrol(user)
        client.force_login(user)
        url = reverse("accounts:two_factor")

    in_english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    in_chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert english in in_english
    assert chinese in in_chinese
    assert english not in in_chinese


def test_the_recovery_codes_page_speaks_chinese(client):
    user = UserFactory()
    client.force_login(user)
    device = two_factor.two_factor_setup_start(user=user)

    page = client.post(
        reverse("accounts:two_factor"), {"code": authenticator_code(device)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "保存恢复码" in page
