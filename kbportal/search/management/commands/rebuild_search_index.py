import time
from typing import Any

from django.core.management.base import BaseCommand

from kbportal.search.indexing import rebuild


class Command(BaseCommand):
    help = (
        "Index every findable article, video and forum post again, beside the live index, and swap when done: "
        "search stays complete while it runs."
    )

    def handle(self, *args: object, **options: Any) -> None:
        started = time.perf_counter()
        verbose = options["verbosity"] > 0

        def progress(kind: str, done: int, total: int) -> None:
            if verbose:
                self.stderr.write(f"\r{kind}: {done}/{total}", ending="")
                if done == total:
                    self.stderr.write("")

        counts = rebuild(progress=progress)
        if verbose:
            summary = ", ".join(f"{count} {kind}s" for kind, count in counts.items())
            self.stdout.write(f"Indexed {summary} in {time.perf_counter() - started:.1f} s.")
