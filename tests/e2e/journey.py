"""One person's journey through the portal in a real browser, checked at every step the way a reviewer would.

`Journey.look(step)` is called after each thing the person does. It checks that the page does not overflow the
viewport horizontally, runs axe-core on it (0 critical and 0 serious violations on the portal's own pages; on
admin pages, on the project's own templates and widgets), writes a full-page screenshot, and fails on any console
error, uncaught exception or failed request since the previous step.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation
from playwright.sync_api import ConsoleMessage, Page, Request, Response

AXE_SOURCE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"critical", "serious"}
# The Django admin's own markup is not the project's; on admin pages axe looks only inside these (the
# project's templates and widgets), so a stock admin finding does not hide a new one of ours.
ADMIN_OWN_SELECTORS = [
    "[data-preview-url]",  # the article form's preview notice
    ".kb-preview",  # the live Markdown preview widget
    ".kb-compare",  # the revisions table and its compare form
    ".kb-diff-legend",
    ".kb-diff",  # the word-level revision diff
    ".kb-revert-confirm",  # the revert confirmation page
]


@dataclass
class Finding:
    step: str
    what: str

    def __str__(self) -> str:
        return f"[{self.step}] {self.what}"


@dataclass
class Journey:
    page: Page
    base_url: str
    shots: Path
    language: str
    size: str
    steps: int = 0
    problems: list[Finding] = field(default_factory=list)
    axe_report: list[dict] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)
    _current: str = "start"

    def __post_init__(self) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._problem(f"uncaught exception: {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)

    @property
    def chinese(self) -> bool:
        return self.language == "zh-hans"

    def t(self, message: str, **values) -> str:
        """An interface string as the person reads it: the project's own catalogue, in the journey's language."""
        with translation.override(self.language):
            text = translation.gettext(message)
        return text % values if values else text

    def open_menu(self) -> None:
        """Unfold the site menu (links, language, account), which folds behind the "Menu" toggle on a phone."""
        toggle = self.page.locator("[data-menu-toggle]")
        if toggle.is_visible():
            toggle.click()
            if toggle.get_attribute("aria-expanded") is not None:
                assert toggle.get_attribute("aria-expanded") == "true"

    def open_menu_link(self, name: str) -> None:
        """Follow a link of the site menu."""
        self.open_menu()
        self.page.locator("#site-menu").get_by_role("link", name=name).first.click()

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")

    def look(self, step: str, *, admin: bool = False) -> None:
        """Check the page as it is now, and keep a screenshot of it."""
        self._current = step
        self.page.wait_for_load_state("load")
        self.steps += 1
        name = f"{self.steps:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower()).strip('-')}.png"
        self.page.screenshot(path=str(self.shots / name), full_page=True)
        if not admin:
            self._check_overflow(step)
        self._check_accessibility(step, admin=admin)
        self._raise_problems()

    def allow_status(self, *statuses: int) -> None:
        """The next responses may have these statuses (a page that is meant to refuse)."""
        self.expected_statuses.update(statuses)

    def finish(self) -> None:
        self._raise_problems()

    # --- checks -------------------------------------------------------------------------------------------

    def _check_overflow(self, step: str) -> None:
        widths = self.page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, viewport: window.innerWidth,"
            " culprits: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed').slice(0, 5)"
            ".map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal"
            " === undefined ? '.' + String(e.className).trim().split(/\\s+/).join('.') : ''))})"
        )
        if widths["page"] > widths["viewport"]:
            self._problem(
                f"the page is {widths['page']} px wide in a {widths['viewport']} px viewport: {widths['culprits']}"
            )

    def _check_accessibility(self, step: str, *, admin: bool) -> None:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
        context = {"include": ADMIN_OWN_SELECTORS} if admin else None
        if admin and not self.page.locator(",".join(ADMIN_OWN_SELECTORS)).count():
            return
        # On admin pages axe's CSS preload (for css-orientation-lock) copies the admin's stylesheets into inline
        # <style> elements, which the site's CSP rightly blocks; the rule is about the project's own CSS anyway.
        options = {"resultTypes": ["violations"], "preload": not admin}
        violations = self.page.evaluate(
            "async ([context, options]) => (await axe.run(context || document, options)).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))",
            [context, options],
        )
        for violation in violations:
            self.axe_report.append({"step": step, "url": self.page.url, **violation})
            if violation["impact"] in BLOCKING_IMPACTS:
                self._problem(
                    f"axe {violation['impact']} {violation['id']} ({violation['help']}) at {violation['nodes'][:3]}"
                )

    # --- listeners ------------------------------------------------------------------------------------------

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        status = re.search(r"Failed to load resource: the server responded with a status of (\d+)", message.text)
        if status and int(status.group(1)) in self.expected_statuses:
            return
        self._problem(f"console error: {message.text}")

    def _on_request_failed(self, request: Request) -> None:
        failure = request.failure or ""
        # Leaving a page cancels its pending fetches (a suggestion asked for while typing, then Enter), and a
        # download handed to the browser's download manager reports as aborted: neither is a failure.
        if "ERR_ABORTED" in failure and request.resource_type in {"fetch", "xhr", "other"}:
            return
        self._problem(f"request failed: {request.method} {request.url} ({failure})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and response.status not in self.expected_statuses:
            self._problem(f"HTTP {response.status} for {response.request.method} {response.url}")

    def _problem(self, what: str) -> None:
        self.problems.append(Finding(self._current, what))

    def _raise_problems(self) -> None:
        if self.problems:
            found, self.problems = self.problems, []
            raise AssertionError("\n".join(str(problem) for problem in found))
        self.expected_statuses.clear()

    def axe_summary(self) -> str:
        return json.dumps(self.axe_report, ensure_ascii=False, indent=1)
