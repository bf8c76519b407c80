"""Every write to a ticket goes through these functions; each change is kept as an event.

Preconditions and side effects are stated per function. Notifications leave after
the transaction commits (notifications.py), so a rolled-back change mails nobody.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kbportal.accounts.models import User
from kbportal.accounts.roles import AGENT_ROLES
from kbportal.accounts.selectors import user_agent_tiers
from kbportal.choices import Language
from kbportal.markdown import render_markdown

from . import analytics_facts, clocks, notifications
from .attachments import CheckedFile, check_attachment
from .models import (
    AgentAvailability,
    Attachment,
    Channel,
    Event,
    EventCause,
    EventKind,
    Message,
    Organisation,
    Plan,
    Priority,
    SlaPause,
    Status,
    Ticket,
    Tier,
)
from .selectors import organisation_of

if TYPE_CHECKING:
    from articles.models import Article, Category, ProductVersion

# Why a change happened: what a person typed (kept as written), or a cause the system gives (kept as a code and
# shown in each reader's language). EventCause members are strings too, told apart by their type.
Reason = str | EventCause

# --- Creating --------------------------------------------------------------------------------


def ticket_create(
    *,
    requester: User | None,
    requester_email: str,
    subject: str,
    description: str,
    proposed_priority: int = Priority.P3,
    channel: str = Channel.WEB,
    product_version: ProductVersion | None = None,
    category: Category | None = None,
    language: str = Language.EN,
    idempotency_key: str | None = None,
    attachments: Sequence[UploadedFile[bytes]] = (),
    previous_ticket: Ticket | None = None,
) -> tuple[Ticket, bool]:
    """Open a ticket at tier 1 with its SLA due times; returns (ticket, created).

    With an idempotency key, a repeat of the same request (double submit, client
    retry, concurrent duplicates) returns the first ticket and creates nothing,
    so exactly one ticket and one e-mail result.
    """
    requester_email = (requester.email if requester and requester.email else requester_email).strip().lower()
    if idempotency_key:
        existing = _ticket_by_key(requester_email, idempotency_key)
        if existing is not None:
            return existing, False
    checked = [(upload, check_attachment(upload)) for upload in attachments]
    try:
        with transaction.atomic():
            ticket = _insert_ticket(
                requester=requester,
                requester_email=requester_email,
                subject=subject.strip(),
                description=description,
                proposed_priority=proposed_priority,
                channel=channel,
                product_version=product_version,
                category=category,
                language=language,
                idempotency_key=idempotency_key or None,
                previous_ticket=previous_ticket,
            )
            for upload, checked_file in checked:
                _store_attachment(ticket=ticket, message=None, upload=upload, checked=checked_file, by=requester)
    except IntegrityError:
        existing = _ticket_by_key(requester_email, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing, False
    return ticket, True


def _ticket_by_key(requester_email: str, key: str) -> Ticket | None:
    return Ticket.objects.filter(requester_email=requester_email, idempotency_key=key).first()


def _insert_ticket(*, requester: User | None, **fields: Any) -> Ticket:
    organisation = organisation_of(requester) if requester else None
    ticket = Ticket(
        requester=requester,
        organisation=organisation,
        plan=organisation.plan if organisation else Plan.BASIC,
        priority=fields["proposed_priority"],
        tier=Tier.TIER_1,
        status=Status.NEW,
        **fields,
    )
    ticket.description_html = render_markdown(ticket.description).html
    ticket.full_clean(exclude=["requester", "idempotency_key"])
    ticket.save()
    _record(ticket, EventKind.CREATED, by=requester, values={"channel": ticket.channel})
    _refresh_due_times(ticket, by=None, record=False)
    _auto_assign(ticket)
    notifications.ticket_created(ticket)
    return ticket


# --- Conversation -------------------------------------------------------------------------------


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: User | None,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile[bytes]] = (),
    then_status: str | None = None,
) -> Message:
    """Add a public reply or an internal note.

    A staff member's first public reply stops the first-response clock. A customer
    reply resumes a ticket that waited on them and reopens a resolved one inside the
    reopen window; after it, the customer must open a follow-up ticket instead.
    """
    ticket = _locked(ticket)
    from_staff = _works_tickets(author)
    if internal and not from_staff:
        raise ValidationError(_("Only support staff can write internal notes."))
    if not body.strip():
        raise ValidationError({"body": _("Write a message before sending.")})
    if not from_staff and ticket.status in (Status.RESOLVED, Status.CLOSED) and not can_reopen(ticket):
        raise ValidationError(_("This ticket was resolved too long ago to reopen. Open a follow-up ticket instead."))
    checked = [(upload, check_attachment(upload)) for upload in attachments]
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        body=body,
        body_html=render_markdown(body).html,
        is_internal=internal,
        from_staff=from_staff,
    )
    for upload, checked_file in checked:
        _store_attachment(ticket=ticket, message=message, upload=upload, checked=checked_file, by=author)
    if internal:
        return message
    if from_staff:
        _after_staff_reply(ticket, author, then_status)
        notifications.staff_replied(message)
    else:
        _after_customer_reply(ticket, author)
        notifications.customer_replied(message)
    return message


def _after_staff_reply(ticket: Ticket, author: User | None, then_status: str | None) -> None:
    if ticket.first_response_at is None:
        ticket.first_response_at = timezone.now()
        facts = analytics_facts.refresh_clock_facts(ticket)
        ticket.save(update_fields=["first_response_at", *facts, "updated_at"])
    target = then_status or (Status.OPEN if ticket.status == Status.NEW else None)
    if target and target != ticket.status:
        # The reply e-mail tells the customer; no second mail about the status.
        _set_status(ticket, target, by=author, reason="", notify=False)
    else:
        _refresh_due_times(ticket, by=author)


def _after_customer_reply(ticket: Ticket, author: User | None) -> None:
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        _record(ticket, EventKind.REOPENED, by=author, reason=EventCause.CUSTOMER_REPLIED)
        _set_status(ticket, Status.OPEN, by=author, reason=EventCause.CUSTOMER_REPLIED)
    elif ticket.status == Status.WAITING:
        _set_status(ticket, Status.OPEN, by=author, reason=EventCause.CUSTOMER_REPLIED)


def _store_attachment(
    *, ticket: Ticket, message: Message | None, upload: UploadedFile[bytes], checked: CheckedFile, by: User | None
) -> Attachment:
    attachment = Attachment(
        ticket=ticket,
        message=message,
        uploaded_by=by,
        original_name=checked.name[:200],
        content_type=checked.content_type,
        size=upload.size or 0,  # an upload always has a size; the type allows None
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    return attachment


# --- Status, priority, tier, assignee ----------------------------------------------------------


@transaction.atomic
def ticket_set_status(*, ticket: Ticket, status: str, by: User | None, reason: Reason = "") -> Ticket:
    """Move a ticket to a status; waiting on the customer pauses the clocks, leaving it resumes them."""
    ticket = _locked(ticket)
    if status not in Status.values:
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    if status == ticket.status:
        return ticket
    if status == Status.OPEN and ticket.status in (Status.RESOLVED, Status.CLOSED) and not _works_tickets(by):
        return ticket_reopen(ticket=ticket, by=by)
    _set_status(ticket, status, by=by, reason=reason)
    return ticket


def ticket_resolve(*, ticket: Ticket, by: User | None) -> Ticket:
    """Resolve (customers may mark their own ticket resolved); the requester is asked for a survey."""
    return ticket_set_status(ticket=ticket, status=Status.RESOLVED, by=by)


def can_reopen(ticket: Ticket, now: datetime | None = None) -> bool:
    """A resolved ticket reopens within the window after its resolution; a closed one never does."""
    if ticket.status != Status.RESOLVED or ticket.resolved_at is None:
        return False
    window = timedelta(days=settings.KBPORTAL_REOPEN_DAYS)
    return (now or timezone.now()) - ticket.resolved_at <= window


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, by: User | None, reason: Reason = "") -> Ticket:
    ticket = _locked(ticket)
    if not can_reopen(ticket):
        raise ValidationError(
            _("This ticket was resolved more than %(days)d days ago. Open a follow-up ticket instead.")
            % {"days": settings.KBPORTAL_REOPEN_DAYS}
        )
    _record(ticket, EventKind.REOPENED, by=by, reason=reason)
    _set_status(ticket, Status.OPEN, by=by, reason=reason)
    return ticket


def ticket_follow_up(
    *, ticket: Ticket, by: User | None, description: str, idempotency_key: str | None = None
) -> Ticket:
    """A new ticket that continues one resolved too long ago to reopen, linked to it.

    ``by`` is None for a requester without an account (the guest link): the follow-up is theirs too,
    and its creation mails them its own link.
    """
    follow_up, _created = ticket_create(
        requester=ticket.requester,
        requester_email=ticket.requester_email,
        subject=_("Follow-up to %(reference)s: %(subject)s")
        % {"reference": ticket.reference, "subject": ticket.subject},
        description=description,
        proposed_priority=ticket.priority,
        channel=ticket.channel,
        product_version=ticket.product_version,
        category=ticket.category,
        language=ticket.language,
        idempotency_key=idempotency_key,
        previous_ticket=ticket,
    )
    return follow_up


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, priority: int, by: User | None, reason: Reason = "") -> Ticket:
    """Staff set the priority; due times are recomputed from the ticket's creation."""
    ticket = _locked(ticket)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority from P1 to P4.")})
    if priority == ticket.priority:
        return ticket
    old = ticket.priority
    ticket.priority = priority
    # A stopped clock is judged against the current priority's target, as the staff page shows it.
    facts = analytics_facts.refresh_clock_facts(ticket)
    ticket.save(update_fields=["priority", *facts, "updated_at"])
    _record(ticket, EventKind.PRIORITY, by=by, values={"from": old, "to": priority}, reason=reason)
    _refresh_due_times(ticket, by=by)
    return ticket


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, to_tier: int, reason: str, by: User | None) -> Ticket:
    """Hand a ticket to another tier (up or down) with a required reason; it is reassigned there."""
    ticket = _locked(ticket)
    if to_tier not in Tier.values:
        raise ValidationError({"to_tier": _("Choose tier 1, 2 or 3.")})
    if to_tier == ticket.tier:
        raise ValidationError({"to_tier": _("The ticket is at that tier already.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the ticket changes tier; the next agent reads it first.")})
    old, upward = ticket.tier, to_tier > ticket.tier
    ticket.tier = to_tier
    ticket.save(update_fields=["tier", "updated_at"])
    if upward:  # a hand-back to a lower tier is not an escalation
        _increment(ticket, "escalation_count")
    _record(ticket, EventKind.TIER, by=by, values={"from": old, "to": to_tier}, reason=reason)
    _set_assignee(ticket, None, by=by, reason=reason)
    _auto_assign(ticket)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, by: User | None, reason: str = "") -> Ticket:
    """Give a ticket to an agent of its tier (or to nobody)."""
    ticket = _locked(ticket)
    if assignee is not None and ticket.tier not in user_agent_tiers(assignee):
        raise ValidationError({"assignee": _("Assign the ticket to an agent of its tier, or escalate it first.")})
    _set_assignee(ticket, assignee, by=by, reason=reason)
    return ticket


