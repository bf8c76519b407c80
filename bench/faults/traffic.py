"""Real HTTP traffic for the whole run: readers, visitors and customers opening tickets, replies, publishing, votes.

Every operation becomes one `Op`. A read that gets no answer is sent once more, as a proxy would; a write that
gets no answer (refused, reset, timed out: a killed worker) is sent again as a browser user would press the
button again: the same form (same CSRF and idempotency
tokens) or the same API request (same Idempotency-Key). Each write carries a unique word (`key`) by which
the checks find its effect in the database and its mail in the sink.
"""

from __future__ import annotations

import itertools
import random
import string
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from .web import TRANSPORT_ERRORS, Client, Response, form_with, path_of

PASSWORD = "fault-run-password-7c1e"
ENGLISH_QUERIES = ["sync", "password reset", "printer offline", "install update", "licence key", "backup restore"]
CHINESE_QUERIES = ["同步", "密码", "安装", "许可证", "备份恢复", "打印机离线"]
WRITE_RETRIES = 2
# A read cut off by a killed worker is sent once more, as a proxy does for an idempotent request (nginx's
# proxy_next_upstream) and a browser for a reset on a reused connection; the retry is counted in the report.
READ_RETRIES = 1


@dataclass
class Op:
    """One thing a user did, and what they saw."""

    kind: str
    write: bool
    window: str  # the fault window in force when the outcome arrived
    started: float
    seconds: float = 0.0
    status: int | None = None
    error: str = ""  # "refused", "reset", "timeout"… when no response came
    attempts: int = 1
    key: str = ""  # the unique word that finds a write's effect (ticket, reply, article) or the vote's session
    reference: str = ""  # HW-… when the response named it
    detail: str = ""
    accepted: bool = False  # the answer meant success (a form re-shown with its errors does not)

    @property
    def answered_ok(self) -> bool:
        return self.accepted


def word(n: int) -> str:
    """A unique lower-case word for n (letters only, so no analyzer splits it at digits)."""
    letters = ""
    n += 26 * 26  # at least three letters
    while n:
        n, digit = divmod(n, 26)
        letters = string.ascii_lowercase[digit] + letters
    return letters


