"""The browser journeys' server (tests/e2e): the embedded profile with debug off, mail written to files.

The journeys read the mail a customer would get (the guest link, the survey link) from KBPORTAL_E2E_MAIL_DIR,
and one browser run posts far more often from 127.0.0.1 than a person would, so the rate limits are relaxed the
way the test profile relaxes them (the limits have tests of their own). Everything else is as `make run` serves it.
"""

import os
from pathlib import Path

from .local import *  # noqa: F403

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = Path(os.environ["KBPORTAL_E2E_MAIL_DIR"])

# Static files straight from the apps' folders: no collectstatic step before each run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

KBPORTAL_RATE_LIMITS = {group: dict.fromkeys(limits, "10000/m") for group, limits in KBPORTAL_RATE_LIMITS.items()}
AXES_FAILURE_LIMIT = 1000
