"""The help center's pages: search, "Did this solve it?", the contact form, the page after sending, guest access.
The deflection report is the dashboard's self-service section (kbportal/analytics)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kbportal import timezones
from kbportal.choices import content_language
from kbportal.redirects import safe_next_url
from kbportal.search import service as search_service
from kbportal.security.ratelimits import rate_limited, refusal_message
from tickets import clocks, selectors, services
from tickets.attachments import download_response
from tickets.forms import FollowUpForm, ReplyForm
from tickets.models import Status, Ticket, reference_to_pk

from . import selectors as help_selectors
from . import services as help_services
from . import session as browser
from .forms import ContactForm, HelpAnswerForm, SearchForm
from .guest import GuestLink, guest_path, guest_token, ticket_from_guest_token
from .hooks import search_ref
from .known_issues import known_issues
from .models import HelpSession, HelpVia

RESULTS_SHOWN = 20
AFTER_SUBMIT_SUGGESTIONS = 5


def _language(request: HttpRequest) -> str:
    return content_language(request.LANGUAGE_CODE)


# --- Search ---------------------------------------------------------------------------------------------


def search_page(request: HttpRequest) -> HttpResponse:
    """The one search box: articles, videos and community answers, in the visitor's language first."""
    form = SearchForm(request.GET or None)
    results = None
    visit, ref = "", ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        results = search_service.search(
            data["q"],
            kinds=[data["kind"]] if data["kind"] else None,
            language=data["language"] or None,
            preferred_language=_language(request),
            limit=RESULTS_SHOWN,
        )
        # Staff search on behalf of customers and crawlers are not customers: neither counts in the figures.
        # The search is written after the response (kbportal/buffer.py): this page writes nothing and sets no
        # cookie. The visit token in the form and the result links joins the visit's searches in one session.
        if browser.counted(request):
            visit = request.GET.get("hv", "")
            visit = visit if help_services.VISIT_TOKEN.match(visit) else help_services.new_visit_token()
            ref = search_ref(visit, data["q"])
            help_services.help_search_note(
                visit=visit,
                session_id=browser.remembered_id(request),
                user=browser.visitor(request),
                language=_language(request),
                query=data["q"],
                results=results.hits,
            )
    suggestion_query = ""
    if results is not None and results.suggestion:
        suggestion_query = _with_query(request, results.suggestion, visit)
    response = render(
        request,
        "helpcenter/search.html",
        {"form": form, "results": results, "suggestion_query": suggestion_query, "visit": visit, "search_ref": ref},
    )
    if visit:
        # The page carries this visitor's visit token and its search is recorded only when the view runs: a shared
        # cache must not hand it to another visitor (the search page without a query carries none).
        patch_cache_control(response, private=True)
    return response


def _with_query(request: HttpRequest, query: str, visit: str) -> str:
    """The current filters with another query ("did you mean" keeps the kind and language chosen, and the visit)."""
    params = request.GET.copy()
    params["q"] = query
    if visit:
        params["hv"] = visit
    return params.urlencode()


# --- "Did this solve your problem?" ---------------------------------------------------------------------


@require_POST
def help_answer(request: HttpRequest) -> HttpResponse:
    """Yes ends the help session as solved; No leads to the contact form, prefilled from the session.

    Opened from the community's ask page, No leads back there: the member was about to ask the forum.
    """
    form = HelpAnswerForm(request.POST)
    if not form.is_valid():
        return redirect("helpcenter:search")
    data = form.cleaned_data
    solved = data["answer"] == "yes"
    session = browser.claim(request)
    if session is not None:
        help_services.help_session_resolve(
            session=session, helpful=solved, item_kind=data["kind"], item_id=data["item"]
        )
    if not solved:
        return redirect("community:ask" if data["via"] == HelpVia.COMMUNITY_ASK else "helpcenter:contact")
    messages.success(request, _("Glad it helped. Thank you for telling us."))
    return redirect(safe_next_url(request, data["next"], fallback=reverse("helpcenter:search")))


# --- The contact form ------------------------------------------------------------------------------------


