"""Who may reach which ticket, through every page, API endpoint and download: one table, checked cell by cell.

The organisations have the primary keys 1, 2 and 12, so a check that matched "1" as a substring of "12"
would let organisation 1's admin into organisation 12. Every ticket carries an internal note, an internal
file and staff-only event reasons marked with a canary; a canary reaching anyone who does not work the
ticket fails the cell it appeared in.

The world is built once per module inside a transaction that is rolled back at the end; each test runs in
a savepoint of it (pytest-django's ``db``), so the writes a test makes are undone before the next one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponseBase
from django.urls import reverse

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.tickets.factories import MembershipFactory, OrganisationFactory, TicketFactory
from tickets import services
from tickets.models import Message, Priority, Ticket, Tier

# The module's world is built once, on one worker.
pytestmark = pytest.mark.xdist_group("access-matrix")

PNG = b"\x89PNG\r\n\x1a\n"
CANARY = "CANARY-INTERNAL"
CANARY_TOKEN = re.compile(rb"CANARY-INTERNAL-[A-Z]+-HW-\d+")
REFERENCE = re.compile(r"HW-\d{6,}")

# --- The expected access ----------------------------------------------------------------------
#
#   -  nothing: the ticket does not exist for this caller (404, or the sign-in page for anonymous)
#   C  the customer's view: the ticket, its public conversation and public files; never internal notes
#   W  works it: the staff workspace, internal notes and their files, staff-only event reasons, staff actions

ACCESS_TABLE = """
caller                ticket_org1   ticket_org1_other   ticket_org12   ticket_org2
anonymous             -             -                   -              -
customer_org1         C             -                   -              -
customer_org1_other   -             C                   -              -
admin_org1            C             C                   -              -
customer_org2         -             -                   -              C
customer_org12        -             -                   C              -
agent_t1              W             -                   -              W
agent_t2              -             W                   -              -
agent_t3              -             -                   W              -
editor                -             -                   -              -
moderator             -             -                   -              -
manager               W             W                   W              W
"""


def _parse_access(table: str) -> dict[str, dict[str, str]]:
    header, *rows = (line.split() for line in table.strip().splitlines())
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


ACCESS = _parse_access(ACCESS_TABLE)


@dataclass(frozen=True)
class CallerSpec:
    kind: str  # "anonymous", "customer", "desk" (works tickets) or "staff" (staff without the support desk)
    organisation: int | None = None
    org_admin: bool = False
    role: Role | None = None


CALLERS = {
    "anonymous": CallerSpec("anonymous"),
    "customer_org1": CallerSpec("customer", organisation=1),
    "customer_org1_other": CallerSpec("customer", organisation=1),
    "admin_org1": CallerSpec("customer", organisation=1, org_admin=True),
    "customer_org2": CallerSpec("customer", organisation=2),
    "customer_org12": CallerSpec("customer", organisation=12),
    "agent_t1": CallerSpec("desk", role=Role.AGENT_TIER_1),
    "agent_t2": CallerSpec("desk", role=Role.AGENT_TIER_2),
    "agent_t3": CallerSpec("desk", role=Role.AGENT_TIER_3),
    "editor": CallerSpec("staff", role=Role.CONTENT_EDITOR),
    "moderator": CallerSpec("staff", role=Role.MODERATOR),
    "manager": CallerSpec("desk", role=Role.SUPPORT_MANAGER),
}


@dataclass(frozen=True)
class TicketSpec:
    requester: str
    organisation: int
    tier: Tier


TICKETS = {
    "ticket_org1": TicketSpec("customer_org1", 1, Tier.TIER_1),
    "ticket_org1_other": TicketSpec("customer_org1_other", 1, Tier.TIER_2),
    "ticket_org12": TicketSpec("customer_org12", 12, Tier.TIER_3),
    "ticket_org2": TicketSpec("customer_org2", 2, Tier.TIER_1),
}

assert set(ACCESS) == set(CALLERS), "every caller has a row in ACCESS_TABLE"
assert all(set(row) == set(TICKETS) for row in ACCESS.values()), "every ticket has a column in ACCESS_TABLE"


def sees(caller: str, ticket: str) -> bool:
    return ACCESS[caller][ticket] != "-"


def works(caller: str, ticket: str) -> bool:
    return ACCESS[caller][ticket] == "W"


# --- The world ------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    tickets: dict[str, Ticket]
    public_file: dict[str, int]  # ticket name -> attachment id on the public staff reply
    internal_file: dict[str, int]  # ticket name -> attachment id on the internal note
    internal_bytes: dict[str, bytes]


def _png(name: str, payload: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG + payload, content_type="image/png")


def _canaries(ref: str) -> dict[str, str]:
    return {kind: f"{CANARY}-{kind}-{ref}" for kind in ("NOTE", "FILE", "BYTES", "REASON", "ESCALATION")}


def _build_world() -> World:
    organisations = {pk: OrganisationFactory(pk=pk, name=f"Matrix organisation {pk}") for pk in (1, 2, 12)}
    users: dict = {"anonymous": None}
    for name, spec in CALLERS.items():
        if spec.kind == "customer":
            users[name] = UserFactory(username=f"matrix-{name}")
            MembershipFactory(user=users[name], organisation=organisations[spec.organisation], is_admin=spec.org_admin)
        elif spec.role is not None:
            users[name] = StaffFactory(username=f"matrix-{name}", role=spec.role)
    manager = users["manager"]

    tickets, public_file, internal_file, internal_bytes = {}, {}, {}, {}
    for name, spec in TICKETS.items():
        ticket = TicketFactory(requester=users[spec.requester], subject=f"Matrix {name}")
        ref = ticket.reference
        canary = _canaries(ref)
        if spec.tier != Tier.TIER_1:
            services.ticket_escalate(ticket=ticket, to_tier=spec.tier, reason=canary["ESCALATION"], by=manager)
        agent = users[f"agent_t{spec.tier}"]
        reply = services.ticket_reply(
            ticket=ticket, author=agent, body=f"PUBLIC-REPLY-{ref}", attachments=[_png(f"public-{ref}.png", b"public")]
        )
        internal_bytes[name] = PNG + canary["BYTES"].encode()
        note = services.ticket_reply(
            ticket=ticket,
            author=agent,
            body=f"{canary['NOTE']}: the customer's licence server is misconfigured.",
            internal=True,
            attachments=[_png(f"{canary['FILE']}.png", canary["BYTES"].encode())],
        )
        services.ticket_set_priority(ticket=ticket, priority=Priority.P2, by=agent, reason=canary["REASON"])
        # Automatic assignment may be switched off; the assign cell needs an assignee to take away.
        services.ticket_assign(ticket=ticket, assignee=agent, by=manager)
        tickets[name] = Ticket.objects.get(pk=ticket.pk)
        public_file[name] = reply.attachments.get().pk
        internal_file[name] = note.attachments.get().pk

    for name, spec in TICKETS.items():
        ticket = tickets[name]
        assert (ticket.organisation_id, ticket.tier) == (spec.organisation, spec.tier), name
        assert ticket.assignee == users[f"agent_t{spec.tier}"], name
    return World(users, tickets, public_file, internal_file, internal_bytes)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def as_caller(db, client, world):
    def sign_in(caller: str):
        if world.users[caller] is not None:
            client.force_login(world.users[caller])
        return client

    return sign_in


# --- Observing -----------------------------------------------------------------------------------


def outcome(response: HttpResponseBase) -> str:
    """A status code, or where a redirect goes ("→sign-in", "→ticket", "→workspace")."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return str(response.status_code)
    path = urlsplit(response["Location"]).path
    if path == reverse("accounts:login"):
        return "→sign-in"
    if re.fullmatch(r"/staff/tickets/HW-\d+/", path):
        return "→workspace"
    if re.fullmatch(r"/tickets/HW-\d+/", path):
        return "→ticket"
    return f"→{path}"


