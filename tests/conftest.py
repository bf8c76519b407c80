import pytest
from _pytest.nodeid import NodeId
from django.conf import settings

from kbportal.accounts.roles import Role
from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory
from tests.queries import forget_caches, one_rate_window


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def customer(db):
    return UserFactory(username="customer", email="customer@example.com")


@pytest.fixture
def editor(db):
    return StaffFactory(username="editor", role=Role.CONTENT_EDITOR)


@pytest.fixture
def manager(db):
    return StaffFactory(username="manager", role=Role.SUPPORT_MANAGER)


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """Tests read the Chinese interface, so the catalogue must be compiled (cheap when up to date)."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Chinese leaves its language active in the
    thread, and a test that calls a service directly would otherwise read its messages in Chinese."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches, whichever test ran before it on this worker: the Django cache
    outlives each test's rolled-back rows (another test's notice would stay in the banner for a minute), and
    the search engine keeps its vocabulary and synonyms per process."""
    forget_caches()


@pytest.fixture(autouse=True)
def _default_time_zone():
    """Each test starts in the site's own time zone: a request through the test client activates the viewer's
    zone in this thread, and the next test's own date arithmetic (a dashboard's default period) must not
    inherit it (after 16:00 UTC, Shanghai's "today" is already tomorrow)."""
    from django.utils import timezone

    timezone.deactivate()


@pytest.fixture(autouse=True)
def _one_rate_window():
    """Each test counts its rate limits in one window of the clock, however long it runs (tests.queries)."""
    with one_rate_window():
        yield


@pytest.fixture(autouse=True)
def _broker_reachable():
    """Each test starts with the outbox believing the broker reachable: a test that made it fail leaves
    the process's pause behind (kbportal.outbox.services.BROKER_PAUSE_SECONDS)."""
    from kbportal.outbox import services

    services._broker.down_until = 0.0
    yield
    services._broker.down_until = 0.0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Keep each `xdist_group` on one worker under `--dist loadgroup` (make test), so a module's shared
    fixture (the demo, the backup site, the access matrix's world) is built once.

    pytest-xdist 3.8 names an item's group by rewriting `item._nodeid`, which pytest 9.2 no longer reads
    (pytest-xdist issue 1386): the groups were silently spread over both workers. This names them in the
    structured id instead, and does nothing once xdist does it itself.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                 for mark in item.iter_markers("xdist_group")}  # fmt: skip
        suffix = f"@{'_'.join(sorted(names))}"
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)
