import pytest

from kbportal.announcements import services


@pytest.fixture
def publish(db):
    """Publish a notice through the service, with defaults a test can override."""

    def publish(**fields):
        fields.setdefault("title", "Sync delays for some EU customers")
        fields.setdefault("by", None)
        return services.notice_publish(**fields)

    return publish
