"""Fault injection on the real stack: does the site lose anything when its dependencies fail?

    .venv/bin/python bench/fault_run.py                 # all six faults, about 7 minutes
    .venv/bin/python bench/fault_run.py --faults none   # no fault: checks the counting itself
    .venv/bin/python bench/fault_run.py --faults 1,3 --quick

Starts, on 127.0.0.1 only: two Redis servers (cache and sessions; Celery broker), a fresh PostgreSQL
database on the server at 127.0.0.1:5432 (dropped again at the end), migrations, the demo, gunicorn with two
workers, a Celery worker and beat, and an in-process SMTP sink. Real HTTP traffic runs the whole time
(reads, tickets by form and API, customer and staff replies, articles published in the admin, votes)
while the faults are injected one after another:

    1 SMTP refuses connections      2 SMTP accepts and never answers    3 the cache Redis stopped
    4 the Celery worker SIGKILLed   5 the broker Redis stopped while articles are published
    6 a gunicorn worker SIGKILLed in the middle of a request

Then it waits (at most --catch-up seconds) for the mails and index updates still on their way, and prints
per fault window: requests and responses by status, 500s on reads, writes that succeeded, were refused
with 503, failed, or were lost (answered 2xx/3xx with no effect), mails expected against those the sink
received (duplicates by Message-ID and by recipient and subject), articles published against those the
search API finds, and votes cast against votes counted. Exit status 0 only with no read answered 500 or
not at all, no write ending with a 500 or no answer, no lost or duplicated write, no lost or duplicated
mail, no unfindable article and no lost vote; 1 when a check fails, 2 when the stack did not start.
The table and a JSON summary go to --results (bench/results/ by default, not committed).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from faults import checks
from faults.injector import Injector
from faults.smtp_sink import SmtpSink
from faults.stack import ROOT, Stack, StackError, free_port, wait_until
from faults.traffic import PASSWORD, Recorder, Site, Traffic
from faults.web import TRANSPORT_ERRORS, Client

ACCOUNTS = {
    "editor": ("faultrun-editor", "Content editor"),
    "agent": ("faultrun-agent", "Agent tier 1"),
    "customer": ("faultrun-customer", ""),
}
CREATE_ACCOUNTS = """
from django.contrib.auth.models import Group
from kbportal.accounts.models import User
for username, role in {accounts!r}:
    user = User.objects.create_user(username=username, email=username + "@example.test", password={password!r})
    if role:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=role))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", default="1,2,3,4,5,6", help='comma-separated fault numbers, or "none"')
    parser.add_argument("--quick", action="store_true", help="shorter fault windows, for development")
    parser.add_argument("--catch-up", type=float, default=None, help="seconds to wait for late mail and indexing")
    parser.add_argument("--budget", type=float, default=480, help="seconds for the whole run (faults are skipped)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="where reports go")
    parser.add_argument("--keep-database", action="store_true", help="leave the database for a post-mortem")
    args = parser.parse_args(argv)
    args.fault_numbers = [] if args.faults == "none" else [int(part) for part in args.faults.split(",") if part]
    if any(number not in range(1, 7) for number in args.fault_numbers):
        parser.error("faults are numbered 1 to 6")
    if args.catch_up is None:
        args.catch_up = 30 if args.quick else 60
    return args


# --- Starting the stack -------------------------------------------------------------------------------------


def start_stack(stack: Stack) -> None:
    step("Redis for cache and sessions, Redis for the broker")
    stack.start_redis("redis-cache")
    stack.start_redis("redis-broker")
    step(f"database {stack.database} (fresh), migrate, demo, accounts, static files")
    stack.create_database()
    stack.manage(["migrate", "--noinput"], ["collectstatic", "--noinput"])
    accounts = [(username, role) for username, role in ACCOUNTS.values()]
    stack.manage(["load_demo"], ["shell", "-c", CREATE_ACCOUNTS.format(accounts=accounts, password=PASSWORD)])
    step("gunicorn (2 workers), Celery worker, Celery beat")
    started = time.monotonic()
    stack.start_web()
    stack.start_worker()
    stack.start_beat()
    stack.timings["web ready"] = wait_until(lambda: ready(stack), timeout=90, what="gunicorn", interval=0.5)
    for name in ("gunicorn", "worker", "beat"):
        stack.expect_running(name)
    stack.timings["processes started"] = time.monotonic() - started


def ready(stack: Stack) -> bool:
    """/health/ready when the site has it, else the home page."""
    stack.expect_running("gunicorn")
    client = Client(stack.web_port, timeout=10)
    try:
        health = client.get("/health/ready")
    except TRANSPORT_ERRORS:
        return False
    if health.status != 404:
        return health.status == 200
    return client.get("/").status == 200


def site_under_test(stack: Stack) -> Site:
    with stack.connect() as db:
        rows = db.execute(
            "SELECT id, slug FROM articles_article WHERE status = 'published' AND language = 'en' "
            "AND (publish_at IS NULL OR publish_at <= now()) ORDER BY id LIMIT 24"
        ).fetchall()
        category = db.execute("SELECT id FROM articles_category ORDER BY id LIMIT 1").fetchone()
    if len(rows) < 4 or category is None:
        raise StackError("the demo has fewer than 4 published articles: load_demo did not load them")
    paths = [(pk, f"/articles/{pk}/{slug}/") for pk, slug in rows]
    return Site(
        port=stack.web_port,
        articles=[path for _pk, path in paths],
        vote_articles=paths[:4],
        customer_token=api_token(stack, ACCOUNTS["customer"][0]),
        agent=(ACCOUNTS["agent"][0], PASSWORD),
        editor=(ACCOUNTS["editor"][0], PASSWORD),
        category_id=category[0],
    )


def api_token(stack: Stack, username: str) -> str:
    client = Client(stack.web_port)
    data = {"username": username, "password": PASSWORD, "name": "fault run"}
    response = client.post_json("/api/v1/auth/token/", data)
    if response.status != 201:
        raise StackError(f"no API token for {username}: {response.status} {response.text[:300]}")
    return response.json()["token"]


def database_now(stack: Stack):
    with stack.connect() as db:
        return db.execute("SELECT now()").fetchone()[0]


# --- Reporting ------------------------------------------------------------------------------------------------


def step(text: str) -> None:
    print(f"- {text}", flush=True)


def table(headers: list[str], rows: list[list]) -> str:
    cells = [headers, *[[_cell(value) for value in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append(
            "  ".join(value.ljust(widths[i]) if i < 2 else value.rjust(widths[i]) for i, value in enumerate(row))
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def report(figures: dict[str, checks.WindowFigures], extra: dict) -> str:
    rows = list(figures.values())
    status_names = ["2xx", "3xx", "4xx", "500", "502", "503", "504", "no answer"]
    requests = table(
        ["window", "fault", "requests", *status_names, "read 500s", "reads failed", "slowest read s"],
        [
            [
                r.label,
                r.name,
                r.requests,
                *[r.statuses[s] for s in status_names],
                r.read_500,
                r.read_failed,
                r.slowest_read,
            ]
            for r in rows
        ],
    )
    writes = table(
        ["window", "fault", "writes", *checks.WRITE_CLASSES, "500 or no answer"],
        [
            [r.label, r.name, sum(r.writes.values()), *[r.writes[c] for c in checks.WRITE_CLASSES], r.writes_500]
            for r in rows
        ],
    )
    effects = table(
        ["window", "fault", "mails exp.", "delivered", "missing", "dup.", "articles", "findable", "slowest s",
         "votes cast", "counted"],
        [[r.label, r.name, r.mails_expected, r.mails_delivered, r.mails_missing, r.mails_duplicated,
          r.articles_published, r.articles_findable, r.slowest_findable, r.votes_cast, r.votes_counted] for r in rows],
    )  # fmt: skip
    notes = "\n".join(f"  {key}: {value}" for key, value in extra.items())
    return f"Requests and responses\n{requests}\n\nWrites\n{writes}\n\nSide effects\n{effects}\n\n{notes}\n"


def verdict(total: checks.WindowFigures, extra: dict) -> list[str]:
    problems = []
    if total.read_500:
        problems.append(f"{total.read_500} read(s) answered 500")
    if total.read_failed:
        problems.append(f"{total.read_failed} read(s) got no answer, or a 502/504")
    if total.writes_500:
        problems.append(f"{total.writes_500} write(s) ended with a 500 or no answer (not success, not a clear 503)")
    if total.writes["lost"]:
        problems.append(f"{total.writes['lost']} write(s) lost (answered 2xx/3xx, no effect)")
    if total.writes["duplicated"]:
        problems.append(f"{total.writes['duplicated']} write(s) took effect more than once")
    if total.mails_missing:
        problems.append(f"{total.mails_missing} mail(s) never delivered")
    if total.mails_duplicated or extra["duplicate Message-IDs"]:
        problems.append(f"{total.mails_duplicated} duplicate mail(s), {extra['duplicate Message-IDs']} by Message-ID")
    if total.articles_published != total.articles_findable:
        problems.append(f"{total.articles_published - total.articles_findable} published article(s) not findable")
    if total.votes_cast != total.votes_counted or extra["vote tallies moved"] != extra["vote rows added"]:
        problems.append(
            f"votes: {total.votes_cast} cast, {total.votes_counted} counted; tallies moved by "
            f"{extra['vote tallies moved']} for {extra['vote rows added']} rows"
        )
    if extra["harness errors"]:
        problems.append(f"{extra['harness errors']} harness error(s): see the output above")
    return problems


def save(results: Path, text: str, summary: dict, stack: Stack) -> Path:
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"fault_run-{stamp}.txt").write_text(text)
    (results / f"fault_run-{stamp}.json").write_text(json.dumps(summary, indent=2, default=str))
    logs = results / f"fault_run-{stamp}-logs"
    logs.mkdir(exist_ok=True)
    for log in stack.workdir.glob("*.log"):
        shutil.copy(log, logs / log.name)
    return results / f"fault_run-{stamp}.json"


# --- The run ------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, stack: Stack, sink: SmtpSink) -> int:
    begun = time.monotonic()
    try:
        start_stack(stack)
        site = site_under_test(stack)
    except (StackError, OSError) as error:
        print(f"\nfault run: the stack did not start: {error}", file=sys.stderr)
        return 2
    stack.timings["set-up"] = time.monotonic() - begun
    print(f"  set-up took {stack.timings['set-up']:.0f} s", flush=True)
    sink.clear()
    since = database_now(stack)
    tallies_before = checks.read_tallies(stack, [pk for pk, _path in site.vote_articles])

    recorder = Recorder()
    traffic = Traffic(site, recorder)
    watcher = checks.FindabilityWatcher(stack.web_port, recorder)
    injector = Injector(stack, sink, traffic, recorder, quick=args.quick)
    step(f"traffic on http://127.0.0.1:{stack.web_port}; faults: {args.fault_numbers or 'none'}")
    traffic.start()
    watcher.start()
    supervisor_stopping = threading.Event()
    stack.supervised.update({"worker", "beat"})
    threading.Thread(target=stack.supervise, args=(supervisor_stopping,), daemon=True).start()
    deadline = begun + args.budget - args.catch_up - 30
    baseline = 8 if args.quick else 10
    injector.run(args.fault_numbers, baseline=baseline if args.fault_numbers else 3 * baseline, deadline=deadline)
    traffic.finish()  # operations still running belong to the last window
    step(f"traffic stopped; catching up for at most {args.catch_up:.0f} s")
    vote_ids = [pk for pk, _path in site.vote_articles]
    waited, effects, mails = checks.catch_up(stack, sink, watcher, recorder, vote_ids, since, args.catch_up)
    watcher.stopping.set()
    supervisor_stopping.set()
    ops = recorder.snapshot()
    labels = [(window.label, window.name) for window in injector.windows]
    figures = checks.figures(ops, effects, mails, watcher, labels)
    tallies_after = checks.read_tallies(stack, vote_ids)
    extra = {
        "catch-up waited s": round(waited, 1),
        "duplicate Message-IDs": checks.duplicate_message_ids(sink),
        "vote tallies moved": sum(tallies_after.values()) - sum(tallies_before.values()),
        "vote rows added": effects.new_votes,
        "harness errors": sum(op.kind == "harness error" for op in ops),
        "reads sent again after no answer": sum(not op.write and op.attempts > 1 for op in ops),
        "writes sent again after no answer": sum(op.write and op.attempts > 1 for op in ops),
        "mails in the sink": len(sink.mails()),
        "run s": round(time.monotonic() - begun, 1),
        **{f"supervisor restart {n}": note for n, note in enumerate(stack.restarts, 1)},
        **{f"fault {w.label}": w.note for w in injector.windows if w.note},
        **{f"set-up {name} s": round(seconds, 1) for name, seconds in stack.timings.items()},
    }
    text = report(figures, extra)
    kinds = checks.kinds_by_status(ops)
    text += "\nBy operation\n" + table(
        ["operation", "", *sorted({s for c in kinds.values() for s in c})],
        [
            [kind, "", *[kinds[kind][s] for s in sorted({s for c in kinds.values() for s in c})]]
            for kind in sorted(kinds)
        ],
    )
    refused = [op for op in ops if op.kind.startswith("write publish") and op.detail]
    if refused:
        text += "\n\nAdmin refused some saves, e.g.: " + refused[0].detail
    problems = verdict(figures["total"], extra)
    text += "\n\n" + ("PASS: nothing lost" if not problems else "FAIL:\n  " + "\n  ".join(problems)) + "\n"
    print("\n" + text)
    summary = {
        "args": {key: str(value) for key, value in vars(args).items()},
        "windows": [asdict(window) for window in injector.windows],
        "figures": {label: {**asdict(row), "statuses": dict(row.statuses), "writes": dict(row.writes)}
                    for label, row in figures.items()},
        "extra": extra,
        "problems": problems,
        "article_seconds_to_findable": watcher.found,
        "mails_not_delivered": [asdict(mail) for mail in mails if mail.delivered < mail.expected][:200],
        "mails_duplicated": [asdict(mail) for mail in mails if mail.delivered > mail.expected][:200],
        "operations": [asdict(op) for op in ops],
    }  # fmt: skip
    path = save(args.results, text, summary, stack)
    print(f"report: {path}")
    return 0 if not problems else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="kbp-fault-run-"))
    sink = SmtpSink(free_port())
    stack = Stack(workdir=workdir, database=f"bench_faults_{os.getpid()}", smtp_port=sink.port)

    def clean_up() -> None:
        stack.stop()
        sink.stop()
        if not args.keep_database:
            with contextlib.suppress(Exception):
                stack.drop_database()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(clean_up)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    try:
        sink.set_mode("up")
        return run(args, stack, sink)
    except KeyboardInterrupt:
        print("\nfault run: interrupted; stopping what it started", file=sys.stderr)
        return 130
    finally:
        clean_up()
        atexit.unregister(clean_up)


if __name__ == "__main__":
    sys.exit(main())
