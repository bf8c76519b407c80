import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbportal.settings.production")

application = get_wsgi_application()

# Only servers import this module: load the search analysis before the first request (and, in a master that
# preloads the application, before it forks its workers). See kbportal/search/warmup.py.
from kbportal.search.warmup import warm_up  # noqa: E402 - needs the application (settings, apps) set up

warm_up()
