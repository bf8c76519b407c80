"""Throughput under a real server, side by side with a bare Django "hello" under the same server.

    .venv/bin/python bench/web_throughput.py                  # about 8 minutes
    .venv/bin/python bench/web_throughput.py --seconds 3 --rounds 1 --pages home,article

Starts, on 127.0.0.1 only: a Redis for the cache, a fresh PostgreSQL database on the server at 127.0.0.1:5432
(dropped at the end), migrations, the demo and the static files; then gunicorn with the production settings and
deploy/gunicorn.conf.py (two workers), and beside it the same gunicorn serving bench/hello_site.py. wrk (Debian's
package) drives each page for --seconds, then the bare hello for as long, interleaved, --rounds times, in three
modes: anonymous with the server's page cache (the second request on is a stored copy), anonymous without it
(KBPORTAL_PAGE_CACHE_SECONDS=0: every request renders), and signed in (a customer's session cookie).

For each page and mode it prints requests per second, p50 and p99 latency, CPU milliseconds per request (user
+ system time of the gunicorn master and its workers, dead workers included, from /proc), and the ratio of the
page's throughput to the hello view's in the same round. The machine is shared: the ratios and the CPU per
request are the figures to compare between runs, not requests per second. JSON goes to --results.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from faults.stack import BIN, ROOT, Stack, StackError, free_port, port_open, wait_until

MODES = ("anonymous, cached", "anonymous, uncached", "signed in")
CONNECTIONS = 4
SIGNED_IN = """
from django.test import Client
from kbportal.accounts.models import User
client = Client()
client.force_login(User.objects.get(username="grace"))
print("SESSION=" + client.cookies["sessionid"].value)
"""
ADDRESSES = """
from articles.models import Article, Category, Video
article = Article.objects.published().filter(language="en").order_by("-view_count", "pk").first()
video = Video.objects.published().order_by("pk").first()
category = Category.objects.filter(parent=None).order_by("pk").first()
print("ARTICLE=" + article.get_absolute_url())
print("VIDEO=" + video.get_absolute_url())
print("CATEGORY=" + category.get_absolute_url())
"""


@dataclass
class Measure:
    page: str
    mode: str
    round: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    hello_requests_per_second: float
    hello_cpu_ms_per_request: float
    non_2xx: int

    @property
    def ratio(self) -> float:
        return self.requests_per_second / self.hello_requests_per_second if self.hello_requests_per_second else 0


class BenchStack(Stack):
    """The fault run's stack with settings of its own (the parent passes no KBPORTAL_ variable through)."""

    extra: dict[str, str]

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update(DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_LOG_LEVEL="WARNING", **self.extra)
        return env


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=4, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per page and mode")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--modes", default="", help="comma-separated mode numbers 1-3 (default: all)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--database", default=f"bench_web_{os.getpid()}", help="PostgreSQL database (made, dropped)")
    return parser.parse_args(argv)


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def shell_values(stack: Stack, code: str) -> dict[str, str]:
    output = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", code],
        cwd=ROOT, env=stack.env(), capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def pages(addresses: dict[str, str]) -> dict[str, str]:
    return {
        "home": "/",
        "category": addresses["CATEGORY"],
        "article": addresses["ARTICLE"],
        "video": addresses["VIDEO"],
        "search page": "/search/?q=reset+password",
        "api search": "/api/v1/search/?q=reset+password",
        "api articles": "/api/v1/articles/",
    }


# --- CPU of a gunicorn tree ------------------------------------------------------------------------------


def _ticks(pid: int, *, children_reaped: bool) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # utime stime cutime cstime are fields 14-17 of stat; after the ")" they are at 11-14.
        used = int(fields[11]) + int(fields[12])
        return used + (int(fields[13]) + int(fields[14]) if children_reaped else 0)
    return 0


def tree_cpu_seconds(master: int) -> float:
    """The master's time, its reaped workers' (restarted by max_requests) and its live workers'."""
    workers = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == master]
    ticks = _ticks(master, children_reaped=True) + sum(_ticks(pid, children_reaped=False) for pid in workers)
    return ticks / os.sysconf("SC_CLK_TCK")


