"""Outbox settings that would lose or double deliveries stop the process at start-up."""

import pytest

from kbportal.outbox.checks import outbox_settings


def test_the_shipped_settings_pass():
    assert outbox_settings() == []


@pytest.mark.parametrize(
    ("setting", "value", "error"),
    [
        ("KBPORTAL_OUTBOX_LEASE_SECONDS", 8, "outbox.E001"),
        ("EMAIL_TIMEOUT", 0, "outbox.E002"),
        ("KBPORTAL_READINESS_CHECKS", {"outbox": ("kbportal.outbox.health.Backlog", {"limit": 0})}, "outbox.E003"),
    ],
)
def test_a_setting_that_would_lose_or_double_deliveries_is_an_error(settings, setting, value, error):
    setattr(settings, setting, value)

    assert [message.id for message in outbox_settings()] == [error]
