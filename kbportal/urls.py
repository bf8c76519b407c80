from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kbportal.accounts.api.views import ApiTokenView
from kbportal.accounts.two_factor_views import admin_login
from kbportal.security import csrf
from kbportal.security.csrf import csrf_when_credentialed


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(static_url("img/logo.svg"))


urlpatterns = [
    path("", include("articles.urls")),
    # The help center before the desk: its tickets/guest/<token>/ pages come before tickets/<reference>/.
    path("", include("kbportal.helpcenter.urls")),
    path("", include("tickets.urls")),
    path("", include("community.urls")),
    path("", include("kbportal.analytics.urls")),
    path("status/", include("kbportal.announcements.urls")),
    path("accounts/", include("kbportal.accounts.urls")),
    # The header's language menu posts from public pages, which carry no CSRF token (kbportal/security/csrf.py).
    path("i18n/setlang/", csrf_when_credentialed(set_language), name="set_language"),
    path("csrf/", csrf.token, name="csrf_token"),
    # Before the admin's own: every sign-in, the admin's too, goes through the portal's two steps.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("kbportal.api_router")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="api-docs",
    ),
    path("api/v1/auth/token/", ApiTokenView.as_view(), name="api-token"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API's JSON, downloads).
    path("favicon.ico", favicon),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = _("HelloWorld Support · staff admin")
admin.site.site_title = _("HelloWorld Support admin")
admin.site.index_title = _("Support center administration")

# Branded pages in both languages, JSON under /api/ (kbportal/errors.py).
handler400 = "kbportal.errors.bad_request"
handler403 = "kbportal.errors.permission_denied"
handler404 = "kbportal.errors.page_not_found"
handler500 = "kbportal.errors.server_error"
