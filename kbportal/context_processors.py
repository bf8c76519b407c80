from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Values every page template needs: the language menu and the site name."""
    return {
        "portal_languages": settings.LANGUAGES,
        "site_url": settings.SITE_URL,
    }