# The brief allows either answer when a customer reaches a staff page: 403, or the sign-in page.
CUSTOMER_TURNED_AWAY = "403 or →sign-in"


def staff_page_outcome(caller: str, response: HttpResponseBase) -> str:
    label = outcome(response)
    if CALLERS[caller].kind == "customer" and label in ("403", "→sign-in"):
        return CUSTOMER_TURNED_AWAY
    return label


def body_of(response: HttpResponseBase) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class Recorder:
    """A client that keeps every response body, to search them all for canaries afterwards."""

    def __init__(self, client):
        self.client = client
        self.bodies: list[bytes] = []

    def _keep(self, response: HttpResponseBase) -> tuple[HttpResponseBase, bytes]:
        body = body_of(response)
        self.bodies.append(body)
        return response, body

    def get(self, url: str):
        return self._keep(self.client.get(url))

    def post(self, url: str, data=None, *, as_json: bool = False):
        if as_json:
            return self._keep(self.client.post(url, json.dumps(data), content_type="application/json"))
        return self._keep(self.client.post(url, data or {}))

    def patch(self, url: str, data):
        return self._keep(self.client.patch(url, json.dumps(data), content_type="application/json"))

    def leaked(self, allowed: set[bytes]) -> list[str]:
        """Canaries found that the caller may not read; a bare marker that is not a whole token counts too."""
        found = set()
        for body in self.bodies:
            found |= set(CANARY_TOKEN.findall(body))
            if body.count(CANARY.encode()) > len(CANARY_TOKEN.findall(body)):
                found.add(b"(unparsed " + CANARY.encode() + b")")
        return sorted(token.decode() for token in found - allowed)


