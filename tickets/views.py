"""The customer's side: my tickets, a ticket's page, replies, files, resolving, reopening, the survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kbportal import timezones
from kbportal.choices import content_language
from kbportal.security.client import client_ip

from . import clocks, selectors, services, surveys
from .attachments import download_response
from .forms import FollowUpForm, ReplyForm, SurveyForm, TicketForm
from .models import EventCause, Status, Ticket

PAGE_SIZE = 25


def _validation_messages(error: ValidationError) -> list[str]:
    return error.messages


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    membership = selectors.membership_of(request.user)
    is_org_admin = bool(membership and membership.is_admin)
    scope = "organisation" if request.GET.get("scope") == "organisation" and is_org_admin else "mine"
    tickets = selectors.customer_tickets(user=request.user, scope=scope)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/ticket_list.html",
        {"page": page, "scope": scope, "is_org_admin": is_org_admin, "membership": membership},
    )


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket, _created = services.ticket_create(
                requester=request.user,
                requester_email=request.user.email,
                subject=data["subject"],
                description=data["description"],
                proposed_priority=data["proposed_priority"],
                product_version=data["product_version"],
                category=data["category"],
                language=content_language(request.LANGUAGE_CODE),
                idempotency_key=data["idempotency_key"] or None,
                attachments=data["attachments"],
            )
        except ValidationError as error:
            for message in _validation_messages(error):
                form.add_error("attachments" if "attach" in message.lower() else None, message)
        else:
            messages.success(
                request, _("Thank you. Your request %(reference)s is in.") % {"reference": ticket.reference}
            )
            return redirect(ticket)
    return render(request, "tickets/ticket_new.html", {"form": form})


@login_required
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    if selectors.staff_sees_internal(request.user) and request.user != ticket.requester:
        return redirect("tickets:staff_detail", reference=ticket.reference)
    return _render_detail(request, ticket)


def _render_detail(request: HttpRequest, ticket: Ticket, **forms) -> HttpResponse:
    _show_times_of(request, ticket)
    response = getattr(ticket, "survey_response", None) if ticket.status in (Status.RESOLVED, Status.CLOSED) else None
    can_answer = surveys.can_answer_survey(ticket=ticket, user=request.user)
    context = {
        "ticket": ticket,
        "timeline": selectors.timeline(ticket=ticket, include_internal=False),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "can_reopen": services.can_reopen(ticket),
        "can_reply": ticket.status not in (Status.RESOLVED, Status.CLOSED) or services.can_reopen(ticket),
        "is_requester": ticket.requester_id == request.user.pk,
        "survey_response": response,
        "survey_form": forms.get("survey_form")
        or (SurveyForm(ask_nps=surveys.nps_due(ticket), initial=_survey_initial(response)) if can_answer else None),
    }
    return render(request, "tickets/ticket_detail.html", context, status=400 if forms else 200)


def _show_times_of(request: HttpRequest, ticket: Ticket) -> None:
    """Times on a ticket's page for its customer: in their zone (before the browser has said it, the ticket's
    when they have no stored zone), named unless it is the ticket's."""
    zone = clocks.ticket_zone(ticket)
    timezones.activate_page_default(request, zone)
    timezones.activate_reference(zone)


def _survey_initial(response) -> dict:
    if response is None:
        return {}
    fields = ["csat", "response_speed", "resolution", "expertise", "attitude", "follow_up", "ces", "nps", "comment"]
    return {name: getattr(response, name) for name in fields}


@login_required
@require_POST
def ticket_reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=ticket, author=request.user, body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Your reply is sent."))
            return redirect(ticket)
    return _render_detail(request, ticket, reply_form=form)


@login_required
@require_POST
def ticket_resolve(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        services.ticket_resolve(ticket=ticket, by=request.user)
        messages.success(request, _("Marked as resolved. Thank you!"))
    return redirect(ticket)


@login_required
@require_POST
def ticket_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    try:
        services.ticket_reopen(ticket=ticket, by=request.user, reason=EventCause.CUSTOMER_REOPENED)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reopened. An agent will pick it up again."))
    return redirect(ticket)


@login_required
@require_POST
def ticket_follow_up(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, ticket, follow_up_form=form)
    follow_up = services.ticket_follow_up(
        ticket=ticket, by=request.user, description=form.cleaned_data["description"],
        idempotency_key=form.cleaned_data["idempotency_key"] or None,
    )  # fmt: skip
    messages.success(request, _("Your follow-up request %(reference)s is in.") % {"reference": follow_up.reference})
    return redirect(follow_up)


@login_required
def attachment_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    attachment = selectors.ticket_attachment(user=request.user, reference=reference, attachment_id=attachment_id)
    return download_response(attachment)


@login_required
@require_POST
def survey_answer(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = selectors.ticket_for(user=request.user, reference=reference)
    if not surveys.can_answer_survey(ticket=ticket, user=request.user):
        raise Http404
    form = SurveyForm(request.POST, ask_nps=surveys.nps_due(ticket) or _answered_nps(ticket))
    if form.is_valid():
        try:
            surveys.survey_submit(
                ticket=ticket, respondent=request.user, answers=form.answers(), address=client_ip(request)
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(ticket)
    return _render_detail(request, ticket, survey_form=form)


def _answered_nps(ticket: Ticket) -> bool:
    response = getattr(ticket, "survey_response", None)
    return bool(response and response.nps is not None)


def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-use signed link from the resolution e-mail: works without signing in."""
    ticket = surveys.ticket_from_survey_token(token)
    if ticket is None:
        return render(request, "tickets/survey_link_invalid.html", status=410)
    form = SurveyForm(request.POST or None, ask_nps=surveys.nps_due(ticket))
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_submit(
                ticket=ticket, respondent=request.user if request.user.is_authenticated else None,
                answers=form.answers(), address=client_ip(request), via_link=True,
            )  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return render(request, "tickets/survey_thanks.html", {"ticket": ticket})
    return render(request, "tickets/survey_link.html", {"ticket": ticket, "form": form})