def contact(request: HttpRequest) -> HttpResponse:
    """Still need help: a tier-1 request carrying the help session, for customers and for visitors."""
    anonymous = not request.user.is_authenticated
    # The page records in the session (the visit, or the ticket): a visitor who signed in since takes it over.
    # Reached from the results page (?hv=): the session that search visit began becomes this browser's.
    session = (
        browser.adopt_visit(request, request.GET.get("hv", "")) if browser.counted(request) else browser.claim(request)
    )
    if request.method == "POST":
        form = ContactForm(request.POST, request.FILES, anonymous=anonymous)
        if form.is_valid():
            sent = _escalate(request, form, session) if _within_contact_limits(request, form) else None
            if sent is not None:
                return redirect("helpcenter:contact_sent", reference=sent.reference)
        prefill = help_selectors.contact_prefill(session=session)
    else:
        prefill = help_selectors.contact_prefill(session=session)
        form = ContactForm(
            anonymous=anonymous,
            initial={
                "subject": prefill.subject,
                "category": prefill.topic.category_id,
                "product_version": prefill.topic.product_version_id,
            },
        )
        if session is not None:
            help_services.help_session_record_contact_form(session=session)
    status = (429 if form.has_error(NON_FIELD_ERRORS, "rate_limited") else 400) if form.is_bound else 200
    context = {
        "form": form,
        "suggestions": prefill.suggestions,
        "has_session": session is not None,
        "known_issues": _known_issues(request, form),
    }
    return render(request, "helpcenter/contact.html", context, status=status)


def _within_contact_limits(request: HttpRequest, form: ContactForm) -> bool:
    """Each request mails its requester: limited per client and per address, so the form can't spam anyone."""
    # A signed-in customer counts by account: visitors typing their address must not use up their limit.
    if request.user.is_authenticated:
        check = rate_limited(request, "contact", user=request.user.pk)
    else:
        check = rate_limited(request, "contact", address=form.cleaned_data["email"])
    if check.limited:
        form.add_error(None, ValidationError(refusal_message(check), code="rate_limited"))
    return not check.limited


def _known_issues(request: HttpRequest, form: ContactForm) -> list[tuple]:
    """Running incidents of the chosen (or prefilled) product version: (notice, title in the visitor's language)."""
    chosen = form.data.get("product_version") if form.is_bound else form.initial.get("product_version")
    try:
        version_id = int(chosen) if chosen not in (None, "") else None
    except (TypeError, ValueError):
        return []
    issues = known_issues(product_version=version_id, user=request.user)
    return [(notice, notice.title_in(_language(request))) for notice in issues]