@transaction.atomic
def ticket_change_plan(*, ticket: Ticket, plan: str, by: User | None, reason: Reason = "") -> Ticket:
    """Apply another plan's service levels (after an upgrade, say); due times are recomputed."""
    ticket = _locked(ticket)
    if plan not in Plan.values:
        raise ValidationError({"plan": _("Choose one of the listed plans.")})
    ticket.plan = plan
    facts = analytics_facts.refresh_clock_facts(ticket)
    ticket.save(update_fields=["plan", *facts, "updated_at"])
    _refresh_due_times(ticket, by=by, reason=reason or EventCause.PLAN_CHANGED)
    return ticket


def agent_set_away(*, agent: User, away: bool) -> AgentAvailability:
    availability, _created = AgentAvailability.objects.update_or_create(user=agent, defaults={"is_away": away})
    return availability


# --- Internals ------------------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock (call inside a transaction), so concurrent changes queue up."""
    return Ticket.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=ticket.pk)


def _works_tickets(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm("tickets.work_ticket"))


def _set_status(ticket: Ticket, status: str, *, by: User | None, reason: Reason, notify: bool = True) -> None:
    old_status = ticket.status
    now = timezone.now()
    ticket.status = status
    facts = []
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        # Replaces the facts of an earlier resolution; a reopening keeps them, like resolved_at.
        facts = analytics_facts.refresh_clock_facts(ticket)
    if status == Status.CLOSED:
        ticket.closed_at = now
    if status in Status.active():
        ticket.closed_at = None
    ticket.save(update_fields=["status", "resolved_at", "closed_at", *facts, "updated_at"])
    if old_status in (Status.RESOLVED, Status.CLOSED) and status in Status.active():
        _increment(ticket, "reopen_count")
    _pause_or_resume(ticket, old_status, status, now)
    _record(ticket, EventKind.STATUS, by=by, values={"from": old_status, "to": status}, reason=reason)
    _refresh_due_times(ticket, by=by)
    if notify or status == Status.RESOLVED:
        notifications.status_changed(ticket, old_status)


