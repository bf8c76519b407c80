"""The agents' screens: the work queue and the ticket workspace. The admin keeps configuration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kbportal import timezones
from kbportal.accounts.models import User
from kbportal.accounts.roles import AGENT_ROLES
from kbportal.accounts.selectors import user_agent_tiers
from kbportal.redirects import safe_next_url

from . import clocks, selectors, services
from .filters import DUE_SOON, TicketFilterSet
from .forms import BulkActionForm, DraftArticleForm, EscalateForm, PropertiesForm, StaffReplyForm
from .models import AgentAvailability, Status, Ticket
from .panels import workspace_panels

QUEUE_PAGE_SIZE = 50


def work_required(view):
    """Agents and managers only: strangers are sent to sign in, signed-in users without the role get 403."""
    return login_required(permission_required("tickets.work_ticket", raise_exception=True)(view))


def _agents_for(user) -> QuerySet[User]:
    """Agents of the tiers the user works, for assignee pickers."""
    tiers = user_agent_tiers(user)
    return (
        User.objects.filter(groups__name__in=[str(AGENT_ROLES[tier]) for tier in tiers], is_active=True, is_staff=True)
        .distinct()
        .order_by("display_name", "username")
    )


@work_required
def queue(request: HttpRequest) -> HttpResponse:
    agents = _agents_for(request.user)
    filters = TicketFilterSet(
        request.GET, queryset=selectors.work_queue(user=request.user), request=request, agents=agents,
        default_statuses=Status.active(),
    )  # fmt: skip
    # A hand-edited address the filters do not understand shows the queue as it opens, not an error.
    tickets = filters.qs if filters.is_valid() else filters.queryset.active()
    page = Paginator(tickets, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    zones = clocks.ServiceZones()
    for ticket in page:
        # Each row's due time is named when the agent's zone is not the one the ticket's clock runs in.
        ticket.service_zone = zones.of(ticket)
    availability = AgentAvailability.objects.filter(user=request.user).first()
    return render(
        request,
        "tickets/staff/queue.html",
        {
            "form": filters.form,
            "page": page,
            "now": timezone.now(),
            "due_soon": timezone.now() + DUE_SOON,
            "agents": agents,
            # Its own ids: the filter form beside it has fields of the same names.
            "bulk_form": BulkActionForm(agents=agents, auto_id="bulk-%s"),
            "is_away": bool(availability and availability.is_away),
            "tiers": user_agent_tiers(request.user),
        },
    )


@work_required
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    agents = _agents_for(request.user)
    visible = Ticket.objects.visible_to(request.user)
    ticket_ids = request.POST.getlist("tickets")
    allowed = list(visible.filter(pk__in=[int(pk) for pk in ticket_ids if pk.isdigit()]).values_list("pk", flat=True))
    form = BulkActionForm(request.POST, ticket_ids=allowed, agents=agents)
    back = safe_next_url(request, request.POST.get("next"), fallback=reverse("tickets:queue"))
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, error if field == "__all__" else f"{form.fields[field].label}: {error}")
        return redirect(back)
    done, failed = _apply_bulk(request.user, form.cleaned_data, visible.filter(pk__in=form.cleaned_data["tickets"]))
    if done:
        messages.success(
            request, ngettext("Updated %(count)d ticket.", "Updated %(count)d tickets.", done) % {"count": done}
        )
    for failure in failed:
        messages.error(request, failure)
    return redirect(back)


def _apply_bulk(user, data: dict, tickets: QuerySet[Ticket]) -> tuple[int, list[str]]:
    actions = {
        "assign-me": lambda t: services.ticket_assign(ticket=t, assignee=user, by=user),
        "assign": lambda t: services.ticket_assign(ticket=t, assignee=data["assignee"], by=user),
        "priority": lambda t: services.ticket_set_priority(ticket=t, priority=data["priority"], by=user,
                                                           reason=data["reason"]),
        "status": lambda t: services.ticket_set_status(ticket=t, status=data["status"], by=user,
                                                       reason=data["reason"]),
        "escalate": lambda t: services.ticket_escalate(ticket=t, to_tier=data["tier"], reason=data["reason"], by=user),
    }  # fmt: skip
    done, failed = 0, []
    for ticket in tickets:
        try:
            actions[data["action"]](ticket)
            done += 1
        except ValidationError as error:
            failed.append(f"{ticket.reference}: {' '.join(error.messages)}")
    return done, failed


@work_required
@require_POST
def toggle_away(request: HttpRequest) -> HttpResponse:
    availability = AgentAvailability.objects.filter(user=request.user).first()
    away = not (availability and availability.is_away)
    services.agent_set_away(agent=request.user, away=away)
    messages.success(request, _("You are away: no new tickets are assigned to you.") if away else _("Welcome back."))
    return redirect("tickets:queue")


@work_required
def ticket_workspace(request: HttpRequest, reference: str, **forms) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    agents = _agents_for(request.user)
    # The agent's own zone; named where it is not the one the ticket's clock runs in.
    timezones.activate_reference(clocks.ticket_zone(ticket))
    context = {
        "ticket": ticket,
        "timeline": selectors.timeline(ticket=ticket, include_internal=True),
        "clocks": clocks.ticket_clocks(ticket),
        "reply_form": forms.get("reply_form") or StaffReplyForm(),
        "properties_form": forms.get("properties_form")
        or PropertiesForm(
            initial={"priority": ticket.priority, "status": ticket.status, "assignee": ticket.assignee_id},
            agents=_agents_of_ticket_tier(ticket),
        ),
        "escalate_form": forms.get("escalate_form") or EscalateForm(initial={"to_tier": min(ticket.tier + 1, 3)}),
        "article_form": DraftArticleForm(initial={"category": ticket.category_id}),
        "agents": agents,
        "survey_response": getattr(ticket, "survey_response", None),
        # Rooms above the desk add theirs, e.g. the help center's "What the customer tried".
        "workspace_panels": workspace_panels(ticket=ticket),
    }
    return render(request, "tickets/staff/ticket.html", context, status=400 if forms else 200)


def _agents_of_ticket_tier(ticket: Ticket) -> QuerySet[User]:
    return selectors.agents_of_tier(tier=ticket.tier)


@work_required
@require_POST
def staff_reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    form = StaffReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_reply(
                ticket=ticket, author=request.user, body=data["body"], internal=data["internal"],
                attachments=data["attachments"], then_status=data["then_status"] or None,
            )  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Internal note added.") if data["internal"] else _("Reply sent."))
            return redirect("tickets:staff_detail", reference=ticket.reference)
    return ticket_workspace(request, reference, reply_form=form)


@work_required
@require_POST
def staff_properties(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    form = PropertiesForm(request.POST, agents=_agents_of_ticket_tier(ticket))
    if not form.is_valid():
        return ticket_workspace(request, reference, properties_form=form)
    data = form.cleaned_data
    try:
        services.ticket_set_priority(ticket=ticket, priority=data["priority"], by=request.user, reason=data["reason"])
        services.ticket_set_status(ticket=ticket, status=data["status"], by=request.user, reason=data["reason"])
        services.ticket_assign(ticket=ticket, assignee=data["assignee"], by=request.user, reason=data["reason"])
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return ticket_workspace(request, reference, properties_form=form)
    messages.success(request, _("Ticket updated."))
    return redirect("tickets:staff_detail", reference=ticket.reference)


@work_required
@require_POST
def staff_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            # The service locks and saves its own copy of the row: name the tier from that copy.
            ticket = services.ticket_escalate(
                ticket=ticket, to_tier=form.cleaned_data["to_tier"], reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Moved to %(tier)s.") % {"tier": ticket.get_tier_display()})
            # The ticket may have left this agent's tiers: back to the queue if it is no longer visible.
            if Ticket.objects.visible_to(request.user).filter(pk=ticket.pk).exists():
                return redirect("tickets:staff_detail", reference=ticket.reference)
            return redirect("tickets:queue")
    return ticket_workspace(request, reference, escalate_form=form)


@work_required
@require_POST
def staff_draft_article(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.has_perm("articles.add_article"):
        messages.error(request, _("You may not write articles."))
        return redirect("tickets:staff_detail", reference=reference)
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    form = DraftArticleForm(request.POST)
    category = form.cleaned_data["category"] if form.is_valid() else None
    try:
        article = services.ticket_to_draft_article(ticket=ticket, by=request.user, category=category)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tickets:staff_detail", reference=ticket.reference)
    messages.success(request, _("Draft article created from this ticket."))
    return redirect("admin:articles_article_change", article.pk)
