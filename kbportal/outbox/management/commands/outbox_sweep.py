import time

from django.core.management.base import BaseCommand

from kbportal.outbox.services import backlog, sweep


class Command(BaseCommand):
    help = (
        "Hand over (on the embedded default: deliver) every outgoing mail and index update that is due and "
        "was not delivered. Celery beat does this at scale; without a broker run it with --every."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every this many seconds (0: once).")

    def handle(self, *args, every: int, **options):
        while True:
            handed = sweep()
            self.stdout.write(f"{handed} handed over, {backlog()} waiting")
            if not every:
                return
            time.sleep(every)
