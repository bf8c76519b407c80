"""Branded error pages in both languages, JSON under /api/, and a 503 while the database is down.

Most tests here have no database access at all (no ``db`` fixture: pytest-django refuses any query), which
shows the pages need none.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

TITLES = {
    400: ("The request could not be understood", "无法理解这个请求"),
    403: ("You cannot open this page", "您无法打开此页面"),
    404: ("Page not found", "页面没有找到"),
    500: ("Something went wrong on our side", "我们这边出了问题"),
    503: ("The help center is briefly unavailable", "帮助中心暂时无法访问"),
}

pytestmark = pytest.mark.urls("tests.kbportal.error_urls")


@pytest.fixture
def browser() -> Client:
    # A failing view's exception is answered by the handler, not raised into the test.
    return Client(raise_request_exception=False)


def test_the_site_runs_with_debug_off():
    assert settings.DEBUG is False


@pytest.mark.parametrize("status", TITLES)
@pytest.mark.parametrize(("accept_language", "index"), [("en", 0), ("zh-Hans", 1)])
def test_each_error_is_a_branded_page_in_the_visitors_language(browser, status, accept_language, index):
    response = browser.get(f"/fail/{status}/", HTTP_ACCEPT_LANGUAGE=accept_language)

    page = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f"<h1>{TITLES[status][index]}</h1>" in page
    assert 'class="site-header"' in page
    assert ("HelloWorld Support", "HelloWorld 支持中心")[index] in page
    assert '<html lang="{}">'.format(("en", "zh-hans")[index]) in page


@pytest.mark.parametrize("status", TITLES)
def test_under_the_api_each_error_is_json_with_a_detail(browser, status):
    response = browser.get(f"/api/fail/{status}/", HTTP_ACCEPT_LANGUAGE="zh-Hans")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"]


def test_an_unknown_address_is_a_404_page_with_the_search_box(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'action="/search/"' in response.content.decode()


def test_an_unknown_api_address_is_json(client):
    response = client.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    assert "/api/v1/docs/" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/fail/503/", "/fail/interface/", "/api/fail/503/"])
def test_an_unreachable_database_answers_503_with_retry_after(browser, path):
    response = browser.get(path)

    assert response.status_code == 503
    assert int(response["Retry-After"]) == settings.KBPORTAL_UNAVAILABLE_RETRY_AFTER_SECONDS


def test_other_errors_are_500_without_retry_after(browser):
    response = browser.get("/fail/500/")

    assert response.status_code == 500
    assert not response.has_header("Retry-After")


def test_error_pages_pass_the_content_security_policy(browser):
    response = browser.get("/fail/500/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in response.content.decode()
    assert " style=" not in response.content.decode()


# --- CSRF ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "title"), [("en", "Your form could not be sent"), ("zh-Hans", "您的表单未能发送")]
)
def test_a_failed_csrf_check_says_what_happened_and_what_to_do(accept_language, title):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("helpcenter:contact"))  # the form sets the CSRF cookie

    response = browser.post(
        reverse("helpcenter:contact"),
        {"subject": "Printer", "description": "It jams."},
        HTTP_ACCEPT_LANGUAGE=accept_language,
        HTTP_REFERER="http://testserver/contact/",
    )

    page = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in page
    assert 'href="http://testserver/contact/"' in page  # a fresh copy of the form
    assert "Allow cookies" not in page  # the cookie was there: only the token was missing


@pytest.mark.django_db
def test_a_csrf_failure_without_the_cookie_asks_to_allow_cookies_and_ignores_foreign_referers():
    response = Client(enforce_csrf_checks=True).post(
        reverse("helpcenter:contact"), {"subject": "Printer"}, HTTP_REFERER="https://evil.example/form/"
    )

    page = response.content.decode()
    assert response.status_code == 403
    assert "Allow cookies for this site" in page
    assert "evil.example" not in page


# --- The database really down (a process of its own) ----------------------------------------------------

SCRIPT = """
from django.test import Client
browser = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
for path, language in [("/", "en"), ("/", "zh-Hans"), ("/articles/", "en"), ("/api/v1/articles/", "en")]:
    if path == "/articles/":
        browser.cookies["sessionid"] = "a" * 32  # a signed-in visitor: the session is read from the database
    response = browser.get(path, HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    print(path, language, response.status_code, response.get("Retry-After"), response["Content-Type"].split(";")[0],
          "branded" if "site-header" in body else "json" if body.startswith("{") else "other")
"""


def test_with_the_database_unreachable_every_page_is_the_branded_503():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "kbportal.settings.test",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/kbportal",  # nothing listens on port 1
    }
    result = subprocess.run(  # noqa: S603 - this project's manage.py
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines() if line.startswith("/")]
    retry = str(settings.KBPORTAL_UNAVAILABLE_RETRY_AFTER_SECONDS)
    assert lines == [
        ["/", "en", "503", retry, "text/html", "branded"],
        ["/", "zh-Hans", "503", retry, "text/html", "branded"],
        ["/articles/", "en", "503", retry, "text/html", "branded"],
        ["/api/v1/articles/", "en", "503", retry, "application/json", "json"],
    ]