def _escalate(request: HttpRequest, form: ContactForm, session: HelpSession | None) -> Ticket | None:
    data = form.cleaned_data
    user = browser.visitor(request)
    try:
        escalation = help_services.help_session_escalate(
            session=session,
            subject=data["subject"],
            description=data["description"],
            requester=user,
            requester_email=user.email if user else data["email"],
            category=data["category"],
            product_version=data["product_version"],
            proposed_priority=data["proposed_priority"],
            language=_language(request),
            idempotency_key=data["idempotency_key"] or None,
            attachments=data["attachments"],
            shown_suggestions=data["shown_suggestions"],
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error("attachments" if "attach" in message.lower() else None, message)
        return None
    if not escalation.created:
        # A repeat of a request sent before. Only the browser that sent it (or its signed-in requester)
        # is shown it again: the e-mail address and the key alone come from the form, so anyone could type them.
        if browser.sent_here(request, escalation.ticket):
            return escalation.ticket
        form.add_error(None, _("This request was sent already. Its reference is in the e-mail we sent you."))
        return None
    if escalation.session is not None:
        browser.remember(request, escalation.session)
    browser.remember_sent(request, escalation.ticket)
    messages.success(
        request, _("Thank you. Your request %(reference)s is in.") % {"reference": escalation.ticket.reference}
    )
    return escalation.ticket


def _sent_ticket(request: HttpRequest, reference: str) -> Ticket:
    """A ticket this browser just sent (or the signed-in requester's own); 404 for anyone else."""
    pk = reference_to_pk(reference)
    ticket = Ticket.objects.filter(pk=pk).first() if pk else None
    if ticket is None or not browser.sent_here(request, ticket):
        raise Http404
    return ticket


def contact_sent(request: HttpRequest, reference: str) -> HttpResponse:
    """After sending: the reference, and "these may solve it — close my request?" with a one-click withdrawal."""
    ticket = _sent_ticket(request, reference)
    hits = []
    if ticket.status in Status.active():
        hits = search_service.search(
            ticket.subject, preferred_language=_language(request), limit=AFTER_SUBMIT_SUGGESTIONS
        ).hits
        help_services.help_session_record_after_submit(
            ticket=ticket,
            items=[{"kind": hit.kind, "id": hit.object_id, "title": hit.title, "url": hit.url} for hit in hits],
        )
    guest_link = guest_path(ticket) if ticket.requester_id is None else ""
    context = {
        "ticket": ticket,
        "hits": hits,
        "guest_link": guest_link,
        # The host this page was asked on, not KBPORTAL_SITE_URL: the link must open where the visitor is.
        "guest_url": request.build_absolute_uri(guest_link) if guest_link else "",
        "via": HelpVia.AFTER_SUBMIT,
    }
    return render(request, "helpcenter/sent.html", context)


@require_POST
def contact_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _sent_ticket(request, reference)
    try:
        help_services.ticket_withdraw(ticket=ticket, by=browser.visitor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your request %(reference)s is closed. Glad you found the answer.") % {"reference": ticket.reference},
        )
    return redirect("helpcenter:contact_sent", reference=ticket.reference)


# --- Guest access ---------------------------------------------------------------------------------------------


def _guest_ticket(token: str) -> Ticket | None:
    """The ticket of a guest link, None when the link has expired (410).

    Tampered tokens, tokens of other purposes and tokens of other addresses open nothing (404).
    """
    state, ticket = ticket_from_guest_token(token)
    if state is GuestLink.INVALID:
        raise Http404
    return ticket


def _guest_can_reply(ticket: Ticket) -> bool:
    """A reply while the ticket is active or may reopen; after that only a follow-up request."""
    return ticket.status not in (Status.RESOLVED, Status.CLOSED) or services.can_reopen(ticket)


def _guest_page(
    request: HttpRequest,
    token: str,
    ticket: Ticket,
    reply_form: ReplyForm | None = None,
    status: int | None = None,
    follow_up_form: FollowUpForm | None = None,
) -> HttpResponse:
    # A guest has no stored zone: until their browser says otherwise, the ticket's (its organisation's).
    zone = clocks.ticket_zone(ticket)
    timezones.activate_page_default(request, zone)
    timezones.activate_reference(zone)
    context = {
        "ticket": ticket,
        "token": token,
        "timeline": selectors.timeline(ticket=ticket, include_internal=False),
        "reply_form": reply_form or ReplyForm(),
        "follow_up_form": follow_up_form or FollowUpForm(),
        "can_reply": _guest_can_reply(ticket),
    }
    bound = reply_form or follow_up_form
    response = render(request, "helpcenter/guest_ticket.html", context, status=status or (400 if bound else 200))
    response["Cache-Control"] = "private, no-store"
    # The token is in the address: never pass it to another site. Not "no-referrer": with it browsers send
    # `Origin: null` on the page's own reply form, which Django's CSRF check refuses (403).
    response["Referrer-Policy"] = "same-origin"
    return response


def _expired(request: HttpRequest) -> HttpResponse:
    days = settings.KBPORTAL_GUEST_LINK_DAYS
    return render(request, "helpcenter/guest_link_expired.html", {"days": days}, status=410)


def guest_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """A requester without an account reads the public timeline of their ticket and replies."""
    ticket = _guest_ticket(token)
    if ticket is None:
        return _expired(request)
    return _guest_page(request, token, ticket)


@require_POST
def guest_reply(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _guest_ticket(token)
    if ticket is None:
        return _expired(request)
    form = ReplyForm(request.POST, request.FILES)
    check = rate_limited(request, "guest-reply", ticket=ticket.pk) if form.is_valid() else None
    if check is not None and check.limited:
        form.add_error(None, refusal_message(check))
        return _guest_page(request, token, ticket, reply_form=form, status=429)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=ticket, author=None, body=form.cleaned_data["body"], attachments=form.cleaned_data["attachments"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Your reply is sent."))
            return redirect("helpcenter:guest_ticket", token=token)
    return _guest_page(request, token, ticket, reply_form=form)


@require_POST
def guest_follow_up(request: HttpRequest, token: str) -> HttpResponse:
    """A closed request (or one resolved too long ago) continues in a new one, linked to it and with its own link.

    The link's holder answers for the requester's address, so the new ticket is theirs and its link is mailed
    there like any new guest request; counted with the guest replies, as it mails the same address.
    """
    ticket = _guest_ticket(token)
    if ticket is None:
        return _expired(request)
    if _guest_can_reply(ticket):
        return redirect("helpcenter:guest_ticket", token=token)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _guest_page(request, token, ticket, follow_up_form=form)
    check = rate_limited(request, "guest-reply", ticket=ticket.pk)
    if check.limited:
        form.add_error(None, refusal_message(check))
        return _guest_page(request, token, ticket, follow_up_form=form, status=429)
    follow_up = services.ticket_follow_up(
        ticket=ticket, by=None, description=form.cleaned_data["description"],
        idempotency_key=form.cleaned_data["idempotency_key"] or None,
    )  # fmt: skip
    messages.success(request, _("Your follow-up request %(reference)s is in.") % {"reference": follow_up.reference})
    return redirect("helpcenter:guest_ticket", token=guest_token(follow_up))


def guest_attachment(request: HttpRequest, token: str, attachment_id: int) -> FileResponse:
    ticket = _guest_ticket(token)
    if ticket is None:
        raise Http404
    attachment = selectors.public_attachment(ticket=ticket, attachment_id=attachment_id)
    return download_response(attachment)
