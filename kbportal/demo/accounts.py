"""The demo accounts: one per staff role, customers with and without an organisation."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from kbportal.accounts.models import User
from kbportal.accounts.roles import Role
from tickets.models import Organisation, OrganisationMembership, Plan

DEMO_PASSWORD = "helloworld-demo"  # noqa: S105 - a published demo password that make run prints


@dataclass(frozen=True)
class DemoAccount:
    username: str
    email: str
    display_name: str
    role: Role | None = None
    organisation: str | None = None
    organisation_admin: bool = False
    superuser: bool = False

    @property
    def description(self) -> str:
        if self.superuser:
            return "superuser (everything)"
        if self.role:
            return str(self.role)
        if self.organisation:
            admin = ", organisation admin" if self.organisation_admin else ""
            return f"customer at {self.organisation}{admin}"
        return "customer without an organisation (Basic plan)"


ORGANISATIONS = [
    ("Acme Robotics", Plan.ENTERPRISE, "America/New_York"),
    ("Shanghai Lantern Studio", Plan.PROFESSIONAL, "Asia/Shanghai"),
    ("Nordwind Logistics", Plan.BASIC, "Europe/Berlin"),
]

ACCOUNTS = [
    DemoAccount("admin", "admin@helloworld.example", "Site Admin", superuser=True),
    DemoAccount("agent1", "agent1@helloworld.example", "Alex (Tier 1)", role=Role.AGENT_TIER_1),
    DemoAccount("agent2", "agent2@helloworld.example", "Bao (Tier 2)", role=Role.AGENT_TIER_2),
    DemoAccount("agent3", "agent3@helloworld.example", "Chidi (Tier 3)", role=Role.AGENT_TIER_3),
    DemoAccount("editor", "editor@helloworld.example", "Dana (Editor)", role=Role.CONTENT_EDITOR),
    DemoAccount("moderator", "moderator@helloworld.example", "Emil (Moderator)", role=Role.MODERATOR),
    DemoAccount("manager", "manager@helloworld.example", "Fang (Support manager)", role=Role.SUPPORT_MANAGER),
    DemoAccount("grace", "grace@acme.example", "Grace Hopper", organisation="Acme Robotics", organisation_admin=True),
    DemoAccount("henry", "henry@acme.example", "Henry Ford", organisation="Acme Robotics"),
    DemoAccount(
        "li.wei", "li.wei@lantern.example", "李伟", organisation="Shanghai Lantern Studio", organisation_admin=True
    ),
    DemoAccount("ines", "ines@nordwind.example", "Ines Berg", organisation="Nordwind Logistics"),
    DemoAccount("sam", "sam@example.com", "Sam Customer"),
]


@transaction.atomic
def load_demo_accounts() -> list[DemoAccount]:
    organisations = {}
    for name, plan, time_zone in ORGANISATIONS:
        organisation, _created = Organisation.objects.update_or_create(
            name=name, defaults={"plan": plan, "time_zone": time_zone}
        )
        organisations[name] = organisation
    for account in ACCOUNTS:
        user, _created = User.objects.update_or_create(
            username=account.username,
            defaults={
                "email": account.email,
                "display_name": account.display_name,
                "is_staff": account.superuser or account.role is not None,
                "is_superuser": account.superuser,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if account.role:
            user.groups.set([Group.objects.get(name=str(account.role))])
        if account.organisation:
            OrganisationMembership.objects.update_or_create(
                user=user,
                defaults={
                    "organisation": organisations[account.organisation],
                    "is_admin": account.organisation_admin,
                },
            )
    return ACCOUNTS
