"""The first search a fresh gunicorn worker answers, without and with the warm-up before forking.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kbp_stack .venv/bin/python bench/first_search.py

Needs a migrated database with content (e.g. the one `make stack` filled). Each round starts gunicorn with
one worker on a free port of 127.0.0.1, waits until the worker has booted (connecting only, so nothing warms
it), then times a first and a second request to /api/v1/search/ with the same query, and stops it:

- "before": `gunicorn kbportal.wsgi` without deploy/gunicorn.conf.py (no preload, no warm-up), as before;
- "after": `gunicorn -c deploy/gunicorn.conf.py kbportal.wsgi`, which preloads and calls warm_up().
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
QUERY = "license activation 许可证"  # English and Chinese: every part of the analysis
SETTLE_SECONDS = 4.0  # after the port opens, for a worker that loads the application after forking


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout:.0f} s")


def _get(port: int, query: str) -> float:
    url = f"http://127.0.0.1:{port}/api/v1/search/?q={urllib.parse.quote(query)}"
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200, response.status
        response.read()
    return time.perf_counter() - start


def _round(with_config: bool) -> tuple[float, float]:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kbportal.settings.local"),
        "DJANGO_DEBUG": "false",
        "KBPORTAL_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    config = ["-c", "deploy/gunicorn.conf.py"] if with_config else ["--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [GUNICORN, *config, "--workers", "1", "--no-control-socket", "kbportal.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port)
        time.sleep(SETTLE_SECONDS)
        return _get(port, QUERY), _get(port, QUERY)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    print(f"first and second search of a fresh worker, {rounds} rounds each (median)")
    for label, with_config in (("before (no warm-up)", False), ("after (warm-up before fork)", True)):
        timings = [_round(with_config) for _ in range(rounds)]
        first = statistics.median(t[0] for t in timings) * 1000
        second = statistics.median(t[1] for t in timings) * 1000
        print(f"{label:<30} first {first:7.0f} ms   second {second:5.0f} ms   ratio {first / second:5.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
