"""Roll up the content gaps of closed days (what beat's hourly job does), e.g. from cron on the embedded default."""

from datetime import UTC, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from kbportal.helpcenter.services import content_gap_rollup, content_gap_rollup_due


class Command(BaseCommand):
    help = "Roll up the content gaps of closed days: the days due, or --days N closed days again."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=0, help="Roll up the last N closed days again.")

    def handle(self, *args, days: int, **options):
        if days:
            today = timezone.now().astimezone(UTC).date()
            rows = content_gap_rollup(days=[today - timedelta(days=n) for n in range(1, days + 1)])
        else:
            rows = content_gap_rollup_due()
        self.stdout.write(f"{rows} content-gap rows written.")
