"""The customer's status page, a notice's page with its timeline, following, and the e-mailed unsubscribe link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kbportal.choices import content_language
from kbportal.helpcenter import services as help_services
from kbportal.helpcenter import session as help_browser
from kbportal.helpcenter.models import HelpVia
from kbportal.pagecache import public_page
from kbportal.security.csrf import csrf_when_credentialed
from kbportal.unsubscribe import unsubscribe_page

from . import selectors, services
from .models import ServiceNotice
from .notifications import UNSUBSCRIBE

# The contact form's "Known issue — follow it instead" sends this, so the follow counts as a deflection.
VIA_CONTACT_FORM = HelpVia.CONTACT_FORM


@public_page()
def status(request: HttpRequest) -> HttpResponse:
    """What runs now, what is scheduled, and what ended lately, for the visitor's audience."""
    page = selectors.status_page(user=request.user)
    return render(request, "announcements/status.html", {"page": page})


@public_page(obj=("notice", "pk"), params=["via"])
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_for(user=request.user, pk=pk)
    context = {
        "notice": notice,
        "updates": notice.updates.all(),
        "following": selectors.is_following(notice=notice, user=request.user),
        "via": VIA_CONTACT_FORM if request.GET.get("via") == VIA_CONTACT_FORM else "",
    }
    return render(request, "announcements/notice_detail.html", context)


@csrf_when_credentialed  # "Sign in to follow" posts from a public page (kbportal/security/csrf.py)
@require_POST
def notice_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice; from the contact form this heads off a ticket, so the help session ends as deflected.

    Visitors without an account sign in first and come back to the notice's page (still counting as from
    the contact form), where they follow it.
    """
    notice = selectors.notice_for(user=request.user, pk=pk)
    from_contact_form = request.POST.get("via") == VIA_CONTACT_FORM
    if not request.user.is_authenticated:
        suffix = f"?via={VIA_CONTACT_FORM}" if from_contact_form else ""
        return redirect_to_login(f"{notice.get_absolute_url()}{suffix}")
    _follow, created = services.notice_follow(
        notice=notice, user=request.user, language=content_language(request.LANGUAGE_CODE)
    )
    if from_contact_form and not request.user.is_staff:
        _record_deflection(request, notice, new_follow=created)
    if created:
        messages.success(request, _("You follow this notice. We will e-mail you its updates and its resolution."))
    return redirect(notice)


def _record_deflection(request: HttpRequest, notice: ServiceNotice, *, new_follow: bool) -> None:
    """Like an escalation from the contact form, a new follow from it always lands in a help session (one is
    started when the browser has none); following again only touches a session still open."""
    session = help_browser.help_session(request) if new_follow else help_browser.claim(request)
    if session is None:
        return
    help_services.help_session_follow_notice(
        session=session, notice_id=notice.pk, title=notice.title, url=notice.get_absolute_url()
    )


@login_required
@require_POST
def notice_unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_for(user=request.user, pk=pk)
    if services.notice_unfollow(notice_id=notice.pk, user_id=request.user.pk):
        messages.success(request, _("You no longer follow this notice."))
    return redirect(notice)


# The signed token is the credential, and mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From a follower e-mail: GET asks to confirm, POST stops following the notice."""
    return unsubscribe_page(
        request, token, links=UNSUBSCRIBE, template="announcements/unsubscribe.html",
        find=lambda pk: ServiceNotice.objects.filter(pk=pk).only("pk", "title", "title_zh_hans").first(),
        stop=lambda user_id, pk: services.notice_unfollow(notice_id=pk, user_id=user_id),
    )  # fmt: skip