def _parent(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return -1


# --- wrk ------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    non_2xx: int


def _ms(value: str) -> float:
    """wrk's latency: 812.00us, 3.41ms, 1.02s or 1.50m."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if found is None:
        return float("nan")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def drive(url: str, *, seconds: int, master: int, cookie: str = "") -> Run:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *headers, url]
    before = tree_cpu_seconds(master)
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    used = tree_cpu_seconds(master) - before
    if "requests in" not in output:
        raise StackError(f"wrk gave no figures for {url}:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Run(
        requests=requests,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(re.search(r"50%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        p99_ms=_ms(re.search(r"99%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        cpu_ms_per_request=1000 * used / requests if requests else 0.0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


# --- The run ----------------------------------------------------------------------------------------------------


def start_servers(stack: BenchStack, hello_port: int, *, page_cache: bool) -> None:
    stack.extra["KBPORTAL_PAGE_CACHE_SECONDS"] = "300" if page_cache else "0"
    for name in ("gunicorn", "hello"):
        if name in stack.children:
            stack.stop_child(name)
            stack.children.pop(name)
    stack.start_web()
    # deploy/gunicorn.conf.py's server settings, without its hooks (they load the portal).
    hello = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{hello_port}", "--workers", "2", "--worker-class", "gthread",
             "--threads", "2", "--keep-alive", "5", "--max-requests", "10000", "--max-requests-jitter", "1000",
             "--access-logfile", "-"]  # fmt: skip
    stack.start("hello", [*hello, "--pythonpath", str(ROOT / "bench"), "hello_site:application"])
    try:
        wait_until(
            lambda: port_open(stack.web_port) and port_open(hello_port), timeout=180, what="gunicorn", interval=1
        )
    except StackError as error:
        raise StackError(f"{error}\n{stack.log_tail('gunicorn')}\n{stack.log_tail('hello')}") from None


def measure(args: argparse.Namespace, stack: BenchStack) -> list[Measure]:
    hello_port = free_port()
    step("Redis, a fresh database, migrate, demo, static files")
    stack.start_redis("redis-cache")
    stack.start_redis("redis-broker")
    stack.create_database()
    stack.manage(["migrate", "--noinput"], ["collectstatic", "--noinput"], timeout=600)
    stack.manage(["load_demo"], timeout=900)
    cookie = f"sessionid={shell_values(stack, SIGNED_IN)['SESSION']}"
    chosen = pages(shell_values(stack, ADDRESSES))
    if args.pages:
        chosen = {name: chosen[name] for name in args.pages.split(",")}
    modes = [MODES[int(n) - 1] for n in args.modes.split(",")] if args.modes else list(MODES)
    results: list[Measure] = []
    for mode in modes:
        step(f"gunicorn ({mode}) and the hello project")
        start_servers(stack, hello_port, page_cache=mode != "anonymous, uncached")
        master, hello_master = stack.children["gunicorn"].pid, stack.children["hello"].pid
        base = f"http://127.0.0.1:{stack.web_port}"
        for name, path in chosen.items():
            # Warm: every worker has loaded what the page needs (and the cache holds the page, where it may).
            drive(base + path, seconds=1, master=master, cookie=cookie if mode == "signed in" else "")
            for number in range(1, args.rounds + 1):
                hello = drive(f"http://127.0.0.1:{hello_port}/", seconds=args.seconds, master=hello_master)
                run = drive(base + path, seconds=args.seconds, master=master,
                            cookie=cookie if mode == "signed in" else "")  # fmt: skip
                results.append(
                    Measure(page=name, mode=mode, round=number, requests_per_second=run.requests_per_second,
                            p50_ms=run.p50_ms, p99_ms=run.p99_ms, cpu_ms_per_request=run.cpu_ms_per_request,
                            hello_requests_per_second=hello.requests_per_second,
                            hello_cpu_ms_per_request=hello.cpu_ms_per_request, non_2xx=run.non_2xx)
                )  # fmt: skip
                step(f"{mode:20} {name:13} {run.requests_per_second:8.1f}/s  {run.cpu_ms_per_request:6.2f} ms CPU  "
                     f"hello {hello.requests_per_second:8.1f}/s  ratio {results[-1].ratio:.2f}")  # fmt: skip
    return results


def report(results: list[Measure]) -> str:
    lines = [
        "| page | mode | req/s | p50 ms | p99 ms | CPU ms/req | hello req/s | hello CPU ms/req | ÷ hello | non-2xx |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys = dict.fromkeys((m.page, m.mode) for m in results)
    for page, mode in keys:
        rows = [m for m in results if (m.page, m.mode) == (page, mode)]

        def median(attribute: str, rows: list[Measure] = rows) -> float:
            return statistics.median(getattr(m, attribute) for m in rows)

        lines.append(
            f"| {page} | {mode} | {median('requests_per_second'):.0f} | {median('p50_ms'):.1f} | "
            f"{median('p99_ms'):.1f} | {median('cpu_ms_per_request'):.2f} | {median('hello_requests_per_second'):.0f} "
            f"| {median('hello_cpu_ms_per_request'):.2f} | {statistics.median(m.ratio for m in rows):.2f} | "
            f"{sum(m.non_2xx for m in rows)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("web_throughput: wrk is needed (apt-get install wrk)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="kbp-web-throughput-"))
    stack = BenchStack(workdir=workdir, database=args.database, smtp_port=free_port())
    stack.extra = {}

    def clean_up() -> None:
        stack.stop()
        with contextlib.suppress(Exception):
            stack.drop_database()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(clean_up)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    try:
        results = measure(args, stack)
    except StackError as error:
        print(f"web_throughput: {error}", file=sys.stderr)
        return 2
    finally:
        clean_up()
        atexit.unregister(clean_up)
    table = report(results)
    print(table)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (args.results / f"web-throughput-{stamp}.json").write_text(json.dumps([asdict(m) for m in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
