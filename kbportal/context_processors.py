from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Values every page template needs: the language menu and the site's address.

    On a page the address is the host the page was asked on, wherever the site runs; KBPORTAL_SITE_URL is
    for e-mails, which have no request to ask.
    """
    return {
        "portal_languages": settings.LANGUAGES,
        "site_url": lambda: request.build_absolute_uri("/").rstrip("/"),
    }
