"""Production: everything from base, tightened. Required variables have no default, and a setting that
would lose mail, tasks or shared state without a word (the console mail backend, no broker, no shared
cache) stops the process at start with a message naming the variable to set."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_int, next_redis_database


def _required(name: str, meaning: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} is not set: {meaning}")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY", "set it to a long random value that stays the same between releases.")
ALLOWED_HOSTS = _required("DJANGO_ALLOWED_HOSTS", "set it to the site's host names, comma-separated.").split(",")
DEBUG = False

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Cookies travel only over HTTPS. Keep this on behind TLS; only the one-machine profile (`make stack`, plain
# HTTP on 127.0.0.1) turns it off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# Staff sign in with a second factor (see base.py); an operator may turn it off, never by accident.
KBPORTAL_STAFF_REQUIRE_2FA = env_bool("KBPORTAL_STAFF_REQUIRE_2FA", True)

# JSON only: the browsable API's HTML forms and pages are a development aid (local.py keeps them).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}

TEMPLATES[0]["OPTIONS"]["loaders"] = [
    (
        "django.template.loaders.cached.Loader",
        ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
    )
]
TEMPLATES[0]["APP_DIRS"] = False

# --- Nothing lost without a word ----------------------------------------------------------

_problems = []

# Mail leaves over SMTP unless another delivering backend is named; these keep it in the process.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
_UNDELIVERED_MAIL_BACKENDS = {
    f"django.core.mail.backends.{name}.EmailBackend": purpose
    for name, purpose in {
        "console": "prints every mail, signed links included, into the log",
        "locmem": "keeps every mail in memory",
        "dummy": "drops every mail",
        "filebased": "writes every mail to a file",
    }.items()
}
if EMAIL_BACKEND in _UNDELIVERED_MAIL_BACKENDS:
    _problems.append(
        f"DJANGO_EMAIL_BACKEND is {EMAIL_BACKEND}, which {_UNDELIVERED_MAIL_BACKENDS[EMAIL_BACKEND]} instead of "
        "sending it: leave it unset for SMTP (django.core.mail.backends.smtp.EmailBackend) or name a provider's "
        "backend."
    )
elif EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and not os.environ.get("DJANGO_EMAIL_HOST"):
    _problems.append(
        "DJANGO_EMAIL_HOST is not set: mail is sent over SMTP, so name the relay's host "
        "(localhost for a mail server on this machine), with DJANGO_EMAIL_PORT and the DJANGO_EMAIL_* credentials."
    )
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    _problems.append(
        "DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL are both on: set one (TLS for STARTTLS, usually port 587; "
        "SSL for implicit TLS, usually port 465)."
    )

# Sessions, rate-limit counters and cached pages must be shared by every process.
if not REDIS_URL:
    _problems.append("REDIS_URL is not set: production needs a shared cache, e.g. REDIS_URL=redis://127.0.0.1:6379/0.")

# The data: a database server, never the embedded SQLite file that base.py falls back to.
if not os.environ.get("DATABASE_URL"):
    _problems.append(
        "DATABASE_URL is not set: production keeps its data in PostgreSQL, "
        "e.g. DATABASE_URL=postgres://kbportal:password@127.0.0.1:5432/kbportal."
    )

# Tasks go through a broker: by default REDIS_URL's server under the next database number, so that clearing
# the cache (FLUSHDB) or evicting its keys never drops a queued task; CELERY_BROKER_URL names another.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or next_redis_database(REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
if not CELERY_BROKER_URL:
    _problems.append(
        "CELERY_BROKER_URL is not set (nor REDIS_URL, its default): production runs tasks on Celery workers, "
        "e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/1."
    )
elif CELERY_BROKER_URL == REDIS_URL:
    _problems.append(
        "CELERY_BROKER_URL is REDIS_URL: clearing the cache would drop every queued task. Give the broker a "
        "database of its own, e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/1 (or leave it unset)."
    )

if _problems:
    raise ImproperlyConfigured("Production settings are incomplete:\n- " + "\n- ".join(_problems))

# JSON log lines unless told otherwise (DJANGO_LOG_FORMAT=plain).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be plain or json; it is {LOG_FORMAT!r}.")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT

if SENTRY_DSN:
    from kbportal.observability.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT or "production",
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
