import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.importing import BATCH_SIZE, ImportReport, import_articles
from kbportal.accounts.models import User

PROGRESS_EVERY = 5000


class Command(BaseCommand):
    help = (
        "Import knowledge-base articles from a JSON Lines file, one article per line. "
        "Articles are matched by external_id, so running it again with the same file changes nothing. "
        "Bad lines are reported on stderr with their line number and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON Lines file (UTF-8), or - to read standard input.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every line and count what would change; write nothing."
        )
        parser.add_argument("--user", help="Username recorded as the author of the revisions the import keeps.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Lines per transaction (default %(default)s)."
        )

    def handle(self, *args, file: str, dry_run: bool, user: str | None, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        by = self._user(user)
        self.verbosity = options["verbosity"]
        self.shown_problems = 0
        self.next_progress = PROGRESS_EVERY
        with _source(file) as lines:
            report = import_articles(
                lines=lines, by=by, dry_run=dry_run, progress=self._progress, batch_size=batch_size
            )
        self._show_problems(report)
        if self.verbosity >= 1:
            self.stdout.write(self._summary(report))

    def _user(self, username: str | None) -> User | None:
        if username is None:
            return None
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}; give an existing username to --user.") from None

    def _progress(self, report: ImportReport) -> None:
        self._show_problems(report)
        if self.verbosity >= 1 and report.lines >= self.next_progress:
            self.next_progress = (report.lines // PROGRESS_EVERY + 1) * PROGRESS_EVERY
            rate = report.lines / max(report.seconds, 1e-6)
            self.stderr.write(f"{report.lines:,} lines read, {rate:,.0f} lines/s", style_func=lambda text: text)

    def _show_problems(self, report: ImportReport) -> None:
        for problem in report.problems[self.shown_problems :]:
            self.stderr.write(str(problem))
        self.shown_problems = len(report.problems)

    @staticmethod
    def _summary(report: ImportReport) -> str:
        counts = (
            f"{report.created:,} created, {report.updated:,} updated, "
            f"{report.unchanged:,} unchanged, {report.rejected:,} rejected"
        )
        timing = f"{report.lines:,} lines in {report.seconds:.1f} s"
        if report.dry_run:
            return f"Dry run, nothing was written ({timing}): would be {counts}."
        return f"Imported {timing}: {counts}."


def _source(file: str) -> AbstractContextManager[Iterable[bytes | str]]:
    """The file opened in binary, so a line that is not UTF-8 is rejected on its own; or standard input."""
    if file == "-":
        return nullcontext(getattr(sys.stdin, "buffer", sys.stdin))
    try:
        return open(file, "rb")
    except OSError as error:
        raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
