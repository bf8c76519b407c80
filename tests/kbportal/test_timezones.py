"""The reader's zone and how a time names it (kbportal/timezones.py)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from kbportal import timezones
from tests.tickets.factories import MembershipFactory, OrganisationFactory

MOMENT = datetime(2030, 11, 26, 7, 32, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        ("Europe/Berlin", "CET"),
        ("Asia/Shanghai", "CST"),
        ("UTC", "UTC"),
        ("Asia/Dubai", "UTC+4"),  # the database writes "+04"
        ("Asia/Kathmandu", "UTC+5:45"),
        ("America/Sao_Paulo", "UTC-3"),
    ],
)
def test_a_zone_is_named_by_its_abbreviation_or_else_its_offset(zone, name):
    assert timezones.zone_abbreviation(MOMENT.astimezone(ZoneInfo(zone))) == name


def test_an_e_mail_always_names_the_zone_a_page_only_when_it_is_not_the_reference():
    berlin = ZoneInfo("Europe/Berlin")
    with translation.override("en"):
        with timezones.override(berlin):
            mailed = timezones.moment_text(MOMENT)
        with timezones.override(berlin, reference=berlin):
            at_home = timezones.moment_text(MOMENT)

    assert mailed == "Nov. 26, 2030, 08:32 CET"
    assert at_home == "Nov. 26, 2030, 08:32"


@pytest.mark.django_db
def test_sign_in_keeps_the_readers_stored_zone_in_the_session(client):
    member = MembershipFactory(organisation=OrganisationFactory(time_zone="Asia/Shanghai")).user

    client.force_login(member)

    assert client.session[timezones.SESSION_KEY] == "Asia/Shanghai"


@pytest.mark.django_db
def test_an_unknown_cookie_zone_falls_back_to_the_stored_zone(client):
    member = MembershipFactory(organisation=OrganisationFactory(time_zone="Asia/Shanghai")).user
    client.force_login(member)
    client.cookies["tz"] = "Mars/Olympus_Mons"

    client.get("/")

    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