def _increment(ticket: Ticket, field: str) -> None:
    """Add one to a tally in the database, then read it back so the instance holds a number, not an F()."""
    Ticket.objects.filter(pk=ticket.pk).update(**{field: F(field) + 1})
    ticket.refresh_from_db(fields=[field])


def _pause_or_resume(ticket: Ticket, old: str, new: str, now: datetime) -> None:
    if new == Status.WAITING and old != Status.WAITING:
        SlaPause.objects.create(ticket=ticket, started_at=now)
    elif old == Status.WAITING and new != Status.WAITING:
        SlaPause.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)


def _set_assignee(ticket: Ticket, assignee: User | None, *, by: User | None, reason: Reason = "") -> None:
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return
    # The names as they are now: the timeline says who had the ticket then, whatever they are called later.
    old = ticket.assignee.public_name if ticket.assignee else None
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    values = {"from": old, "to": assignee.public_name if assignee else None}
    _record(ticket, EventKind.ASSIGNEE, by=by, values=values, reason=reason)
    if assignee is not None:
        notifications.ticket_assigned(ticket)


def _refresh_due_times(ticket: Ticket, *, by: User | None, record: bool = True, reason: Reason = "") -> None:
    first, resolution = clocks.due_times(ticket)
    if (first, resolution) == (ticket.first_response_due_at, ticket.resolution_due_at):
        return
    before = _due_values(ticket.first_response_due_at, ticket.resolution_due_at)
    ticket.first_response_due_at, ticket.resolution_due_at = first, resolution
    ticket.save(update_fields=["first_response_due_at", "resolution_due_at", "updated_at"])
    if record:
        values = {"from": before, "to": _due_values(first, resolution)}
        _record(ticket, EventKind.DUE, by=by, values=values, reason=reason)


