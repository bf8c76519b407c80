import pytest

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory


@pytest.fixture
def agent1(db):
    return StaffFactory(username="agent-one", role=Role.AGENT_TIER_1)