def allowed_canaries(world: World, caller: str, ticket_names) -> set[bytes]:
    return {
        token.encode()
        for name in ticket_names
        if works(caller, name)
        for token in _canaries(world.tickets[name].reference).values()
    }


def _with_change(label: str, changed: bool, what: str) -> str:
    return f"{label}, {what}" if changed else label


# --- Expected cells ----------------------------------------------------------------------------


def expected_cell(caller: str, name: str) -> dict:
    kind = CALLERS[caller].kind
    anonymous, can_see, can_work = kind == "anonymous", sees(caller, name), works(caller, name)
    page_denied = "→sign-in" if anonymous else "404"
    api_denied = "403" if anonymous else "404"
    # Staff-only API actions refuse non-desk callers before looking the ticket up.
    staff_api = "403" if kind != "desk" else ("200" if can_work else "404")
    # The staff pages: desk staff who do not see the ticket get 404; the rest are turned away.
    staff_page = {"anonymous": "→sign-in", "customer": CUSTOMER_TURNED_AWAY, "staff": "403"}.get(kind)
    if kind == "desk":
        staff_page = "200" if can_work else "404"

    return {
        "GET /tickets/<ref>/": "→workspace 200" if can_work else ("200" if can_see else page_denied),
        "  shows the public reply": can_see,
        "  shows the internal note": can_work,
        "GET /staff/tickets/<ref>/": staff_page,
        "  workspace shows the internal note and its file": can_work,
        "GET /api/v1/tickets/<ref>/": "200" if can_see else api_denied,
        "GET /api/v1/tickets/<ref>/messages/": "200" if can_see else api_denied,
        "  API messages show the public reply": can_see,
        "  API messages show the internal note": can_work,
        "GET /api/v1/tickets/<ref>/events/": "200" if can_see else api_denied,
        "  API events show staff-only reasons": can_work,
        "GET public attachment": "200 file" if can_see else page_denied,
        "GET internal-note attachment": "200 file" if can_work else page_denied,
        "POST /tickets/<ref>/reply/": "→ticket, message added" if can_see else page_denied,
        "POST /staff/tickets/<ref>/reply/ (internal)": "→workspace, message added" if can_work else staff_page,
        "POST /api/v1/tickets/<ref>/messages/": "201, message added" if can_see else api_denied,
        "POST /api/v1/tickets/<ref>/messages/ (internal)": (
            "201, message added" if can_work else ("403" if can_see else api_denied)
        ),
        "POST /api/v1/tickets/<ref>/attachments/": "201, message added" if can_see else api_denied,
        "PATCH /api/v1/tickets/<ref>/ (priority)": _with_change(staff_api, can_work, "priority changed"),
        "POST /api/v1/tickets/<ref>/assign/": _with_change(staff_api, can_work, "assignee changed"),
        "POST /api/v1/tickets/<ref>/resolve/": _with_change("200" if can_see else api_denied, can_see, "resolved"),
        "POST /api/v1/tickets/<ref>/escalate/": _with_change(staff_api, can_work, "tier changed"),
        "canaries leaked": [],
    }


