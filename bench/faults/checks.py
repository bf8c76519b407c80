"""What the run checks, from outside the application: its database rows, the SMTP sink, the search API.

Mails are counted in the sink only, never from the application's own records: each ticket made in the run
(found in the database by its unique word) must reach its requester exactly once as "We received your
request", and each staff reply exactly once as "New reply from support".
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .smtp_sink import SmtpSink
from .stack import Stack
from .traffic import Op, Recorder
from .web import TRANSPORT_ERRORS, Client

CREATED_SUBJECT = "[{reference}] We received your request"
STAFF_REPLY_SUBJECT = "[{reference}] New reply from support"


def reference_of(pk: int) -> str:
    return f"HW-{pk:06d}"


# --- What the database holds -----------------------------------------------------------------------------------


@dataclass
class Effects:
    tickets: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # key -> [(id, requester_email)]
    messages: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)  # key -> [(ticket id, from staff)]
    articles: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # key -> [(id, status)]
    vote_sessions: set[str] = field(default_factory=set)
    tallies: dict[int, int] = field(default_factory=dict)  # article id -> helpful_count
    new_votes: int = 0  # feedback rows on the vote articles made since the start
    requesters: dict[int, str] = field(default_factory=dict)  # ticket id -> requester e-mail


def read_effects(stack: Stack, vote_articles: list[int], since) -> Effects:
    effects = Effects()
    with stack.connect() as db:
        for pk, email, subject in db.execute(
            "SELECT id, requester_email, subject FROM tickets_ticket WHERE subject ~ 'zqt[a-z]+'"
        ):
            effects.tickets.setdefault(_key(subject, "zqt"), []).append((pk, email.lower()))
            effects.requesters[pk] = email.lower()
        for ticket_id, body, from_staff in db.execute(
            "SELECT ticket_id, body, from_staff FROM tickets_message WHERE body ~ 'zq[cs][a-z]+' AND NOT is_internal"
        ):
            effects.messages.setdefault(_key(body, "zq[cs]"), []).append((ticket_id, from_staff))
        for ticket_id, email in db.execute(
            "SELECT id, requester_email FROM tickets_ticket WHERE id IN "
            "(SELECT ticket_id FROM tickets_message WHERE body ~ 'zqs[a-z]+')"
        ):
            effects.requesters[ticket_id] = email.lower()
        for pk, title, status in db.execute("SELECT id, title, status FROM articles_article WHERE title ~ 'zqfault'"):
            effects.articles.setdefault(_key(title, "zqfault"), []).append((pk, status))
        for (session_key,) in db.execute(
            "SELECT session_key FROM articles_feedback WHERE article_id = ANY(%s) AND created_at >= %s",
            (vote_articles, since),
        ):
            effects.vote_sessions.add(session_key)
        effects.new_votes = len(effects.vote_sessions)
        effects.tallies = dict(
            db.execute("SELECT id, helpful_count FROM articles_article WHERE id = ANY(%s)", (vote_articles,))
        )
    return effects


def read_tallies(stack: Stack, vote_articles: list[int]) -> dict[int, int]:
    with stack.connect() as db:
        return dict(db.execute("SELECT id, helpful_count FROM articles_article WHERE id = ANY(%s)", (vote_articles,)))


def _key(text: str, prefix: str) -> str:
    return re.search(rf"{prefix}[a-z]+", text).group(0)


# --- Mails -----------------------------------------------------------------------------------------------------------


@dataclass
class ExpectedMail:
    window: str
    kind: str
    recipient: str
    subject: str
    expected: int
    delivered: int = 0


def expected_mails(effects: Effects, ops_by_key: dict[str, Op]) -> list[ExpectedMail]:
    mails = []
    for key, rows in effects.tickets.items():
        window = ops_by_key[key].window if key in ops_by_key else "?"
        for pk, email in rows:
            subject = CREATED_SUBJECT.format(reference=reference_of(pk))
            mails.append(ExpectedMail(window, "ticket created", email, subject, 1))
    replies: Counter = Counter()
    windows: dict[int, str] = {}
    for key, rows in effects.messages.items():
        for ticket_id, from_staff in rows:
            if from_staff and key.startswith("zqs"):
                replies[ticket_id] += 1
                windows.setdefault(ticket_id, ops_by_key[key].window if key in ops_by_key else "?")
    for ticket_id, count in replies.items():
        subject = STAFF_REPLY_SUBJECT.format(reference=reference_of(ticket_id))
        mails.append(ExpectedMail(windows[ticket_id], "staff reply", effects.requesters[ticket_id], subject, count))
    return mails


def count_delivered(expected: list[ExpectedMail], sink: SmtpSink) -> None:
    seen = Counter((recipient, mail.subject) for mail in sink.mails() for recipient in mail.recipients)
    for mail in expected:
        mail.delivered = seen[(mail.recipient, mail.subject)]


def duplicate_message_ids(sink: SmtpSink) -> int:
    counts = Counter(mail.message_id for mail in sink.mails() if mail.message_id)
    return sum(count - 1 for count in counts.values() if count > 1)


# --- Articles in search ---------------------------------------------------------------------------------------------


class FindabilityWatcher(threading.Thread):
    """Asks the search API, every couple of seconds, for each article the run published and has not found yet."""

    def __init__(self, port: int, recorder: Recorder) -> None:
        super().__init__(daemon=True, name="findability")
        self.client = Client(port, timeout=10)
        self.recorder = recorder
        self.found: dict[str, float] = {}  # key -> seconds from the publish's answer to findable
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for op in self.recorder.snapshot():
                if op.kind.startswith("write publish") and op.key not in self.found and self._findable(op.key):
                    self.found[op.key] = self.recorder.now() - (op.started + op.seconds)
            self.stopping.wait(2.0)

    def _findable(self, key: str) -> bool:
        try:
            response = self.client.get(f"/api/v1/search/?q={key}&limit=5", headers={"Accept": "application/json"})
        except TRANSPORT_ERRORS:
            return False
        if response.status != 200:
            return False
        return any(key in hit.get("title", "") for hit in response.json().get("results", []))


def published_keys(effects: Effects) -> set[str]:
    return {key for key, rows in effects.articles.items() if any(status == "published" for _pk, status in rows)}


# --- The verdict ------------------------------------------------------------------------------------------------------

WRITE_CLASSES = ["ok", "503", "failed", "done despite error", "lost", "duplicated"]


def write_class(op: Op, effect_count: int) -> str:
    if op.answered_ok:
        if effect_count == 0:
            return "lost"
        return "duplicated" if effect_count > 1 else "ok"
    if effect_count > 0:
        return "done despite error"
    return "503" if op.status == 503 else "failed"


def effect_count(op: Op, effects: Effects) -> int:
    if op.kind.startswith("write ticket"):
        return len(effects.tickets.get(op.key, []))
    if "reply" in op.kind:
        return len(effects.messages.get(op.key, []))
    if op.kind.startswith("write publish"):
        return sum(1 for _pk, status in effects.articles.get(op.key, []) if status == "published")
    if op.kind == "write vote":
        return int(bool(op.key) and op.key in effects.vote_sessions)
    return 0


@dataclass
class WindowFigures:
    label: str
    name: str = ""
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    read_500: int = 0
    read_failed: int = 0  # reads with no response or another 5xx
    slowest_read: float = 0.0
    writes: Counter = field(default_factory=Counter)
    writes_500: int = 0  # writes whose last answer was a 500, or no answer at all: neither success nor a clear 503
    mails_expected: int = 0
    mails_delivered: int = 0
    mails_missing: int = 0
    mails_duplicated: int = 0
    articles_published: int = 0
    articles_findable: int = 0
    slowest_findable: float = 0.0
    votes_cast: int = 0
    votes_counted: int = 0


def status_bucket(op: Op) -> str:
    if op.status is None:
        return "no answer"
    if op.status in (500, 502, 503, 504):
        return str(op.status)
    return f"{op.status // 100}xx"


def figures(
    ops: list[Op], effects: Effects, mails: list[ExpectedMail], watcher: FindabilityWatcher, labels: list[tuple]
) -> dict[str, WindowFigures]:
    table = {label: WindowFigures(label, name) for label, name in labels}
    table["total"] = WindowFigures("total", "all windows")
    for op in ops:
        for row in (table.setdefault(op.window, WindowFigures(op.window)), table["total"]):
            _add_op(row, op, effects, watcher)
    for mail in mails:
        for row in (table.setdefault(mail.window, WindowFigures(mail.window)), table["total"]):
            row.mails_expected += mail.expected
            row.mails_delivered += min(mail.delivered, mail.expected)
            row.mails_missing += max(0, mail.expected - mail.delivered)
            row.mails_duplicated += max(0, mail.delivered - mail.expected)
    return table


def _add_op(row: WindowFigures, op: Op, effects: Effects, watcher: FindabilityWatcher) -> None:
    row.requests += op.attempts if op.write else 1
    row.statuses[status_bucket(op)] += 1
    if not op.write:
        row.slowest_read = max(row.slowest_read, op.seconds)
        row.read_500 += op.status == 500
        row.read_failed += op.status is None or (op.status >= 500 and op.status != 500)
        return
    count = effect_count(op, effects)
    row.writes[write_class(op, count)] += 1
    row.writes_500 += op.status in (500, None)
    if op.kind.startswith("write publish") and count:
        row.articles_published += 1
        if op.key in watcher.found:
            row.articles_findable += 1
            row.slowest_findable = max(row.slowest_findable, watcher.found[op.key])
    if op.kind == "write vote" and op.answered_ok:
        row.votes_cast += 1
        row.votes_counted += count


def ops_by_key(ops: list[Op]) -> dict[str, Op]:
    return {op.key: op for op in ops if op.write and op.key}


def kinds_by_status(ops: list[Op]) -> dict[str, Counter]:
    kinds: dict[str, Counter] = defaultdict(Counter)
    for op in ops:
        kinds[op.kind][status_bucket(op)] += 1
    return kinds


def catch_up(
    stack: Stack, sink: SmtpSink, watcher: FindabilityWatcher, recorder: Recorder, vote_articles, since, limit: float
) -> tuple[float, Effects, list[ExpectedMail]]:
    """Wait (at most `limit` seconds) until every expected mail is in the sink and every article is findable."""
    started = time.monotonic()
    while True:
        effects = read_effects(stack, vote_articles, since)
        mails = expected_mails(effects, ops_by_key(recorder.snapshot()))
        count_delivered(mails, sink)
        missing = sum(max(0, mail.expected - mail.delivered) for mail in mails)
        unfindable = published_keys(effects) - set(watcher.found)
        waited = time.monotonic() - started
        if (missing == 0 and not unfindable) or waited >= limit:
            return waited, effects, mails
        time.sleep(2.0)