def _error_name(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return "reset"
    return type(error).__name__


@dataclass
class Recorder:
    started: float = field(default_factory=time.monotonic)
    window: str = "baseline"
    ops: list[Op] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.started

    def run(
        self,
        kind: str,
        call: Callable[[], Response],
        *,
        write: bool = False,
        key: str = "",
        accept: Callable[[Response], bool] | None = None,
    ) -> Op:
        """Do `call`, record it; a write without a response is retried like a browser user would.

        `accept` says whether a response means success; without it, any 2xx or 3xx does."""
        op = Op(kind=kind, write=write, window=self.window, started=self.now(), key=key)
        attempts = 1 + (WRITE_RETRIES if write else READ_RETRIES)
        response = None
        for attempt in range(1, attempts + 1):
            op.attempts = attempt
            try:
                response = call()
            except TRANSPORT_ERRORS as error:
                op.error = _error_name(error)
                if attempt < attempts:
                    time.sleep(1.0)
                continue
            op.status, op.error = response.status, ""
            op.accepted = accept(response) if accept else 200 <= response.status < 400
            break
        op.seconds = self.now() - op.started
        op.window = self.window  # the window in force when the user saw the outcome
        with self.lock:
            self.ops.append(op)
        op.response = response  # for the caller only; not part of the record
        return op

    def harness_error(self, error: BaseException) -> None:
        """A bug of this harness, not of the site: recorded and printed, and it fails the run."""
        traceback.print_exception(error)
        op = Op(kind="harness error", write=False, window=self.window, started=self.now(), detail=repr(error)[:300])
        with self.lock:
            self.ops.append(op)

    def snapshot(self) -> list[Op]:
        with self.lock:
            return list(self.ops)


@dataclass
class Site:
    """What the traffic needs to know about the site under test."""

    port: int
    articles: list[str]  # paths of published articles to read
    vote_articles: list[tuple[int, str]]  # (id, path) of articles to vote on
    customer_token: str
    agent: tuple[str, str]  # username, password
    editor: tuple[str, str]
    category_id: int  # the admin's category field is an autocomplete: no options in the page


class Traffic:
    def __init__(self, site: Site, recorder: Recorder) -> None:
        self.site = site
        self.recorder = recorder
        self.stop = threading.Event()
        self.counter = itertools.count(1)
        self.counter_lock = threading.Lock()
        self.created: list[str] = []  # references of tickets made in this run, waiting for a staff reply
        self.api_tickets: list[str] = []  # the customer's tickets, for customer replies
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.staff = Client(site.port)
        self.editor = Client(site.port)
        self.publish_lock = threading.Lock()

    def next_number(self) -> int:
        with self.counter_lock:
            return next(self.counter)

    # --- Threads ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        loops = [
            ("reader-1", self.read_once, 0.2),
            ("reader-2", self.read_once, 0.3),
            ("ticket-form", self.ticket_by_form, 1.2),
            ("ticket-api", self.ticket_by_api_and_reply, 1.5),
            ("staff-reply", self.staff_reply_next, 1.5),
            ("publish", self.publish_article, 3.0),
            ("votes", self.vote_once, 0.8),
        ]
        for name, action, pause in loops:
            thread = threading.Thread(target=self._loop, args=(action, pause), name=name, daemon=True)
            self.threads.append(thread)
            thread.start()

    def _loop(self, action: Callable[[], object], pause: float) -> None:
        while not self.stop.is_set():
            try:
                action()
            except Exception as error:
                self.recorder.harness_error(error)
            self.stop.wait(pause * random.uniform(0.7, 1.3))

    def finish(self, timeout: float = 45.0) -> None:
        """Stop the traffic; a thread stuck in a request ends with its client timeout."""
        self.stop.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))

    # --- Reads ------------------------------------------------------------------------------------------------

    def read_once(self, client: Client | None = None) -> None:
        client = client or Client(self.site.port)
        query = random.choice(ENGLISH_QUERIES + CHINESE_QUERIES)
        choice = random.choice(["home", "article", "search-page", "search-api", "community"])
        path = {
            "home": "/",
            "article": random.choice(self.site.articles),
            "search-page": f"/search/?q={_quote(query)}",
            "search-api": f"/api/v1/search/?q={_quote(query)}",
            "community": "/community/",
        }[choice]
        self.recorder.run(f"read {choice}", lambda: client.get(path))

    # --- Tickets ----------------------------------------------------------------------------------------------

    def ticket_by_form(self, on_sent: Callable[[int], None] | None = None) -> Op | None:
        """A visitor without an account: the contact form, with its CSRF token and idempotency key."""
        n = self.next_number()
        key = f"zqt{word(n)}"
        client = Client(self.site.port)
        page = self.recorder.run("read contact-form", lambda: client.get("/contact/"))
        if page.status != 200:
            return None
        form = form_with(page.response.text, field_name="description")
        fields = form.filled(
            email=f"faultrun+{n}@example.test",
            subject=f"Sync stops after the update {key}",
            description=f"The desktop client stops syncing after the update. Reference word {key}.",
        )

        def send() -> Response:
            return client.request(
                "POST", "/contact/", body=_form_body(fields), headers=_form_headers(client), on_sent=on_sent
            )

        op = self.recorder.run("write ticket (contact form)", send, write=True, key=key, accept=_form_saved)
        if op.status == 302 and "/contact/sent/" in op.response.location:
            op.reference = path_of(op.response.location).rstrip("/").rsplit("/", 1)[-1]
            self._created(op.reference)
        return op

    def ticket_by_api_and_reply(self) -> None:
        op = self.ticket_by_api()
        with self.lock:
            earlier = self.api_tickets[-5:]
        if earlier:
            self.customer_reply(random.choice(earlier))
        if op is not None and op.reference:
            with self.lock:
                self.api_tickets.append(op.reference)

    def ticket_by_api(self, on_sent: Callable[[int], None] | None = None) -> Op:
        n = self.next_number()
        key = f"zqt{word(n)}"
        client = self._customer()
        data = {"subject": f"Export fails with an error {key}", "description": f"Exporting fails. Word {key}."}
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        op = self.recorder.run(
            "write ticket (API)",
            lambda: client.post_json("/api/v1/tickets/", data, headers=headers, on_sent=on_sent),
            write=True,
            key=key,
            accept=lambda response: response.status in (200, 201),
        )
        if op.status in (200, 201):
            op.reference = op.response.json().get("reference", "")
            self._created(op.reference)
        return op

    def customer_reply(self, reference: str) -> Op:
        key = f"zqc{word(self.next_number())}"
        client = self._customer()
        data = {"body": f"Still happening this morning. Word {key}."}
        return self.recorder.run(
            "write customer reply (API)",
            lambda: client.post_json(f"/api/v1/tickets/{reference}/messages/", data),
            write=True,
            key=key,
            accept=lambda response: response.status == 201,
        )

    def staff_reply_next(self) -> Op | None:
        """An agent answers the oldest ticket of this run not yet answered (one public reply per ticket)."""
        with self.lock:
            reference = self.created.pop(0) if self.created else None
        if reference is None:
            return None
        page_path = f"/staff/tickets/{reference}/"
        page = self._signed_in_page(self.staff, self.site.agent, page_path, "read staff ticket")
        if page is None:
            return None
        key = f"zqs{word(self.next_number())}"
        form = form_with(page.text, action_contains="/reply/")
        fields = form.filled(body=f"Thanks, we are looking at it. Word {key}.")
        op = self.recorder.run(
            "write staff reply (form)",
            lambda: self.staff.post_form(path_of(form.action) or f"{page_path}reply/", fields),
            write=True,
            key=key,
            accept=_form_saved,
        )
        op.reference = reference
        return op

    def _created(self, reference: str) -> None:
        if reference:
            with self.lock:
                self.created.append(reference)

    def _customer(self) -> Client:
        return Client(self.site.port, headers={"Authorization": f"Token {self.site.customer_token}"})

    # --- Staff sessions ----------------------------------------------------------------------------------------

    def _signed_in_page(self, client: Client, account: tuple[str, str], path: str, kind: str) -> Response | None:
        """GET a staff page, signing in first (again) when the session is gone. None if it did not load."""
        for _attempt in range(2):
            op = self.recorder.run(kind, lambda: client.get(path))
            if op.status == 200:
                return op.response
            if op.status == 302 and ("/sign-in/" in op.response.location or "/login/" in op.response.location):
                self.sign_in(client, account)
                continue
            return None
        return None

    def sign_in(self, client: Client, account: tuple[str, str]) -> Op | None:
        page = self.recorder.run("read sign-in", lambda: client.get("/accounts/sign-in/"))
        if page.status != 200:
            return None
        form = form_with(page.response.text, field_name="password")
        fields = form.filled(username=account[0], password=account[1])
        return self.recorder.run("sign in", lambda: client.post_form("/accounts/sign-in/", fields))

    # --- Articles -------------------------------------------------------------------------------------------------

    def publish_article(self) -> Op | None:
        """An editor writes a new article in the admin and saves it as published."""
        with self.publish_lock:  # one editor, one browser: one form at a time
            page = self._signed_in_page(
                self.editor, self.site.editor, "/admin/articles/article/add/", "read admin article form"
            )
            if page is None:
                return None
            n = self.next_number()
            key = f"zqfault{word(n)}"
            form = form_with(page.text, form_id="article_form")
            fields = form.filled(
                title=f"Fault run {key}: keeping sync alive",
                slug=key,
                summary=f"What to do when sync stops ({key}).",
                body=f"## Symptoms\n\nSync stops. The word is {key}.\n\n## Fix\n\nRestart the client.\n",
                language="en",
                status="published",
                category=form.value("category") or str(self.site.category_id),
                _save="Save",
            )
            op = self.recorder.run(
                "write publish article (admin)",
                lambda: self.editor.post_form("/admin/articles/article/add/", fields),
                write=True,
                key=key,
                accept=_form_saved,
            )
            if op.status == 200:
                op.detail = _form_errors(op.response.text)
            return op

    # --- Votes ------------------------------------------------------------------------------------------------------

    def vote_once(self) -> Op | None:
        """ "Was this helpful?" from a browser never seen before (votes are kept one per session)."""
        client = Client(self.site.port)
        article_id, path = random.choice(self.site.vote_articles)
        page = self.recorder.run("read article (to vote)", lambda: client.get(path))
        if page.status != 200:
            return None
        form = form_with(page.response.text, action_contains=f"/feedback/article/{article_id}/")
        fields = form.filled(helpful="yes")
        op = self.recorder.run(
            "write vote",
            lambda: client.post_form(path_of(form.action), fields, headers={"Accept": "application/json"}),
            write=True,
            accept=lambda response: response.status == 200,
        )
        op.key = client.cookies.get("sessionid", "")
        op.reference = str(article_id)
        return op


def _form_saved(response: Response) -> bool:
    """A form that was saved redirects (not to a sign-in page); one re-shown with errors answers 200."""
    return response.status in (302, 303) and not any(part in response.location for part in ("/sign-in/", "/login/"))


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _form_body(fields: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


def _form_headers(client: Client) -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded", "Origin": client.origin}


def _form_errors(html: str) -> str:
    """The admin's error list, shortened, when a save was refused."""
    import re

    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, flags=re.S)
    return " | ".join(re.sub(r"<[^>]+>", "", error).strip() for error in errors)[:300]
