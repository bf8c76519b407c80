from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from kbportal.demo import accounts, announcements, community, content, deflection, history, tickets
from tickets.analytics_facts import fill_ticket_facts
from tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "Load the HelloWorld demo: accounts for every role, the knowledge base, videos, tickets, the community "
        "forum, service notices and 90 days of support history for the analytics dashboard. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        demo_accounts = accounts.load_demo_accounts()
        content.load_versions()
        categories = content.load_categories()
        report = content.load_articles()
        videos = content.load_videos()
        content.load_activity()
        # The demo's own ticket and forum e-mails would bury the account list: they are not sent.
        backend, settings.EMAIL_BACKEND = settings.EMAIL_BACKEND, "django.core.mail.backends.dummy.EmailBackend"
        last_ticket = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            new_tickets = tickets.load_demo_tickets()
            new_sessions = deflection.load_demo_help_sessions()
            new_threads = community.load_demo_forum()
            new_notices = announcements.load_demo_notices()
            last_story = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            past = history.load_demo_history()
        finally:
            settings.EMAIL_BACKEND = backend
        # Demo tickets are played now, then moved back in time: the analytics facts the services measured
        # are recomputed from the moved timestamps, pauses and events. The history's tickets are left out: it
        # generates their facts with their timestamps, as this would count them.
        stories = Ticket.objects.filter(pk__gt=last_ticket, pk__lte=last_story)
        fill_ticket_facts(pks=stories.values_list("pk", flat=True))
        self.stdout.write(
            f"Demo content: {categories} categories; articles: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected; {videos} videos; "
            f"{new_tickets} new demo tickets; {new_sessions} new demo help sessions; "
            f"{new_threads} new forum questions; {new_notices} new service notices; "
            f"history of the last {history.DAYS} days: {past}."
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {accounts.DEMO_PASSWORD})"))
        width = max(len(a.username) for a in demo_accounts)
        for account in demo_accounts:
            self.stdout.write(f"  {account.username:<{width}}  {account.email:<32}  {account.description}")
        self.stdout.write("")
        # The configured address (`make run PORT=…` sets it from the port it serves on), not a fixed one.
        sign_in, admin = (f"{settings.SITE_URL}{reverse(name)}" for name in ("accounts:login", "admin:index"))
        self.stdout.write(f"Sign in at {sign_in}  ·  staff admin: {admin}")
