"""What the replica tests share: which database each query of a request went to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.db import connections
from django.test.utils import CaptureQueriesContext

PRIMARY = "default"
REPLICA = "replica1"
BOTH = [PRIMARY, REPLICA]


class QueriesPerDatabase:
    def __init__(self, captures: dict[str, CaptureQueriesContext]) -> None:
        self._captures = captures

    def on(self, alias: str) -> list[str]:
        return [query["sql"] for query in self._captures[alias].captured_queries]

    def count(self, alias: str) -> int:
        return len(self._captures[alias].captured_queries)


@contextmanager
def queries_per_database(*aliases: str) -> Iterator[QueriesPerDatabase]:
    """Every query made inside the block, by the alias (connection) it ran on."""
    with ExitStack() as stack:
        captures = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in aliases or BOTH}
        yield QueriesPerDatabase(captures)
