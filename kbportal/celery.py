"""The Celery app for workers and beat at scale: `celery -A kbportal worker` and `celery -A kbportal beat`."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

from . import celery_broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbportal.settings.production")

app = Celery("kbportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
celery_broker.install()  # a broker restart must not stop the worker (see celery_broker.py)


@worker_init.connect
def _warm_up_before_forking(**kwargs) -> None:
    """Load the search analysis once in the worker's parent, so its pool processes start with it (see warmup.py).
    Sent by workers only: beat needs none of it."""
    import django

    django.setup()
    from kbportal.search.warmup import warm_up

    warm_up()


@beat_init.connect
def _one_beat(**kwargs) -> None:
    """Wait, as a standby, while another beat of the deployment runs (see beat_lock.py)."""
    from kbportal import beat_lock

    beat_lock.hold()
