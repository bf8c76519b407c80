import os
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.importing import export_articles
from articles.models import Article, Status
from kbportal.choices import Language


class Command(BaseCommand):
    help = (
        "Export knowledge-base articles as JSON Lines in the format import_kb reads. "
        "Articles without an external_id are written as kb-<id>; the database is not changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to write (UTF-8), or - for standard output.")
        parser.add_argument("--status", choices=Status.values, help="Only articles with this status.")
        parser.add_argument("--language", choices=Language.values, help="Only articles in this language.")

    def handle(self, *args, file: str, status: str | None, language: str | None, **options) -> None:
        articles = Article.objects.all()
        if status:
            articles = articles.filter(status=status)
        if language:
            articles = articles.filter(language=language)
        if file == "-":
            self.stdout.ending = ""
            try:
                count = export_articles(queryset=articles, out=self.stdout)
            except BrokenPipeError:
                # The reader stopped early (export_kb - | head): not an error. Point stdout at
                # /dev/null so that Python's final flush does not raise again.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return
        else:
            try:
                with open(file, "w", encoding="utf-8", newline="\n") as out:
                    count = export_articles(queryset=articles, out=out)
            except OSError as error:
                raise CommandError(f"Cannot write {file}: {error.strerror}.") from error
        if options["verbosity"] >= 1:
            # On stderr, so that standard output holds only the articles.
            self.stderr.write(f"Exported {count:,} articles.", style_func=lambda text: text)
