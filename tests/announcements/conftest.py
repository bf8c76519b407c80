import pytest

from kbportal.announcements import services
from kbportal.announcements.selectors import forget_banner


@pytest.fixture(autouse=True)
def _fresh_banner():
    """The banner's list lives in the cache, which outlives each test's rolled-back rows: start and end without it."""
    forget_banner()
    yield
    forget_banner()


@pytest.fixture
def publish(db):
    """Publish a notice through the service, with defaults a test can override."""

    def publish(**fields):
        fields.setdefault("title", "Sync delays for some EU customers")
        fields.setdefault("by", None)
        return services.notice_publish(**fields)

    return publish