def observe_cell(client, world: World, caller: str, name: str) -> dict:
    ticket = world.tickets[name]
    ref = ticket.reference
    canary = _canaries(ref)
    http = Recorder(client)
    seen: dict = {}

    response, body = http.get(f"/tickets/{ref}/")
    label = outcome(response)
    if label == "→workspace":
        response, body = http.get(response["Location"])
        label = f"{label} {outcome(response)}"
    seen["GET /tickets/<ref>/"] = label
    seen["  shows the public reply"] = f"PUBLIC-REPLY-{ref}".encode() in body
    seen["  shows the internal note"] = canary["NOTE"].encode() in body

    response, body = http.get(f"/staff/tickets/{ref}/")
    seen["GET /staff/tickets/<ref>/"] = staff_page_outcome(caller, response)
    seen["  workspace shows the internal note and its file"] = (
        response.status_code == 200 and canary["NOTE"].encode() in body and canary["FILE"].encode() in body
    )

    response, _body = http.get(f"/api/v1/tickets/{ref}/")
    seen["GET /api/v1/tickets/<ref>/"] = outcome(response)

    response, body = http.get(f"/api/v1/tickets/{ref}/messages/")
    seen["GET /api/v1/tickets/<ref>/messages/"] = outcome(response)
    seen["  API messages show the public reply"] = f"PUBLIC-REPLY-{ref}".encode() in body
    seen["  API messages show the internal note"] = canary["NOTE"].encode() in body and canary["FILE"].encode() in body

    response, body = http.get(f"/api/v1/tickets/{ref}/events/")
    seen["GET /api/v1/tickets/<ref>/events/"] = outcome(response)
    seen["  API events show staff-only reasons"] = canary["REASON"].encode() in body

    response, body = http.get(f"/tickets/{ref}/attachments/{world.public_file[name]}/")
    seen["GET public attachment"] = outcome(response) + (" file" if body == PNG + b"public" else "")
    response, body = http.get(f"/tickets/{ref}/attachments/{world.internal_file[name]}/")
    seen["GET internal-note attachment"] = outcome(response) + (" file" if body == world.internal_bytes[name] else "")

    def write(key: str, send, read, what: str, label=outcome) -> None:
        """Send one write and record its outcome, and whether the state it targets changed."""
        before = read()
        response, _body = send()
        seen[key] = _with_change(label(response), read() != before, what)

    def messages() -> int:
        return Message.objects.filter(ticket_id=ticket.pk).count()

    def field(attribute: str):
        return lambda: getattr(Ticket.objects.get(pk=ticket.pk), attribute)

    api = f"/api/v1/tickets/{ref}"
    added = "message added"
    write(
        "POST /tickets/<ref>/reply/",
        lambda: http.post(f"/tickets/{ref}/reply/", {"body": f"Reply by {caller}"}),
        messages,
        added,
    )
    write(
        "POST /staff/tickets/<ref>/reply/ (internal)",
        lambda: http.post(f"/staff/tickets/{ref}/reply/", {"body": f"Note by {caller}", "internal": "on"}),
        messages,
        added,
        label=lambda response: staff_page_outcome(caller, response),
    )
    write(
        "POST /api/v1/tickets/<ref>/messages/",
        lambda: http.post(f"{api}/messages/", {"body": f"API reply by {caller}"}, as_json=True),
        messages,
        added,
    )
    write(
        "POST /api/v1/tickets/<ref>/messages/ (internal)",
        lambda: http.post(f"{api}/messages/", {"body": f"API note by {caller}", "internal": True}, as_json=True),
        messages,
        added,
    )
    write(
        "POST /api/v1/tickets/<ref>/attachments/",
        lambda: http.post(f"{api}/attachments/", {"file": _png("upload.png", b"upload")}),
        messages,
        added,
    )
    # The ticket-changing actions last, escalation the very last: afterwards the caller may no longer see it.
    write(
        "PATCH /api/v1/tickets/<ref>/ (priority)",
        lambda: http.patch(f"{api}/", {"priority": Priority.P1, "reason": "Matrix"}),
        field("priority"),
        "priority changed",
    )
    write(
        "POST /api/v1/tickets/<ref>/assign/",
        lambda: http.post(f"{api}/assign/", {"assignee": None, "reason": "Matrix"}, as_json=True),
        field("assignee_id"),
        "assignee changed",
    )
    write("POST /api/v1/tickets/<ref>/resolve/", lambda: http.post(f"{api}/resolve/"), field("status"), "resolved")
    to_tier = ticket.tier % 3 + 1
    write(
        "POST /api/v1/tickets/<ref>/escalate/",
        lambda: http.post(f"{api}/escalate/", {"to_tier": to_tier, "reason": "Matrix"}, as_json=True),
        field("tier"),
        "tier changed",
    )

    seen["canaries leaked"] = http.leaked(allowed_canaries(world, caller, [name]))
    return seen


