"""Browser journeys: Playwright drives Debian's chromium against a live portal (tests/e2e/portal.py).

Each journey runs in English and in Simplified Chinese, at desktop (1366×900) and phone (390×844) size. They
need /usr/bin/chromium (or KBPORTAL_E2E_CHROMIUM) and axe-core from npm (`make setup` installs it when npm is
here); without them they are skipped with the reason, unless KBPORTAL_E2E_REQUIRED=1 (CI) makes that a failure.
Screenshots of every step go to tests/e2e/artifacts/ (or KBPORTAL_E2E_ARTIFACTS), with axe's full report.
"""

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.journey import AXE_SOURCE, Journey
from tests.e2e.portal import Inbox, Portal, start_portal

CHROMIUM = os.environ.get("KBPORTAL_E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("KBPORTAL_E2E_ARTIFACTS", Path(__file__).with_name("artifacts")))
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# The browser's language and zone: a Chinese reader in Shanghai, an English one in Berlin.
LANGUAGES = {
    "en": {"locale": "en-GB", "timezone_id": "Europe/Berlin"},
    "zh-hans": {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"},
}
# The video providers' players, which the portal embeds in a frame: this machine has no internet, so each
# answers with a stand-in page that names the address it was asked for (the journeys check the start time).
EMBED_HOSTS = ("https://www.youtube-nocookie.com/", "https://player.vimeo.com/", "https://player.bilibili.com/")
PASSWORD = "helloworld-demo"  # The demo accounts' published password (kbportal/demo/accounts.py).


def _missing_requirement() -> str:
    if not Path(CHROMIUM).exists():
        return f"chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
    if not AXE_SOURCE.exists():
        return "axe-core is not installed (npm ci --prefix tests/e2e, which `make setup` runs when npm is here)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (make setup)"
    return ""


@pytest.hookimpl(trylast=True)  # after `-m "not e2e"` (make test) has deselected them
def pytest_collection_modifyitems(config, items) -> None:
    journeys = [item for item in items if item.get_closest_marker("e2e")]
    missing = _missing_requirement()
    if missing and journeys:
        if os.environ.get("KBPORTAL_E2E_REQUIRED") == "1":
            raise pytest.UsageError(f"browser journeys required but {missing}")
        skip = pytest.mark.skip(reason=f"browser journeys skipped: {missing}")
        for item in journeys:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator[Portal]:
    """A fresh portal for the run; or, while writing a journey, one already running (served with the e2e
    profile) at KBPORTAL_E2E_URL, writing its mail to KBPORTAL_E2E_MAIL_DIR."""
    running = os.environ.get("KBPORTAL_E2E_URL")
    if running:
        mail = Path(os.environ["KBPORTAL_E2E_MAIL_DIR"])
        yield Portal(running.rstrip("/"), Inbox(mail), mail, dict(os.environ))
        return
    live = start_portal(tmp_path_factory.mktemp("portal"))
    yield live
    live.stop()


@pytest.fixture
def browser():
    """A browser per journey: Playwright's sync API keeps an event loop running while it is started, and the
    rest of the suite shares this worker — Django refuses ORM calls while a loop runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(params=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def journey_factory(request, browser, portal, artifacts, language, size):
    """Journey(s) for this test: each call is a fresh browser profile (another person), same language and size."""
    contexts = []
    journeys: list[Journey] = []
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def new_journey(person: str = "visitor", *, javascript: bool = True) -> Journey:
        context = browser.new_context(
            java_script_enabled=javascript,
            user_agent=_person_user_agent(browser.version, phone=size == "phone"),
            viewport=SIZES[size],
            is_mobile=size == "phone",
            has_touch=size == "phone",
            accept_downloads=True,
            **LANGUAGES[language],
        )
        context.set_default_timeout(15_000)
        context.route(lambda url: url.startswith(EMBED_HOSTS), _stand_in_player)
        contexts.append(context)
        journey = Journey(
            page=context.new_page(),
            base_url=portal.base_url,
            shots=artifacts / "screenshots" / f"{test_name}-{person}",
            language=language,
            size=size,
        )
        journeys.append(journey)
        return journey

    yield new_journey
    report = [finding for journey in journeys for finding in journey.axe_report]
    if report:
        (artifacts / f"axe-{test_name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    for journey in journeys:
        journey.finish()
    for context in contexts:
        context.close()


@pytest.fixture
def journey(journey_factory) -> Journey:
    return journey_factory()


def _person_user_agent(version: str, *, phone: bool) -> str:
    """The browser as a person runs it. Headless Chromium says "HeadlessChrome", which the crawler list knows
    (kbportal/crawlers.py): the portal would rightly count none of its searches or views."""
    device = "Linux; Android 14; Pixel 8" if phone else "X11; Linux x86_64"
    mobile = " Mobile" if phone else ""
    return f"Mozilla/5.0 ({device}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version}{mobile} Safari/537.36"


def _stand_in_player(route) -> None:
    route.fulfill(status=200, content_type="text/html", body=f"<title>player</title><p>{route.request.url}</p>")


def sign_in(journey: Journey, username: str) -> None:
    """Sign in through the sign-in page, as a person does."""
    page = journey.page
    journey.go("/accounts/sign-in/")
    page.get_by_label(journey.t("E-mail address or username")).fill(username)
    page.get_by_label(journey.t("Password"), exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=journey.t("Sign in")).click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)