def _due_values(first: datetime | None, resolution: datetime | None) -> dict[str, str | None]:
    return {"first_response": iso_moment(first), "resolution": iso_moment(resolution)}


def iso_moment(moment: datetime | None) -> str | None:
    """A moment as an event keeps it (ISO 8601 in UTC), so each reader sees it in their own zone."""
    return moment.astimezone(UTC).isoformat() if moment else None


def _record(
    ticket: Ticket, kind: str, *, by: User | None, values: Mapping[str, object] | None = None, reason: Reason = ""
) -> Event:
    """Keep one change as an event: codes in ``values`` (see ``Event``), never words in anyone's language."""
    stored = dict(values or {})
    if isinstance(reason, EventCause):
        stored["cause"] = reason.value
    elif reason and reason.strip():
        stored["reason"] = reason
    return Event.objects.create(ticket=ticket, actor=by, kind=kind, values=stored)


def _auto_assign(ticket: Ticket) -> None:
    """Give the ticket to the least-loaded available agent of its tier, when automatic assignment is on."""
    if not settings.KBPORTAL_AUTO_ASSIGN or ticket.assignee_id is not None:
        return
    agent = least_loaded_agent(tier=ticket.tier)
    if agent is not None:
        _set_assignee(ticket, agent, by=None, reason=EventCause.AUTO_ASSIGNED)


def least_loaded_agent(*, tier: int) -> User | None:
    """The active, available agent of a tier with the fewest active tickets (ties: the longest-serving)."""
    group = Group.objects.filter(name=str(AGENT_ROLES[tier])).first()
    if group is None:
        return None
    return (
        User.objects.filter(groups=group, is_active=True, is_staff=True)
        .exclude(availability__is_away=True)
        .annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=Status.active())))
        .order_by("load", "pk")
        .first()
    )


# --- Knowledge --------------------------------------------------------------------------------------------


@transaction.atomic
def ticket_to_draft_article(*, ticket: Ticket, by: User, category: Category | None = None) -> Article:
    """Turn a resolved ticket into a draft article: subject to title, the resolution to body; linked both ways."""
    from articles import services as article_services

    ticket = _locked(ticket)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("Resolve the ticket before writing an article from it."))
    if ticket.knowledge_article is not None:  # no query without an id
        return ticket.knowledge_article
    category = category or ticket.category
    if category is None:
        raise ValidationError({"category": _("Choose the category the article belongs in.")})
    resolution = ticket.messages.filter(is_internal=False, from_staff=True).order_by("-created_at").first()
    body = resolution.body if resolution else ticket.description
    article = article_services.article_create(
        by=by,
        title=ticket.subject,
        category=category,
        body=body,
        summary=ticket.subject,
        language=ticket.language,
        type="troubleshooting",
    )
    ticket.knowledge_article = article
    ticket.save(update_fields=["knowledge_article", "updated_at"])
    _record(ticket, EventKind.ARTICLE, by=by, values={"article": article.pk, "title": article.title})
    return article


@transaction.atomic
def organisation_set_plan(*, organisation: Organisation, plan: str, by: User | None) -> int:
    """Move an organisation to another plan; its open tickets take the new service levels at once."""
    if plan not in Plan.values:
        raise ValidationError({"plan": _("Choose one of the listed plans.")})
    organisation.plan = plan
    organisation.save(update_fields=["plan"])
    tickets = Ticket.objects.active().filter(organisation=organisation).exclude(plan=plan)
    count = 0
    for ticket in tickets:
        ticket_change_plan(ticket=ticket, plan=plan, by=by, reason=EventCause.ORGANISATION_PLAN)
        count += 1
    return count