CELLS = [pytest.param(caller, name, id=f"{caller}-{name}") for caller in CALLERS for name in TICKETS]


@pytest.mark.parametrize(("caller", "name"), CELLS)
def test_ticket_access_cell(as_caller, world, caller, name):
    client = as_caller(caller)

    assert observe_cell(client, world, caller, name) == expected_cell(caller, name)


# --- Lists ---------------------------------------------------------------------------------------


def expected_lists(caller: str) -> dict:
    spec = CALLERS[caller]
    visible = {name for name in TICKETS if sees(caller, name)}
    mine = {name for name in visible if TICKETS[name].requester == caller}
    organisation = (
        {name for name in visible if TICKETS[name].organisation == spec.organisation} if spec.org_admin else mine
    )
    worked = {name for name in TICKETS if works(caller, name)}

    def in_organisation(pk: int) -> set[str]:
        return {name for name in visible if TICKETS[name].organisation == pk}

    anonymous = spec.kind == "anonymous"
    staff_page = {"anonymous": "→sign-in", "customer": CUSTOMER_TURNED_AWAY, "staff": "403"}.get(spec.kind, worked)
    return {
        "GET /api/v1/tickets/": "403" if anonymous else visible,
        "GET /api/v1/tickets/?organisation=1": "403" if anonymous else in_organisation(1),
        "GET /api/v1/tickets/?organisation=12": "403" if anonymous else in_organisation(12),
        "GET /tickets/": "→sign-in" if anonymous else mine,
        "GET /tickets/?scope=organisation": "→sign-in" if anonymous else organisation,
        "GET /staff/queue/ (every status)": staff_page,
        "canaries leaked": [],
    }


def observe_lists(client, world: World, caller: str) -> dict:
    http = Recorder(client)
    by_reference = {ticket.reference: name for name, ticket in world.tickets.items()}

    def names_in(references) -> set[str]:
        return {by_reference.get(reference, f"unknown {reference}") for reference in references}

    def api_list(url: str):
        response, body = http.get(url)
        if response.status_code != 200:
            return outcome(response)
        payload = json.loads(body)
        assert payload["next"] is None, "the matrix fits on one page"
        return names_in(row["reference"] for row in payload["results"])

    def page_list(url: str, label=outcome):
        response, body = http.get(url)
        return names_in(REFERENCE.findall(body.decode())) if response.status_code == 200 else label(response)

    statuses = "&".join(f"status={status}" for status in ("new", "open", "waiting", "resolved", "closed"))
    seen = {
        "GET /api/v1/tickets/": api_list("/api/v1/tickets/?page_size=100"),
        "GET /api/v1/tickets/?organisation=1": api_list("/api/v1/tickets/?page_size=100&organisation=1"),
        "GET /api/v1/tickets/?organisation=12": api_list("/api/v1/tickets/?page_size=100&organisation=12"),
        "GET /tickets/": page_list("/tickets/"),
        "GET /tickets/?scope=organisation": page_list("/tickets/?scope=organisation"),
        "GET /staff/queue/ (every status)": page_list(
            f"/staff/queue/?{statuses}", label=lambda response: staff_page_outcome(caller, response)
        ),
    }
    seen["canaries leaked"] = http.leaked(allowed_canaries(world, caller, TICKETS))
    return seen


@pytest.mark.parametrize("caller", list(CALLERS))
def test_ticket_lists(as_caller, world, caller):
    client = as_caller(caller)

    assert observe_lists(client, world, caller) == expected_lists(caller)


# --- The Django admin ------------------------------------------------------------------------------
#
# The admin is for staff: anyone else is sent to its sign-in page, and editors and moderators hold no permission on
# the desk's models (403). Desk staff read in the admin exactly the tickets they work in the workspace (W above),
# with what hangs on them (messages, events, the survey response, the follow-up case), and of the customers only
# those tickets' requesters and organisations. Any other ticket does not exist for them: the admin answers as for a
# number no ticket has (its redirect to the index). On top of that, the admin's own permissions:

# Support managers delete tickets, read follow-up cases and see every account and organisation, with tickets or
# without; agents do none of these (403 where a permission is missing).
MANAGES = {"manager"}

