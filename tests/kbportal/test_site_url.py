"""Absolute links: on pages they name the host the page was asked on; in e-mails, KBPORTAL_SITE_URL
(which `make run PORT=…` sets from the port it serves on); `load_demo` names the configured address (tested with
the demo, in test_demo.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOST = "support.test:8100"
CONFIGURED = "https://help.example.com"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "support.test"]
    settings.SITE_URL = CONFIGURED


def _contact(client) -> str:
    """A visitor's request sent from support.test:8100; the address of the page shown after sending."""
    form = client.get(reverse("helpcenter:contact"), HTTP_HOST=HOST).context["form"]
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    data.pop("attachments", None)
    data.update(subject="Cannot install", description="Error HW-2001.", email="guest@example.com", proposed_priority=3)
    response = client.post(reverse("helpcenter:contact"), data, HTTP_HOST=HOST)
    assert response.status_code == 302
    return response["Location"]


def test_the_guest_link_on_the_page_names_the_host_the_page_was_asked_on(client):
    page = client.get(_contact(client), HTTP_HOST=HOST).content.decode()

    assert re.search(r">http://support\.test:8100/tickets/guest/[^<]+/</a>", page)
    assert CONFIGURED not in page
    assert "127.0.0.1:8000" not in page


def test_the_mailed_guest_link_names_the_configured_site(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _contact(client)

    body = " ".join(mail.body for mail in mailoutbox if "guest@example.com" in mail.to)
    assert f"{CONFIGURED}/tickets/guest/" in body
    assert "support.test" not in body


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("variables", "environment", "serves", "links"),
    [
        ([], {}, "127.0.0.1:8000", "http://127.0.0.1:8000"),
        (["PORT=8100"], {}, "127.0.0.1:8100", "http://127.0.0.1:8100"),
        (["PORT=8100"], {"KBPORTAL_SITE_URL": CONFIGURED}, "127.0.0.1:8100", CONFIGURED),
    ],
)
def test_make_run_serves_on_its_port_and_links_there_unless_told_otherwise(
    tmp_path, variables, environment, serves, links
):
    # A stand-in for the virtualenv's python: each command `make run` gives it prints the site address it sees.
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\necho "site=$KBPORTAL_SITE_URL $*"\n')
    fake.chmod(0o755)
    commands = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "--no-print-directory", "run", f"BIN={tmp_path}", "STAMP=", *variables],  # noqa: S607 - make from PATH
        cwd=Path(django_settings.BASE_DIR), env={"PATH": os.environ["PATH"], **environment},
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip

    seen = {line.split()[2]: line.split() for line in commands if line.startswith("site=")}
    assert seen["load_demo"][0] == f"site={links}"
    assert seen["runserver"] == [f"site={links}", "manage.py", "runserver", serves]


def test_the_favicon_browsers_ask_for_on_pages_without_an_icon_is_the_logo(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/logo.svg")
