from django.core.management.base import BaseCommand

from kbportal.analytics.digest import digest_send


class Command(BaseCommand):
    help = "Mail last week's headline figures and top content gaps to every support manager."

    def handle(self, *args, **options) -> None:
        sent = digest_send()
        self.stdout.write(f"Sent the weekly digest to {sent} manager(s).")