ADMIN_LOGIN, ADMIN_INDEX = "→/admin/login/", "→/admin/"
SURVEY_MARK = "SURVEY-COMMENT"
SURVEY_TOKEN = re.compile(rb"SURVEY-COMMENT-HW-\d+")


@dataclass
class AdminWorld:
    survey: dict[str, int]  # ticket name -> survey response id
    follow_up: dict[str, int]  # ticket name -> follow-up case id


@pytest.fixture(scope="module")
def admin_world(world, django_db_blocker):
    """A low-scored survey on every matrix ticket, and the follow-up case it opens (rolled back with the world)."""
    from tickets import surveys
    from tickets.models import SurveyResponse

    survey, follow_up = {}, {}
    with django_db_blocker.unblock():
        for name, ticket in world.tickets.items():
            # Written directly: survey_submit needs a resolved ticket, and the other cells need them open.
            response = SurveyResponse.objects.create(
                ticket=ticket, respondent=ticket.requester, csat=1, response_speed=1, resolution=1, expertise=1,
                attitude=1, follow_up=1, service_index=0, ces=5, comment=f"{SURVEY_MARK}-{ticket.reference}",
            )  # fmt: skip
            survey[name] = response.pk
            follow_up[name] = surveys.follow_up_open(response=response).pk
    return AdminWorld(survey, follow_up)


def _organisation_seen(caller: str, organisation: int) -> bool:
    """An organisation is named to those who work one of its tickets (and to managers, who see every one)."""
    return caller in MANAGES or any(
        works(caller, name) for name, spec in TICKETS.items() if spec.organisation == organisation
    )


def _customer_seen(caller: str, customer: str) -> bool:
    """A customer's account is shown to those who work one of their tickets (and to managers)."""
    return caller in MANAGES or any(works(caller, name) for name, spec in TICKETS.items() if spec.requester == customer)


def _admin_denied(caller: str) -> str | None:
    """Who never reaches the desk's admin pages, and the answer they get."""
    return {"anonymous": ADMIN_LOGIN, "customer": ADMIN_LOGIN, "staff": "403"}.get(CALLERS[caller].kind)


def expected_admin_cell(caller: str, name: str) -> dict:
    denied = _admin_denied(caller)
    can_work = works(caller, name)
    organisation_seen = _organisation_seen(caller, TICKETS[name].organisation)

    def page(shown: bool, *, permitted: bool = True) -> str:
        return denied or ("403" if not permitted else "200" if shown else ADMIN_INDEX)

    def listed(shown: bool, *, permitted: bool = True):
        return denied or ("403" if not permitted else shown)

    manages = caller in MANAGES
    return {
        "GET ticket change": page(can_work),
        "  shows the subject, the requester's e-mail and the internal note": can_work,
        # The history view looks the ticket up before it checks the permission, and editors see no ticket at all.
        "GET ticket history": ADMIN_INDEX if CALLERS[caller].kind == "staff" else page(can_work),
        "GET ticket delete": page(can_work, permitted=manages),
        "ticket changelist lists it": listed(can_work),
        "ticket search by subject finds it": listed(can_work),
        "ticket search by reference finds it": listed(can_work),
        "ticket autocomplete by subject finds it": listed(can_work),
        "ticket autocomplete by reference finds it": listed(can_work),
        "ticket organisation filter names its organisation": listed(organisation_seen),
        "GET survey response change": page(can_work),
        "  shows the survey comment": can_work,
        "survey changelist lists it": listed(can_work),
        "survey search by subject finds it": listed(can_work),
        "GET follow-up case change": page(can_work, permitted=manages),
        "follow-up changelist lists it": listed(can_work, permitted=manages),
        "GET requester's account": page(can_work),
        "account list (raw-id popup) lists the requester": listed(can_work),
        "account autocomplete finds the requester": listed(can_work),
        "GET its organisation": page(organisation_seen),
        "  the organisation page names the requester": can_work,
        "organisation autocomplete finds it": listed(organisation_seen),
        "membership list lists the requester's": listed(can_work),
        "leaked": [],
    }


