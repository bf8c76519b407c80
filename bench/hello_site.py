"""The floor for bench/web_throughput.py: a bare Django project whose one view answers "hello".

Served by gunicorn with the portal's server settings (deploy/gunicorn.conf.py's, two workers), so the ratio of
the two throughputs is what the portal's own work costs on this machine at this moment.

    gunicorn --workers 2 --worker-class gthread --threads 2 --pythonpath bench hello_site:application
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-hello-only-on-127.0.0.1-a-long-random-looking-secret-key",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
    )


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
