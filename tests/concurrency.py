"""Run the same work in many threads at once, each with its own database connection."""

import threading

from django.db import connection


def run_concurrently(count: int, work, threads: int | None = None) -> list[BaseException]:
    """Call work(n) for n in range(count) from `threads` threads (one per call by default) started together.

    Fewer threads than calls keep under PostgreSQL's 100 connections; each thread makes its calls in turn.
    """
    threads = min(threads or count, count)
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(first: int) -> None:
        try:
            barrier.wait()
            for n in range(first, count, threads):
                try:
                    work(n)
                except BaseException as error:  # collected and asserted on by the test
                    errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return errors