class AdminRecorder(Recorder):
    """Keeps every admin response, and reads the rows the admin listed from the template context or JSON."""

    def page(self, url: str, params: dict | None = None):
        response = self.client.get(url, params or {})
        self._keep(response)
        return response

    def rows(self, url: str, params: dict | None = None):
        """The primary keys the changelist at `url` lists; or where the caller was sent instead."""
        response = self.page(url, params)
        if response.status_code != 200:
            return outcome(response)
        return {row.pk for row in response.context["cl"].result_list}

    def listed(self, url: str, pk: int, params: dict | None = None):
        rows = self.rows(url, params)
        return rows if isinstance(rows, str) else pk in rows

    def organisations_in_filter(self):
        """The organisations the ticket changelist's organisation filter offers."""
        response = self.page(reverse("admin:tickets_ticket_changelist"))
        if response.status_code != 200:
            return outcome(response)
        (spec,) = [spec for spec in response.context["cl"].filter_specs if spec.field_path == "organisation"]
        return {pk for pk, _label in spec.lookup_choices}

    def autocompletes(self, source: str, term: str, pk: int):
        """Whether the admin's autocomplete for the foreign key `source` ("app.model.field") offers the row `pk`."""
        app_label, model_name, field_name = source.split(".")
        params = {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term}
        response = self.page(reverse("admin:autocomplete"), params)
        if response.status_code != 200:
            return outcome(response)
        return str(pk) in {row["id"] for row in json.loads(response.content)["results"]}

    def admin_leaked(self, world: World, caller: str) -> list[str]:
        """Internal canaries, survey comments and customers' names or addresses the caller may not read."""
        allowed = allowed_canaries(world, caller, TICKETS) | {
            f"{SURVEY_MARK}-{world.tickets[name].reference}".encode() for name in TICKETS if works(caller, name)
        }
        tokens = {token for body in self.bodies for token in CANARY_TOKEN.findall(body) + SURVEY_TOKEN.findall(body)}
        found = {token.decode() for token in tokens - allowed}
        for customer, spec in CALLERS.items():
            if spec.kind != "customer" or _customer_seen(caller, customer):
                continue
            # The whole name: "matrix-customer_org1" is also the start of "…_org1_other" and "…_org12".
            user = world.users[customer]
            pattern = re.compile(rf"{re.escape(user.username)}(?![\w-])|{re.escape(user.email)}".encode())
            if any(pattern.search(body) for body in self.bodies):
                found.add(f"the account of {customer}")
        return sorted(found)


