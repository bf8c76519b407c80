import time

from django.core.management.base import BaseCommand

from tickets.jobs import sla_check


class Command(BaseCommand):
    help = (
        "Warn assignees before SLA breaches, record breaches and notify managers, close old resolved tickets. "
        "Safe to run as often as you like; --every N repeats it every N seconds."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: run once).")

    def handle(self, *args, every: int, **options) -> None:
        while True:
            report = sla_check()
            if options["verbosity"] > 0:
                self.stdout.write(f"SLA check: {report}")
            if not every:
                return
            time.sleep(every)
