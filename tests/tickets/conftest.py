import pytest

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.tickets.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def agent1(db):
    return StaffFactory(username="agent-one", role=Role.AGENT_TIER_1)


@pytest.fixture
def agent2(db):
    return StaffFactory(username="agent-two", role=Role.AGENT_TIER_2)


@pytest.fixture
def enterprise_customer(db):
    organisation = OrganisationFactory(plan="enterprise", time_zone="UTC")
    return MembershipFactory(organisation=organisation, user=UserFactory(username="ent")).user