def observe_admin_cell(client, world: World, admin_world: AdminWorld, caller: str, name: str) -> dict:
    ticket = world.tickets[name]
    requester = world.users[TICKETS[name].requester]
    organisation = ticket.organisation
    http = AdminRecorder(client)
    seen: dict = {}

    tickets = reverse("admin:tickets_ticket_changelist")
    response = http.page(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    seen["GET ticket change"] = outcome(response)
    body = body_of(response).decode()
    seen["  shows the subject, the requester's e-mail and the internal note"] = response.status_code == 200 and all(
        text in body for text in (ticket.subject, requester.email, _canaries(ticket.reference)["NOTE"])
    )
    seen["GET ticket history"] = outcome(http.page(reverse("admin:tickets_ticket_history", args=[ticket.pk])))
    seen["GET ticket delete"] = outcome(http.page(reverse("admin:tickets_ticket_delete", args=[ticket.pk])))
    seen["ticket changelist lists it"] = http.listed(tickets, ticket.pk)
    seen["ticket search by subject finds it"] = http.listed(tickets, ticket.pk, {"q": ticket.subject})
    seen["ticket search by reference finds it"] = http.listed(tickets, ticket.pk, {"q": ticket.reference})
    seen["ticket autocomplete by subject finds it"] = http.autocompletes("tickets.message.ticket", ticket.subject,
                                                                         ticket.pk)  # fmt: skip
    seen["ticket autocomplete by reference finds it"] = http.autocompletes("tickets.message.ticket", ticket.reference,
                                                                           ticket.pk)  # fmt: skip
    offered = http.organisations_in_filter()
    seen["ticket organisation filter names its organisation"] = (
        offered if isinstance(offered, str) else organisation.pk in offered
    )

    survey_id = admin_world.survey[name]
    response = http.page(reverse("admin:tickets_surveyresponse_change", args=[survey_id]))
    seen["GET survey response change"] = outcome(response)
    seen["  shows the survey comment"] = f"{SURVEY_MARK}-{ticket.reference}" in body_of(response).decode()
    surveys = reverse("admin:tickets_surveyresponse_changelist")
    seen["survey changelist lists it"] = http.listed(surveys, survey_id)
    seen["survey search by subject finds it"] = http.listed(surveys, survey_id, {"q": ticket.subject})

    case_id = admin_world.follow_up[name]
    seen["GET follow-up case change"] = outcome(http.page(reverse("admin:tickets_followupcase_change", args=[case_id])))
    seen["follow-up changelist lists it"] = http.listed(reverse("admin:tickets_followupcase_changelist"), case_id)

    seen["GET requester's account"] = outcome(http.page(reverse("admin:accounts_user_change", args=[requester.pk])))
    seen["account list (raw-id popup) lists the requester"] = http.listed(
        reverse("admin:accounts_user_changelist"), requester.pk, {"_to_field": "id", "_popup": "1"}
    )
    seen["account autocomplete finds the requester"] = http.autocompletes("tickets.ticket.requester",
                                                                          requester.username, requester.pk)  # fmt: skip

    response = http.page(reverse("admin:tickets_organisation_change", args=[organisation.pk]))
    seen["GET its organisation"] = outcome(response)
    seen["  the organisation page names the requester"] = response.status_code == 200 and bool(
        re.search(rf"{re.escape(requester.username)}(?![\w-])", body_of(response).decode())
    )
    seen["organisation autocomplete finds it"] = http.autocompletes("tickets.ticket.organisation", organisation.name,
                                                                    organisation.pk)  # fmt: skip
    seen["membership list lists the requester's"] = http.listed(
        reverse("admin:tickets_organisationmembership_changelist"), requester.membership.pk
    )
    seen["leaked"] = http.admin_leaked(world, caller)
    return seen


@pytest.mark.parametrize(("caller", "name"), CELLS)
def test_admin_access_cell(as_caller, world, admin_world, caller, name):
    client = as_caller(caller)

    assert observe_admin_cell(client, world, admin_world, caller, name) == expected_admin_cell(caller, name)


def expected_admin_lists(caller: str) -> dict:
    denied = _admin_denied(caller)
    customers = {name for name, spec in CALLERS.items() if spec.kind == "customer" and _customer_seen(caller, name)}
    organisations = {pk for pk in (1, 2, 12) if _organisation_seen(caller, pk)}
    return {
        "tickets": denied or {name for name in TICKETS if works(caller, name)},
        "ticket organisation filter": denied or organisations,
        "accounts of customers": denied or customers,
        "organisations": denied or organisations,
        "memberships": denied or customers,
        "leaked": [],
    }


def observe_admin_lists(client, world: World, caller: str) -> dict:
    http = AdminRecorder(client)
    by_pk = {ticket.pk: name for name, ticket in world.tickets.items()}
    customers = {world.users[name].pk: name for name, spec in CALLERS.items() if spec.kind == "customer"}
    memberships = {world.users[name].membership.pk: name for name in customers.values()}

    def names(rows, of: dict):
        """The matrix's own rows among those listed (the database holds a few more, e.g. the callers' accounts)."""
        return rows if isinstance(rows, str) else {of[pk] for pk in rows if pk in of}

    tickets = http.rows(reverse("admin:tickets_ticket_changelist"))
    seen = {
        "tickets": tickets if isinstance(tickets, str) else {by_pk.get(pk, f"unknown {pk}") for pk in tickets},
        "ticket organisation filter": http.organisations_in_filter(),
        "accounts of customers": names(http.rows(reverse("admin:accounts_user_changelist")), customers),
        "organisations": http.rows(reverse("admin:tickets_organisation_changelist")),
        "memberships": names(http.rows(reverse("admin:tickets_organisationmembership_changelist")), memberships),
    }
    seen["leaked"] = http.admin_leaked(world, caller)
    return seen


@pytest.mark.parametrize("caller", list(CALLERS))
def test_admin_lists(as_caller, world, admin_world, caller):
    client = as_caller(caller)

    assert observe_admin_lists(client, world, caller) == expected_admin_lists(caller)


@pytest.mark.parametrize("caller", [name for name, spec in CALLERS.items() if spec.kind == "desk"])
def test_the_queue_organisation_filter_names_the_same_organisations_as_the_admin(as_caller, world, caller):
    """The workspace's filter and the admin's follow one rule, Organisation.objects.visible_to."""
    client = as_caller(caller)

    response = client.get(reverse("tickets:queue"))
    offered = {pk for pk, _name in response.context["form"].fields["organisation"].widget.choices if pk}

    assert offered == {pk for pk in (1, 2, 12) if _organisation_seen(caller, pk)}
