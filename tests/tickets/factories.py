import factory
from factory.django import DjangoModelFactory

from tests.accounts.factories import UserFactory
from tickets import services
from tickets.models import Organisation, OrganisationMembership, Plan, Ticket


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    plan = Plan.PROFESSIONAL
    time_zone = "Europe/Berlin"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_admin = False


class TicketFactory(DjangoModelFactory):
    """A ticket opened through the service, so it has due times, events and an assignee when agents exist."""

    class Meta:
        model = Ticket

    requester = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Problem number {n}")
    description = "The desktop app **crashes** when I open a workspace."
    proposed_priority = 3

    @classmethod
    def _create(cls, model_class, *args, requester=None, **kwargs):
        ticket, _created = services.ticket_create(requester=requester, requester_email=requester.email, **kwargs)
        return ticket
