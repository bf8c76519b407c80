"""The help center: help sessions, "Did this solve it?", escalation to tier 1, withdrawal, content gaps, guest
access to a ticket. The report is the dashboard's self-service section (tests/analytics/test_self_service.py)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import ProductVersion
from kbportal import buffer
from kbportal.helpcenter import selectors as help_selectors
from kbportal.helpcenter import services as help_services
from kbportal.helpcenter import session as help_browser
from kbportal.helpcenter.guest import guest_token, ticket_from_guest_token
from kbportal.helpcenter.models import ContentGapDay, HelpEventKind, HelpOutcome, HelpSession, HelpSessionEvent, HelpVia
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory
from tests.queries import page_queries
from tests.tickets.factories import TicketFactory
from tickets import services
from tickets.models import Channel, EventKind, Status, Ticket, Tier
from tickets.surveys import survey_token

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
CANARY = "CANARY-INTERNAL-NOTE"


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Create content and run the index updates that wait for the commit (tests never commit)."""

    def make(factory, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return factory(**fields)

    return make


@pytest.fixture
def kb(indexed):
    """A small knowledge base about installing HelloWorld: two categories, versions, an article and a video."""
    setup, billing = CategoryFactory(name="Setup"), CategoryFactory(name="Billing")
    v41, v42 = ProductVersion.objects.create(name="4.1"), ProductVersion.objects.create(name="4.2")
    body = "Download the installer, then install HelloWorld and sign in."
    windows = indexed(ArticleFactory, title="Install HelloWorld on Windows", category=setup, body=body)
    mac = indexed(ArticleFactory, title="Install HelloWorld on macOS", category=setup, body=body)
    invoice = indexed(ArticleFactory, title="Install the invoice printer", category=billing)
    video = indexed(VideoFactory, title="Install HelloWorld in five minutes", category=setup)
    for item in (windows, mac):
        item.product_versions.set([v42])
    invoice.product_versions.set([v41])
    return {"setup": setup, "billing": billing, "v42": v42, "windows": windows, "mac": mac, "video": video}


def _search(client, query: str, **params):
    """Search as a browser does from the results page: its form carries the search visit's token (`hv`), which
    joins the visit's searches in one help session without a cookie. The page writes nothing; the search is
    written right after the response (kbportal/buffer.py), before the test client hands the response back."""
    visit = getattr(client, "help_visit", "")
    response = client.get(reverse("helpcenter:search"), {"q": query, **params, **({"hv": visit} if visit else {})})
    if response.context and response.context.get("visit"):
        client.help_visit, client.help_search_ref = response.context["visit"], response.context["search_ref"]
    return response


def _open(client, item, via: str = HelpVia.SEARCH):
    """Open a result as the last results page links it (`?hs=search&hq=<its search, signed>`)."""
    ref = getattr(client, "help_search_ref", "") if via == HelpVia.SEARCH else ""
    return client.get(f"{item.get_absolute_url()}?hs={via}" + (f"&hq={ref}" if ref else ""))


def _session(client) -> HelpSession:
    """The browser's latest help session: the one it remembers, or the one its search visit began since."""
    candidates = []
    if help_browser.SESSION_KEY in client.session:
        candidates.append(HelpSession.objects.get(pk=client.session[help_browser.SESSION_KEY]))
    if getattr(client, "help_visit", ""):
        candidates += HelpSession.objects.filter(visit_token=client.help_visit).order_by("-pk")[:1]
    return max(candidates, key=lambda session: session.pk)


def _contact_data(client, **overrides) -> dict:
    """The contact form as the browser would send it: its own prefilled values plus what the customer types.
    Reached as the results page links it (with the search visit), after a search."""
    visit = getattr(client, "help_visit", "")
    form = client.get(reverse("helpcenter:contact"), {"hv": visit} if visit else {}).context["form"]
    data = {name: form[name].value() for name in form.fields if name != "attachments"}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update({"description": "It stops at 80 % with error HW-2001.", "proposed_priority": 3})
    data.update(overrides)
    return data


# --- Help sessions ---------------------------------------------------------------------------------------


def test_a_search_starts_a_help_session_and_records_the_results_shown(client, kb):
    response = _search(client, "install windows")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Install HelloWorld on Windows" in page
    assert f"{kb['windows'].get_absolute_url()}?hs=search" in page
    assert "<mark>" in page  # the engine's snippet, highlighted and rendered as given
    assert "Still need help?" in page
    assert reverse("helpcenter:contact") in page
    session = _session(client)
    [search] = session.events.all()
    assert (search.kind, search.query, session.search_count) == (HelpEventKind.SEARCH, "install windows", 1)
    assert search.result_count == len(search.results) >= 1
    assert {
        "kind": "article",
        "id": kb["windows"].pk,
        "title": "Install HelloWorld on Windows",
        "url": kb["windows"].get_absolute_url(),
    } in search.results

    _search(client, "install mac")
    _search(client, "install mac")  # a reload adds nothing

    assert _session(client).pk == session.pk
    assert list(session.events.values_list("query", flat=True)) == ["install windows", "install mac"]


def test_the_search_page_filters_by_kind_and_keeps_filters_in_did_you_mean(client, kb):
    videos = _search(client, "install", kind="video").content.decode()
    misspelt = _search(client, "instal helloworld", kind="article").content.decode()

    assert "Install HelloWorld in five minutes" in videos
    assert "Install HelloWorld on Windows" not in videos
    assert "Did you mean" in misspelt
    assert re.search(r'href="\?[^"]*kind=article', misspelt)


def test_a_new_session_starts_after_an_idle_spell_and_after_a_verdict(client, kb):
    _search(client, "install")
    first = _session(client)
    HelpSession.objects.filter(pk=first.pk).update(last_activity_at=timezone.now() - timedelta(minutes=31))

    _search(client, "install")
    second = _session(client)
    help_services.help_session_resolve(session=second, helpful=True)
    _search(client, "install")

    assert len({first.pk, second.pk, _session(client).pk}) == 3


def test_opening_a_result_records_it_and_asks_whether_it_solved_the_problem(client, kb):
    _search(client, "install windows")
    url = kb["windows"].get_absolute_url()

    plain = client.get(url).content.decode()
    from_search = _open(client, kb["windows"]).content.decode()
    _open(client, kb["windows"])  # opened again: still one open
    video = _open(client, kb["video"]).content.decode()

    assert "Did this solve your problem?" not in plain
    assert "Did this solve your problem?" in from_search
    assert "No, I still need help" in from_search
    assert "Did this solve your problem?" in video
    opens = _session(client).events.filter(kind=HelpEventKind.OPEN)
    assert [(e.item_kind, e.item_title, e.via) for e in opens] == [
        ("article", "Install HelloWorld on Windows", HelpVia.SEARCH),
        ("video", "Install HelloWorld in five minutes", HelpVia.SEARCH),
    ]
    assert _session(client).open_count == 2


def test_staff_searches_do_not_count_as_help_sessions(client, kb, agent1):
    client.force_login(agent1)

    response = _search(client, "install windows")

    assert "Install HelloWorld on Windows" in response.content.decode()
    assert not HelpSession.objects.exists()


def test_a_result_link_without_a_help_session_shows_no_banner_and_records_nothing(client, kb):
    page = client.get(f"{kb['windows'].get_absolute_url()}?hs=search").content.decode()

    assert "Did this solve your problem?" not in page
    assert not HelpSession.objects.exists()


def test_a_result_opened_before_its_search_is_written_counts_the_search_once(client, kb):
    with buffer.held():  # Redis not drained yet: the search waits while the visitor opens a result
        _search(client, "install windows")
        _open(client, kb["windows"])
        assert HelpSession.objects.get().events.get(kind=HelpEventKind.SEARCH).result_count is None
    buffer.flush()

    session = _session(client)
    [search] = session.events.filter(kind=HelpEventKind.SEARCH)
    assert (search.query, search.result_count, session.search_count) == ("install windows", 4, 1)
    assert search.results[0]["title"] == "Install HelloWorld on Windows"
    assert session.events.filter(kind=HelpEventKind.OPEN).count() == 1


def test_a_forged_search_in_a_result_link_begins_nothing(client, kb):
    forged = signing.dumps({"v": "0" * 32, "q": "made up"}, salt="another purpose", compress=True)

    page = client.get(f"{kb['windows'].get_absolute_url()}?hs=search&hq={forged}").content.decode()

    assert "Did this solve your problem?" not in page
    assert not HelpSession.objects.exists()


def test_an_old_slug_keeps_the_help_parameter_through_the_redirect(client, kb):
    response = client.get(reverse("articles:article_short", args=[kb["windows"].pk]) + "?hs=search")

    assert response.status_code == 301
    assert response["Location"].endswith("?hs=search")


def test_yes_ends_the_session_as_deflected(client, kb):
    _search(client, "install windows")
    url = kb["windows"].get_absolute_url()
    _open(client, kb["windows"])

    response = client.post(
        reverse("helpcenter:help_answer"), {"answer": "yes", "kind": "article", "item": kb["windows"].pk, "next": url}
    )

    assert response.status_code == 302
    assert response["Location"] == url
    session = _session(client)
    assert session.outcome == HelpOutcome.DEFLECTED
    assert session.verdict_at is not None
    rating = session.events.get(kind=HelpEventKind.RATING)
    assert (rating.helpful, rating.item_title) == (True, "Install HelloWorld on Windows")


def test_the_answer_goes_back_to_this_site_only(client, kb):
    _search(client, "install")

    response = client.post(
        reverse("helpcenter:help_answer"),
        {"answer": "yes", "kind": "article", "item": kb["windows"].pk, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("helpcenter:search")


def test_no_leads_to_the_contact_form_prefilled_from_the_session(client, kb):
    _search(client, "install helloworld")
    _open(client, kb["windows"])

    response = client.post(
        reverse("helpcenter:help_answer"), {"answer": "no", "kind": "article", "item": kb["windows"].pk, "next": "/"}
    )
    form = client.get(response["Location"]).context["form"]

    assert response["Location"] == reverse("helpcenter:contact")
    assert form["subject"].value() == "install helloworld"
    assert form["category"].value() == kb["setup"].pk  # most of the top hits are about setup
    assert form["product_version"].value() == kb["v42"].pk  # and 4.2 clearly leads among their versions
    assert "email" in form.fields  # anonymous visitors give an address
    session = _session(client)
    assert session.outcome == HelpOutcome.OPEN
    assert session.events.filter(kind=HelpEventKind.RATING, helpful=False).exists()
    assert session.events.filter(kind=HelpEventKind.CONTACT_FORM).count() == 1


def test_the_version_is_left_to_the_customer_when_no_version_leads(kb, indexed):
    invoice = ArticleFactory(title="Printer", category=kb["billing"])
    invoice.product_versions.set([ProductVersion.objects.get(name="4.1")])
    unversioned = ArticleFactory(title="Plain", category=kb["billing"])

    tie = help_selectors.guess_topic(
        [{"kind": "article", "id": kb["windows"].pk}, {"kind": "article", "id": invoice.pk}]
    )
    none = help_selectors.guess_topic([{"kind": "article", "id": unversioned.pk}, {"kind": "question", "id": 1}])

    assert (tie.category_id, tie.product_version_id) == (kb["setup"].pk, None)  # a tie: the better-ranked hit
    assert (none.category_id, none.product_version_id) == (kb["billing"].pk, None)


def test_a_signed_in_customer_takes_over_the_session_started_before_signing_in(client, kb, customer):
    _search(client, "install")
    client.force_login(customer)
    _search(client, "install macos")

    assert _session(client).user == customer
    assert HelpSession.objects.count() == 1


# --- Escalation -------------------------------------------------------------------------------------------------


def test_the_session_trail_reaches_the_ticket_and_the_agent_sees_it(client, kb, customer, agent1):
    client.force_login(customer)
    _search(client, "install windows")
    _search(client, "bluetooth dongle pairing")
    _open(client, kb["windows"])
    client.post(reverse("articles:feedback", args=["article", kb["windows"].pk]), {"helpful": "no"})
    client.post(reverse("helpcenter:help_answer"), {"answer": "no", "kind": "article", "item": kb["windows"].pk})
    shown = [{"kind": "article", "id": kb["mac"].pk, "title": "Install HelloWorld on macOS", "url": "/x/"}]

    response = client.post(
        reverse("helpcenter:contact"),
        _contact_data(client, subject="Installer stops at 80 %", shown_suggestions=json.dumps(shown)),
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("helpcenter:contact_sent", args=[ticket.reference])
    assert (ticket.tier, ticket.channel, ticket.requester) == (Tier.TIER_1, Channel.SELF_SERVICE, customer)
    session = HelpSession.objects.get()
    assert (session.ticket, session.outcome) == (ticket, HelpOutcome.ESCALATED)
    assert session.events.filter(kind=HelpEventKind.SUGGESTIONS, via=HelpVia.CONTACT_FORM).get().results[0][
        "title"
    ] == ("Install HelloWorld on macOS")

    client.force_login(ticket.assignee or agent1)
    workspace = client.get(reverse("tickets:staff_detail", args=[ticket.reference])).content.decode()

    panel = workspace[workspace.index("What the customer tried") :]
    for expected in (
        "install windows",
        "bluetooth dongle pairing",
        "nothing found",
        "Opened",
        "Install HelloWorld on Windows",
        "Answered that it did not help",
        "Install HelloWorld on macOS",
        "Opened the contact form",
    ):
        assert expected in panel, expected


def test_a_ticket_without_a_help_session_shows_no_trail(client, customer, agent1):
    ticket = TicketFactory(requester=customer)
    client.force_login(agent1)

    page = client.get(reverse("tickets:staff_detail", args=[ticket.reference])).content.decode()

    assert "What the customer tried" not in page


def test_the_contact_form_keeps_what_was_typed_on_error(client, kb, customer):
    client.force_login(customer)
    _search(client, "install")
    data = _contact_data(client, subject="My own subject", description="", category=kb["billing"].pk)

    response = client.post(reverse("helpcenter:contact"), data)

    form = response.context["form"]
    assert response.status_code == 400
    assert form.errors["description"] == ["Describe the problem so we can help."]
    assert form["subject"].value() == "My own subject"
    assert str(form["category"].value()) == str(kb["billing"].pk)
    assert form["idempotency_key"].value() == data["idempotency_key"]
    assert not Ticket.objects.exists()
    assert _session(client).outcome == HelpOutcome.OPEN


def test_the_same_contact_form_submitted_twice_creates_one_ticket(client, kb, customer):
    client.force_login(customer)
    _search(client, "install windows")
    data = _contact_data(client, subject="Installer stops")

    first = client.post(reverse("helpcenter:contact"), data)
    second = client.post(reverse("helpcenter:contact"), data)

    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1
    assert list(HelpSession.objects.values_list("outcome", flat=True)) == [HelpOutcome.ESCALATED]
    assert _gaps()["install windows"]["escalated"] == 1


def test_a_stranger_repeating_someones_email_and_key_learns_nothing_and_closes_nothing(client, customer):
    api_ticket, _created = services.ticket_create(
        requester=customer, requester_email="", subject="Private matter", description="Details.",
        proposed_priority=3, channel="api", language="en", idempotency_key="1",
    )  # fmt: skip
    stranger = _contact_data(client, email=customer.email, subject="Anything", idempotency_key="1")

    response = client.post(reverse("helpcenter:contact"), stranger)

    assert response.status_code == 400
    assert "Private matter" not in response.content.decode()
    assert api_ticket.reference not in response.content.decode()
    assert client.get(reverse("helpcenter:contact_sent", args=[api_ticket.reference])).status_code == 404
    client.post(reverse("helpcenter:contact_withdraw", args=[api_ticket.reference]))
    api_ticket.refresh_from_db()
    assert api_ticket.status != Status.CLOSED


@pytest.mark.parametrize(
    "data",
    [{"answer": "yes", "kind": "article", "item": str(10**20)}, {"answer": "yes", "kind": "spaceship", "item": "1"}],
    ids=["huge-item", "unknown-kind"],
)
def test_a_malformed_did_this_solve_it_answer_is_ignored_without_an_error(client, kb, data):
    _search(client, "install windows")

    response = client.post(reverse("helpcenter:help_answer"), data)

    assert response.status_code == 302
    assert _session(client).outcome == HelpOutcome.OPEN


def test_deeply_nested_suggestion_telemetry_is_dropped_not_a_500(client, customer):
    client.force_login(customer)
    data = _contact_data(client, subject="Nested", shown_suggestions="[" * 4000 + "]" * 4000)

    response = client.post(reverse("helpcenter:contact"), data)

    assert response.status_code == 302
    assert Ticket.objects.count() == 1


def test_a_contact_form_without_a_search_still_carries_a_session(client, customer):
    client.force_login(customer)

    client.post(reverse("helpcenter:contact"), _contact_data(client, subject="Where is my invoice?"))

    session = HelpSession.objects.get()
    assert (session.ticket, session.outcome, session.user) == (Ticket.objects.get(), HelpOutcome.ESCALATED, customer)


def test_anonymous_escalation_gives_a_reference_and_a_working_secure_link(
    client, kb, agent1, mailoutbox, django_capture_on_commit_callbacks
):
    _search(client, "install windows")
    data = _contact_data(client, email="Visitor@Example.com", subject="Cannot install")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("helpcenter:contact"), data)
    sent = client.get(response["Location"]).content.decode()

    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.requester_email) == (None, "visitor@example.com")
    assert ticket.reference in sent
    link = re.search(r'href="(/tickets/guest/([^"/]+)/)"', sent)
    # The token is signed with a timestamp, so it is compared by what it opens, not by its text.
    assert ticket_from_guest_token(link.group(2))[1] == ticket
    link = link.group(1)
    mailed = [mail for mail in mailoutbox if ticket.reference in mail.subject + mail.body]
    tokens = re.findall(r"/tickets/guest/([^/\s]+)/", " ".join(mail.body for mail in mailed))
    assert any(ticket_from_guest_token(token)[1] == ticket for token in tokens)

    services.ticket_reply(ticket=ticket, author=agent1, body=f"{CANARY}: check their proxy.", internal=True)
    services.ticket_reply(ticket=ticket, author=agent1, body="Please try the offline installer.")
    stranger = Client()
    page = stranger.get(link)
    reply = stranger.post(link + "reply/", {"body": "The offline installer worked."})

    assert page.status_code == 200
    body = page.content.decode()
    assert "Cannot install" in body
    assert "Please try the offline installer." in body
    assert CANARY not in body
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"  # never to another site; "no-referrer" made Origin null
    assert reply.status_code == 302
    message = ticket.messages.get(body="The offline installer worked.")
    assert (message.author, message.from_staff, message.is_internal) == (None, False, False)


def test_anonymous_visitors_must_give_an_address(client, kb):
    response = client.post(reverse("helpcenter:contact"), _contact_data(client, subject="No address"))

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Give an e-mail address so we can answer you."]


def test_attachments_reach_the_ticket(client, customer):
    client.force_login(customer)
    data = _contact_data(client, subject="Screenshot attached")
    data["attachments"] = [SimpleUploadedFile("screen.png", PNG, content_type="image/png")]

    client.post(reverse("helpcenter:contact"), data)

    assert Ticket.objects.get().attachments.get().original_name == "screen.png"


# --- Guest access: an access-matrix check for the secure link --------------------------------------------------


@pytest.fixture
def guest_world(agent1):
    """Two requesters without accounts, each with a ticket carrying a public reply, an internal note and files."""
    world = {}
    for name in ("a", "b"):
        ticket, _created = services.ticket_create(
            requester=None, requester_email=f"guest-{name}@example.com", subject=f"Guest ticket {name.upper()}",
            description="Help", channel=Channel.SELF_SERVICE,
        )  # fmt: skip
        public = services.ticket_reply(
            ticket=ticket, author=agent1, body=f"PUBLIC-{name}",
            attachments=[SimpleUploadedFile(f"public-{name}.png", PNG, content_type="image/png")],
        )  # fmt: skip
        note = services.ticket_reply(
            ticket=ticket, author=agent1, body=f"{CANARY}-{name}", internal=True,
            attachments=[SimpleUploadedFile(f"{CANARY}-{name}.png", PNG, content_type="image/png")],
        )  # fmt: skip
        world[name] = {
            "ticket": ticket,
            "token": guest_token(ticket),
            "public_file": public.attachments.get().pk,
            "internal_file": note.attachments.get().pk,
        }
    return world


GUEST_ACCESS = """
token                  ticket_a   ticket_b
token_a                C          -
token_b                -          C
tampered_a             -          -
survey_token_a         -          -
plain_signed_a         -          -
"""


def _guest_tokens(world) -> dict[str, str]:
    a = world["a"]["token"]
    return {
        "token_a": a,
        "token_b": world["b"]["token"],
        "tampered_a": a[:-2] + ("AA" if not a.endswith("AA") else "BB"),
        "survey_token_a": survey_token(world["a"]["ticket"]),
        "plain_signed_a": signing.dumps({"t": world["a"]["ticket"].pk, "e": "x" * 20}),
    }


def test_a_guest_link_opens_only_its_own_ticket_and_never_internal_notes(guest_world):
    header, *rows = (line.split() for line in GUEST_ACCESS.strip().splitlines())
    tokens = _guest_tokens(guest_world)
    observed, expected = {}, {}
    for token_name, *cells in rows:
        page = Client().get(reverse("helpcenter:guest_ticket", args=[tokens[token_name]]))
        body = page.content.decode()
        assert CANARY not in body, token_name
        for column, cell in zip(header[1:], cells, strict=True):
            world = guest_world[column.removeprefix("ticket_")]
            subject = world["ticket"].subject
            public_file = Client().get(
                reverse("helpcenter:guest_attachment", args=[tokens[token_name], world["public_file"]])
            )
            internal_file = Client().get(
                reverse("helpcenter:guest_attachment", args=[tokens[token_name], world["internal_file"]])
            )
            observed[(token_name, column)] = (
                "C" if page.status_code == 200 and subject in body and public_file.status_code == 200 else "-"
            )
            expected[(token_name, column)] = cell
            assert internal_file.status_code == 404, (token_name, column)
            if cell == "-":
                assert page.status_code == 404 or subject not in body, (token_name, column)
                assert public_file.status_code == 404, (token_name, column)
    assert observed == expected


def test_a_guest_link_stops_working_when_it_expires_or_the_address_changes(guest_world, monkeypatch, settings):
    token = guest_world["a"]["token"]
    url = reverse("helpcenter:guest_ticket", args=[token])
    later = timezone.now() + timedelta(days=settings.KBPORTAL_GUEST_LINK_DAYS + 1)
    with monkeypatch.context() as patch:
        patch.setattr("django.core.signing.time.time", lambda: later.timestamp())
        expired = Client().get(url)
        expired_reply = Client().post(reverse("helpcenter:guest_reply", args=[token]), {"body": "Hello?"})

    Ticket.objects.filter(pk=guest_world["a"]["ticket"].pk).update(requester_email="someone.else@example.com")
    moved = Client().get(url)

    assert (expired.status_code, expired_reply.status_code) == (410, 410)
    assert "This link has expired" in expired.content.decode()
    assert moved.status_code == 404


def test_signed_in_pages_stay_closed_to_a_guest_link(guest_world):
    stranger = Client()

    response = stranger.get(reverse("tickets:detail", args=[guest_world["a"]["ticket"].reference]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- Withdrawal after submit -----------------------------------------------------------------------------------


def test_withdrawal_after_submit_closes_the_ticket_and_marks_the_session(client, kb, customer):
    client.force_login(customer)
    _search(client, "install windows")
    sent_url = client.post(
        reverse("helpcenter:contact"), _contact_data(client, subject="Install HelloWorld on Windows")
    )["Location"]
    ticket = Ticket.objects.get()

    sent = client.get(sent_url).content.decode()
    response = client.post(reverse("helpcenter:contact_withdraw", args=[ticket.reference]))

    assert "These may solve it — close my request?" in sent
    assert f"{kb['windows'].get_absolute_url()}?hs=after-submit" in sent
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    withdrawal = ticket.events.get(kind=EventKind.STATUS, actor=customer)
    assert withdrawal.values == {"from": "new", "to": "closed", "cause": "withdrawn"}
    assert withdrawal.reason == "Withdrawn by the customer: solved by an article"
    assert HelpSession.objects.get().outcome == HelpOutcome.WITHDRAWN
    again = client.post(reverse("helpcenter:contact_withdraw", args=[ticket.reference]), follow=True)
    assert "This request is already resolved or closed." in again.content.decode()


def test_the_suggestions_shown_after_submit_join_the_trail_once(client, kb, customer):
    client.force_login(customer)
    _search(client, "install windows")
    sent_url = client.post(
        reverse("helpcenter:contact"), _contact_data(client, subject="Install HelloWorld on Windows")
    )["Location"]

    client.get(sent_url)
    client.get(sent_url)

    shown = HelpSessionEvent.objects.get(kind=HelpEventKind.SUGGESTIONS, via=HelpVia.AFTER_SUBMIT)
    assert shown.session == HelpSession.objects.get()
    assert kb["windows"].title in [item["title"] for item in shown.results]


def test_an_article_opened_after_submit_offers_to_close_the_request(client, kb):
    _search(client, "install windows")
    client.post(
        reverse("helpcenter:contact"), _contact_data(client, email="v@example.com", subject="Install on Windows")
    )
    ticket = Ticket.objects.get()

    page = client.get(f"{kb['windows'].get_absolute_url()}?hs=after-submit").content.decode()
    client.post(reverse("helpcenter:contact_withdraw", args=[ticket.reference]))

    assert f"Yes, close my request {ticket.reference}" in page
    assert HelpSessionEvent.objects.filter(kind=HelpEventKind.OPEN, via=HelpVia.AFTER_SUBMIT).exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert HelpSession.objects.get().outcome == HelpOutcome.WITHDRAWN


def test_only_the_browser_that_sent_it_or_its_requester_may_withdraw(client, kb, customer):
    client.post(reverse("helpcenter:contact"), _contact_data(client, email="v@example.com", subject="Mine"))
    ticket = Ticket.objects.get()
    other = Client()
    other.force_login(customer)

    assert other.get(reverse("helpcenter:contact_sent", args=[ticket.reference])).status_code == 404
    assert other.post(reverse("helpcenter:contact_withdraw", args=[ticket.reference])).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


# --- Content gaps ----------------------------------------------------------------------------------------------


def _gaps() -> dict[str, dict]:
    searches = HelpSessionEvent.objects.filter(kind=HelpEventKind.SEARCH)
    return {row["normalised_query"]: row for row in help_selectors.content_gaps_of(searches)}


def test_zero_result_searches_and_escalated_sessions_are_counted_as_content_gaps(client, kb, customer):
    _search(client, "Quantum flux capacitor")
    _search(Client(), "  quantum   FLUX capacitor?")
    client.force_login(customer)
    _search(client, "install windows")
    client.post(reverse("helpcenter:contact"), _contact_data(client, subject="Install fails"))

    gaps = _gaps()
    assert (gaps["quantum flux capacitor"]["without_results"], gaps["quantum flux capacitor"]["escalated"]) == (2, 1)
    assert gaps["quantum flux capacitor"]["query"] == "quantum   FLUX capacitor?"  # the list shows the greatest
    assert (gaps["install windows"]["without_results"], gaps["install windows"]["escalated"]) == (0, 1)


# --- Query counts ------------------------------------------------------------------------------------------------


def test_the_search_page_costs_the_same_for_10_and_40_results(indexed, django_capture_on_commit_callbacks):
    counts = []
    for total in (10, 40):
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(total - (10 if counts else 0)):
                ArticleFactory(title=f"Install HelloWorld step {n}")
        browser = Client()
        # A new visitor's first search: the page itself writes nothing now (no browser session, no help session);
        # the buffer writes its record right after the response (the help session and its search), and the test
        # client runs that before it returns, so it is counted here too. Counted with every cache empty.
        first = page_queries(browser, reverse("helpcenter:search"), {"q": "install"}, warm=False)
        later = page_queries(browser, reverse("helpcenter:search"), {"q": "install helloworld"}, warm=False)
        shown = HelpSessionEvent.objects.filter(kind=HelpEventKind.SEARCH).order_by("pk").last().result_count
        counts.append((first, later))
        assert shown == min(total, 20)

    assert counts[0] == counts[1]


def test_the_staff_workspace_costs_the_same_for_a_short_and_a_long_trail(client, kb, customer, agent1):
    counts = []
    for searches in (2, 30):
        browser = Client()
        browser.force_login(customer)
        for n in range(searches):
            _search(browser, f"install {n}")
        _open(browser, kb["windows"])
        browser.post(reverse("helpcenter:contact"), _contact_data(browser, subject=f"Trail of {searches}"))
        ticket = Ticket.objects.get(subject=f"Trail of {searches}")
        Ticket.objects.filter(pk=ticket.pk).update(assignee=agent1)
        client.force_login(agent1)
        url = reverse("tickets:staff_detail", args=[ticket.reference])
        counts.append(page_queries(client, url))

    assert counts[0] == counts[1]


# --- Demo -------------------------------------------------------------------------------------------------------


def test_the_demo_fills_the_report_and_loads_again_without_duplicates():
    from kbportal.demo import accounts
    from kbportal.demo.deflection import load_demo_help_sessions

    accounts.load_demo_accounts()
    first = load_demo_help_sessions()
    snapshot = (HelpSession.objects.count(), HelpSessionEvent.objects.count(), Ticket.objects.count())
    second = load_demo_help_sessions()

    assert first >= 30
    assert second == 0
    assert (HelpSession.objects.count(), HelpSessionEvent.objects.count(), Ticket.objects.count()) == snapshot
    outcomes = set(HelpSession.objects.values_list("outcome", flat=True))
    assert outcomes == set(HelpOutcome.values)
    assert ContentGapDay.objects.filter(zero_result_count__gt=0).exists()  # the history's closed days, rolled up
