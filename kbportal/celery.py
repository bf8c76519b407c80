"""The Celery app for workers and beat at scale: `celery -A kbportal worker` and `celery -A kbportal beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbportal.settings.production")

app = Celery("kbportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
