import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbportal.settings.production")

application = get_asgi_application()

# Only servers import this module: load the search analysis before the first request. See
# kbportal/search/warmup.py.
from kbportal.search.warmup import warm_up  # noqa: E402 - needs the application (settings, apps) set up

warm_up()
