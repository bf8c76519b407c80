"""The markup a phone's layout stands on (issue 13, defect 3): the header folds its menu behind one toggle that
works without JavaScript, the work queue's rows carry the labels they show when stacked, a notice's kind can
give way to its title. The layout itself is checked in a browser (portal.css)."""

import re

import pytest
from django.urls import reverse

from community import member_selectors
from kbportal.accounts.roles import Role
from kbportal.announcements import services as announcements
from kbportal.announcements.models import Severity
from kbportal.announcements.selectors import forget_banner
from tests.accounts.factories import StaffFactory
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_the_header_folds_its_menu_behind_a_toggle_that_opens_it_without_javascript(client):
    html = client.get(reverse("articles:home")).content.decode()
    header = _header(html)

    toggle = re.search(r'<a class="menu-toggle" href="#site-menu" aria-controls="site-menu" data-menu-toggle>', header)
    assert toggle
    assert ">Menu</span>" in header[toggle.end() :]
    menu = header[header.index('<div class="site-menu" id="site-menu">') :]
    # Everything the header offers is inside the menu, in reading order, and the menu closes without a script.
    assert menu.index('<nav class="main-nav"') < menu.index('class="language-form"') < menu.index("Sign in")
    assert menu.index("Sign in") < menu.index('<a class="menu-close js-hidden" href="#">Close menu</a>')
    assert header.index("menu-toggle") < header.index('id="site-menu"')
    # The script that turns the link into a button with aria-expanded is a file of its own (no inline script).
    assert '<script src="/static/js/site-menu.js" defer></script>' in html


def test_the_menu_toggle_shows_the_unread_notices_that_the_folded_menu_hides(client, customer, monkeypatch):
    monkeypatch.setattr(member_selectors, "notification_unread_count_for_request", lambda request: 3)
    client.force_login(customer)

    header = _header(client.get(reverse("articles:home")).content.decode())
    toggle = header[header.index('<a class="menu-toggle"') : header.index('<div class="site-menu"')]

    assert '<span class="count-badge">3<span class="visually-hidden"> unread</span></span>' in toggle
    menu = header[header.index('<div class="site-menu"') :]
    assert '<span class="header-icon-text visually-hidden">Notifications</span>' in menu  # shown as text on a phone


def test_each_queue_row_labels_the_cells_that_have_no_heading_above_them_when_stacked(client, customer):
    agent = StaffFactory(username="agent-one", role=Role.AGENT_TIER_1)
    TicketFactory(requester=customer)
    client.force_login(agent)

    html = client.get(reverse("tickets:queue")).content.decode()
    row = html[html.index('<tr class="priority-') :]
    row = row[: row.index("</tr>")]

    for label in ("Tier", "Assignee", "Organisation"):
        assert f'<td><span class="queue-cell-label">{label}</span> ' in row


def test_a_notices_kind_is_its_own_part_of_the_label_so_a_phone_can_leave_it_out(client):
    forget_banner()
    announcements.notice_publish(title="Sync delays for some EU customers", severity=Severity.MAJOR, by=None)

    html = client.get(reverse("articles:home")).content.decode()

    kind = r'<span class="status-banner-kind"> · \w+</span>'
    assert re.search(rf'<span class="status-banner-label">Major{kind}</span>', html)
