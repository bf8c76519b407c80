from django.core.management.base import BaseCommand

from tickets.analytics_facts import fill_ticket_facts


class Command(BaseCommand):
    help = (
        "Recompute every ticket's analytics facts (first-response and resolution time, targets met, escalations, "
        "reopenings) from its timestamps, pauses and events. Run after editing SLA policies, calendars or "
        "holidays. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        changed = fill_ticket_facts()
        if options["verbosity"] > 0:
            self.stdout.write(f"Analytics facts recomputed: {changed} tickets changed.")
