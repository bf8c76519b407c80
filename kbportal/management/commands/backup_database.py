import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kbportal.backup.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Copy the database to a new file while the site runs: a SQLite database file, or on PostgreSQL a "
        "pg_dump archive for pg_restore. Uploaded files (the media directory) are not in it; back them up too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path, help="The file to write; it must not exist yet.")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            destination = backup_create(destination=options["destination"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = destination.stat().st_size / 1_000_000
        self.stdout.write(f"Wrote {destination} ({size:.1f} MB) in {time.perf_counter() - started:.1f} s.")
