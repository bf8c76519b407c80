"""Settings shared by every profile.

The environment is read here and nowhere else; the other profiles only tighten
or adapt what this module sets. Every variable is listed in the README.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, e.g. {default}; it is {value!r}.") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        return float(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, e.g. 0.1; it is {value!r}.") from None


# --- Core -----------------------------------------------------------------

# Local profiles fall back to an insecure key; production.py requires the variable.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("KBPORTAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_guid",
    "django_celery_beat",
    "kbportal.apps.KbportalConfig",
    "kbportal.accounts.apps.AccountsConfig",
    "kbportal.security.apps.SecurityConfig",
    "kbportal.outbox.apps.OutboxConfig",
    "kbportal.search.apps.SearchConfig",
    "kbportal.announcements.apps.AnnouncementsConfig",
    "kbportal.analytics.apps.AnalyticsConfig",
    "articles.apps.ArticlesConfig",
    "tickets.apps.TicketsConfig",
    "community.apps.CommunityConfig",
    # A floor above the desk and the community, which ask it through registries they own.
    "kbportal.helpcenter.apps.HelpCenterConfig",
]

MIDDLEWARE = [
    # First: every response, the probes' too, carries an X-Request-ID, and every log line its request id.
    "django_guid.middleware.guid_middleware",
    # Before the host check and the HTTPS redirect, which a balancer probing by IP over HTTP would fail.
    "kbportal.observability.health.HealthProbeMiddleware",
    # Before the sessions: where this request reads (a replica or the primary), and after a write the cookie
    # that keeps this browser's next reads on the primary. The probes above always check the primary.
    "kbportal.replicas.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and authentication: a public page's stored copy needs none (kbportal/pagecache.py).
    "kbportal.pagecache.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kbportal.accounts.middleware.StaffTwoFactorMiddleware",
    "kbportal.middleware.ViewerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kbportal.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a refused (locked-out) sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kbportal.urls"
WSGI_APPLICATION = "kbportal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kbportal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kbportal.context_processors.portal",
                # After Django's own: a public page's forms carry a placeholder, not a token (and no cookie).
                "kbportal.security.csrf.csrf",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# SQLite is tuned for a small multi-user site: WAL lets readers work while one
# writer writes, the busy timeout makes a second writer wait instead of failing,
# and IMMEDIATE transactions take the write lock up front so two transactions
# never deadlock upgrading a read lock. A 32 MB page cache (the default is 2 MB,
# allocated only as pages are read) keeps the search index's B-trees in memory
# while a batch of postings goes in: indexing 26% faster (bench/README.md).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
        "PRAGMA cache_size=-32000;"
    ),
}

DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 60)


def database_from_url(url: str) -> dict:
    """One entry of DATABASES from a dj-database-url URL (DATABASE_URL, or one of DATABASE_REPLICA_URLS)."""
    database = dj_database_url.parse(url, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = dict(SQLITE_OPTIONS)
    return database


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'kbportal.sqlite3'}"))}

# Read replicas (kbportal/replicas.py, README "Deploying at scale"): each URL of DATABASE_REPLICA_URLS becomes
# the alias replica1, replica2…; pages that only read use one of them, everything else the primary.
DATABASE_REPLICA_CONNECT_TIMEOUT = env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica = database_from_url(_url)
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS names a {_replica['ENGINE'].rsplit('.', 1)[-1]} database, DATABASE_URL a "
            f"{DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} one: a replica is a copy of the primary, on the "
            "same kind of server."
        )
    if "postgresql" in _replica["ENGINE"]:
        # A replica that is down or unreachable costs a request at most this long before it reads the primary.
        _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", DATABASE_REPLICA_CONNECT_TIMEOUT)
    DATABASES[f"replica{_number}"] = _replica
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
# After a write, that browser reads from the primary this long: longer than the replication lag tolerated.
DATABASE_REPLICA_STICKY_SECONDS = env_int("DATABASE_REPLICA_STICKY_SECONDS", 10)
# A replica that refused a connection is left alone this long by each process.
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 30)
# The views whose GET and HEAD read from a replica: URL namespaces (every view in one) or view names.
DATABASE_REPLICA_VIEWS = ["articles", "community", "helpcenter:search", "api"]

# Backups (README, "Backup and restore"): the table-less permission holder is no part of a dump, and
# dumps keep times to the microsecond. Replicas: kbportal/replicas.py.
DATABASE_ROUTERS = ["kbportal.replicas.ReplicaRouter", "kbportal.backup.routers.UnmanagedModelsRouter"]
SERIALIZATION_MODULES = {"json": "kbportal.backup.serializers"}

# --- Cache --------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")


def next_redis_database(url: str) -> str:
    """The same Redis server under the next database number (redis://h:6379/0 → redis://h:6379/1); "" for ""."""
    if not url:
        return ""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))


CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "kbportal")
# Seconds to wait for Redis to accept a connection, and then for each answer: a Redis that is down or
# blackholed costs a request at most about this long per cache call instead of hanging the worker.
REDIS_TIMEOUT_SECONDS = env_float("KBPORTAL_REDIS_TIMEOUT_SECONDS", 1)

# Rate-limit counters must be shared by every process: Redis when there is one, otherwise a database table
# (created by `migrate`, see kbportal.security.apps) whose increments are exact across processes. Each counter
# is made with its window's lifetime; culling past MAX_ENTRIES removes only expired ones.
RATE_LIMIT_DATABASE_CACHE = {
    "BACKEND": "kbportal.security.cache.CounterDatabaseCache",
    "LOCATION": "kbportal_rate_limit_counter",
    "OPTIONS": {"MAX_ENTRIES": 10_000},
}


def redis_cache(location: str, *, key_prefix: str, ignore_exceptions: bool) -> dict:
    """One django-redis cache. With ``ignore_exceptions`` an unreachable Redis reads as a miss and a write
    is dropped (each logged, see DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS), so pages degrade to the database."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # After a failure to connect, Redis is left alone for a few seconds instead of costing every call
            # a timeout (kbportal/redis_pool.py).
            "CONNECTION_POOL_CLASS": "kbportal.redis_pool.FailFastConnectionPool",
            "IGNORE_EXCEPTIONS": ignore_exceptions,
            "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
        },
    }


def cache_settings(redis_url: str, *, key_prefix: str = CACHE_KEY_PREFIX) -> dict[str, dict]:
    """CACHES for a Redis URL (or none): production uses it, and the tests build a dead Redis with it.

    The page cache ("default") ignores Redis errors: a cached banner or figure is only a shortcut to the
    database. The rate-limit counters ("ratelimit") never do — an ignored INCR would switch every limit off
    without a word — so they fail over to the database counter table while Redis cannot be reached
    (kbportal.security.cache.FailoverCounterCache), and a group whose counting fails there too is refused
    or let through as KBPORTAL_RATE_LIMIT_FAIL_CLOSED says (kbportal/security/ratelimits.py).
    """
    if not redis_url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "ratelimit": RATE_LIMIT_DATABASE_CACHE,
        }
    return {
        "default": redis_cache(redis_url, key_prefix=key_prefix, ignore_exceptions=True),
        "ratelimit": {
            "BACKEND": "kbportal.security.cache.FailoverCounterCache",
            "OPTIONS": {"PRIMARY": "ratelimit-redis", "FALLBACK": "ratelimit-database"},
        },
        "ratelimit-redis": redis_cache(redis_url, key_prefix=key_prefix, ignore_exceptions=False),
        # Also makes `migrate` create the counter table (createcachetable), ready for an outage.
        "ratelimit-database": RATE_LIMIT_DATABASE_CACHE,
    }


CACHES = cache_settings(REDIS_URL)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions live in the database, with or without Redis. A session in the cache (cache or cached_db) is lost
# when Redis is, and cached_db with an unreachable Redis is worse: signing out deletes the database row while
# the cache still holds the session, and when Redis comes back that stale copy signs the user in again.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Authentication -------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Twelve characters at least: long enough that a passphrase beats guessing (Django's default is 8).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "kbportal.accounts.backends.EmailOrUsernameBackend"]
LOGIN_URL = "accounts:login"

# --- Abuse protection ----------------------------------------------------------------------

# The client's address: X-Forwarded-For is trusted for exactly this many proxies in front of the site
# (0: the header is ignored and the connection's address counts). See kbportal/security/client.py.
KBPORTAL_TRUSTED_PROXY_COUNT = env_int("KBPORTAL_TRUSTED_PROXY_COUNT", 0)

# --- Public pages (kbportal/pagecache.py) --------------------------------------------

# What an anonymous page without a session tells browsers (max-age) and shared caches or a CDN (s-maxage), and
# how long the server keeps its own copy; a change shows at once on the server's copy (versioned keys).
KBPORTAL_PUBLIC_MAX_AGE = env_int("KBPORTAL_PUBLIC_MAX_AGE", 60)
KBPORTAL_PUBLIC_S_MAXAGE = env_int("KBPORTAL_PUBLIC_S_MAXAGE", 300)
KBPORTAL_PAGE_CACHE_SECONDS = env_int("KBPORTAL_PAGE_CACHE_SECONDS", 300)

# Sign-in lockout (django-axes): this many failures in a row for one account, or from one address, pause
# signing in there for KBPORTAL_LOGIN_LOCKOUT_MINUTES. Failures are counted in the database, so every
# process sees them; a success resets the account's count. Staff unlock in the admin (Axes → access attempts).
AXES_FAILURE_LIMIT = env_int("KBPORTAL_LOGIN_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KBPORTAL_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "kbportal.security.lockout.AccountOnlyResetHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "kbportal.security.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "kbportal.security.client.client_ip"
AXES_LOCKOUT_CALLABLE = "kbportal.security.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "old_password", "new_password1", "new_password2", "otp"]

# Rate limits ("count/period", period s, m, h or d) per client address ("ip") and per target. Each can be
# changed with KBPORTAL_RATE_<GROUP>_<PER>, e.g. KBPORTAL_RATE_CONTACT_ADDRESS=5/h.
_RATE_DEFAULTS = {
    "contact": {"ip": "10/h", "address": "3/h", "user": "3/h"},
    "guest-reply": {"ip": "30/h", "ticket": "20/h"},
    "password-reset": {"ip": "10/h", "address": "3/h"},
    "sign-up": {"ip": "5/h", "address": "3/h"},
    "search": {"ip": "120/m"},
    "suggest": {"ip": "600/m"},
    "feedback": {"user": "60/m"},
    "forum": {"user": "60/m"},
}
KBPORTAL_RATE_LIMITS = {
    group: {
        per: os.environ.get(f"KBPORTAL_RATE_{group.upper().replace('-', '_')}_{per.upper()}", rate)
        for per, rate in limits.items()
    }
    for group, limits in _RATE_DEFAULTS.items()
}
RATELIMIT_USE_CACHE = "ratelimit"
# A counter the store has lost lets the request through (as an unreachable store does, see ratelimits.py).
RATELIMIT_FAIL_OPEN = True
RATELIMIT_IP_META_KEY = "kbportal.security.client.client_ip"
LOGIN_REDIRECT_URL = "articles:home"
LOGOUT_REDIRECT_URL = "articles:home"

# Two-factor authentication (an authenticator app, ten recovery codes). When on, staff must finish
# the second step, or set it up, before any page, the admin or the API with a session. Off here so
# the embedded demo signs in with a password alone; production.py turns it on unless told otherwise.
KBPORTAL_STAFF_REQUIRE_2FA = env_bool("KBPORTAL_STAFF_REQUIRE_2FA", False)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "HelloWorld Support"
# Nobody reads another user's secret key or recovery codes in the admin; staff may only remove devices.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Errors and degradation ------------------------------------------------------

# Branded error pages (kbportal/errors.py; JSON {"detail": …} under /api/), set as handler400 … handler500 in
# kbportal/urls.py. An unreachable database answers 503 with this Retry-After instead of 500.
KBPORTAL_UNAVAILABLE_RETRY_AFTER_SECONDS = env_int("KBPORTAL_UNAVAILABLE_RETRY_AFTER_SECONDS", 30)
CSRF_FAILURE_VIEW = "kbportal.errors.csrf_failure"
# Rate-limit groups that send mail: when neither Redis nor the database can count an attempt they are refused
# (an outage must not let anyone mail a victim without limit). Every other group — reading, voting — is let
# through, so an outage never turns reading into refusals. See kbportal/security/ratelimits.py.
KBPORTAL_RATE_LIMIT_FAIL_CLOSED = frozenset({"contact", "guest-reply", "password-reset", "sign-up"})

# --- Internationalisation ---------------------------------------------------------

LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "kbportal" / "locale"]
# Dates and times per language (kbportal/formats/<locale>/formats.py), e.g. one English date style throughout.
FORMAT_MODULE_PATH = ["kbportal.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kbportal_language"
LANGUAGE_COOKIE_SECURE = False

# --- Static and media files ----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads are readable by the application's user and group only, never by every account on the host
# (a front server that serves MEDIA_ROOT itself must run in that group).
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Uploaded videos and thumbnails: larger uploads are refused by the form.
KBPORTAL_MAX_VIDEO_UPLOAD_BYTES = env_int("KBPORTAL_MAX_VIDEO_UPLOAD_MB", 200) * 1024 * 1024
KBPORTAL_MAX_IMAGE_UPLOAD_BYTES = 5 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
# Seconds an SMTP server may take to answer: without it a stalled server holds the sender for minutes.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "HelloWorld Support <support@helloworld.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security defaults that hold in every profile ------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # The helpfulness widget reads the token from the form, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Origins (besides this site) that may serve uploaded videos, e.g. a CDN in front of object storage.
KBPORTAL_CSP_EXTRA_MEDIA = env_list("KBPORTAL_CSP_EXTRA_MEDIA")

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, because DRF takes a refusal's challenge from the first class (see the class).
        "kbportal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view states who may use it.
    "DEFAULT_PERMISSION_CLASSES": ["kbportal.api.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "kbportal.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON through one parser that bounds size and nesting; views never set their own JSON parser.
    "DEFAULT_PARSER_CLASSES": [
        "kbportal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "kbportal.api.exceptions.exception_handler",
    # Every operation lists its error responses in the one shape of the exception handler (kbportal/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "kbportal.api.schema.AutoSchema",
}
# API tokens (django-rest-knox): only a SHA-512 hash of each secret is stored. A token lives this many days
# from its creation and is not extended by use, so a leaked one stops working on a known date; its owner
# makes a new one on the account page before then.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model's name, not a secret)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("KBPORTAL_API_TOKEN_DAYS", 90)),
    "AUTO_REFRESH": False,
    # Unexpired tokens one account may hold: each password check could otherwise add rows without end.
    "TOKEN_LIMIT_PER_USER": env_int("KBPORTAL_API_TOKENS_PER_USER", 10),
    # A fixed prefix lets secret scanners recognise a leaked token (kbp_ and 64 hex digits).
    "TOKEN_PREFIX": "kbp_",
    "AUTH_HEADER_PREFIX": "Token",
}
# The token model replaces knox's own, so knox's migrations (which would make an unused table) stay off.
MIGRATION_MODULES = {"knox": None}
# A JSON request body larger than this gets 413; one nested deeper than KBPORTAL_MAX_JSON_DEPTH gets 400
# (Python's decoder recurses once per level, so depth is checked before decoding).
KBPORTAL_MAX_JSON_BODY_BYTES = env_int("KBPORTAL_MAX_JSON_BODY_KB", 1024) * 1024
KBPORTAL_MAX_JSON_DEPTH = 32
SPECTACULAR_SETTINGS = {
    "TITLE": "kbportal API",
    "DESCRIPTION": "Knowledge base, tickets and community of the HelloWorld support center.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.Status",
        "TicketStatusEnum": "tickets.models.Status",
        "TicketPriorityEnum": "tickets.models.Priority",
        "TicketTierEnum": "tickets.models.Tier",
    },
}

# --- Product settings ---------------------------------------------------------------------

# An item shows its helpful percentage once it has this many votes.
KBPORTAL_HELPFULNESS_MIN_VOTES = env_int("KBPORTAL_HELPFULNESS_MIN_VOTES", 5)
# "Needs review": helpful share under this percentage with at least this many votes,
# or last reviewed longer ago than this many days.
KBPORTAL_REVIEW_HELPFUL_PERCENT = env_int("KBPORTAL_REVIEW_HELPFUL_PERCENT", 50)
KBPORTAL_REVIEW_MIN_VOTES = env_int("KBPORTAL_REVIEW_MIN_VOTES", 10)
KBPORTAL_REVIEW_MAX_AGE_DAYS = env_int("KBPORTAL_REVIEW_MAX_AGE_DAYS", 365)
# A long article (this many headings or more) shows a table of contents.
KBPORTAL_TOC_MIN_HEADINGS = 3

# "plain" lines for people, "json" (one object per line: timestamp, level, logger, message, request_id,
# exception) for log collectors; production.py makes json the default. Both carry the request id.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be plain or json; it is {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # Scrubbed like the JSON lines: a 404's path may hold a guest link's token.
        "plain": {
            "()": "kbportal.observability.logging.ScrubbingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "kbportal.observability.logging.JsonFormatter"},
    },
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        "celery_tracing": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
        "once_a_minute": {"()": "kbportal.observability.logging.OncePerInterval", "seconds": 60},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "celery_tracing"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # django-axes narrates every sign-in at INFO; lockouts come at WARNING.
        "axes": {"level": "WARNING"},
        # django-guid narrates every request id it reads or makes at INFO; a refused one comes at WARNING.
        "django_guid": {"level": "WARNING"},
        # With Redis down, django-redis logs every cache call it ignores: once a minute says as much.
        "django_redis.cache": {"filters": ["once_a_minute"]},
    },
}

# --- Support desk -------------------------------------------------------------------------

# New tickets go to the least-loaded available agent of their tier.
KBPORTAL_AUTO_ASSIGN = env_bool("KBPORTAL_AUTO_ASSIGN", True)
# A resolved ticket reopens on reply within this many days; later it is closed and a reply opens a follow-up.
KBPORTAL_REOPEN_DAYS = env_int("KBPORTAL_REOPEN_DAYS", 7)
KBPORTAL_MAX_ATTACHMENT_BYTES = env_int("KBPORTAL_MAX_ATTACHMENT_MB", 10) * 1024 * 1024
# Surveys: how long the e-mailed link works, how long an answer can be changed, how often NPS is asked,
# and how many answers from one address within an hour count as a burst to flag.
KBPORTAL_SURVEY_LINK_DAYS = env_int("KBPORTAL_SURVEY_LINK_DAYS", 30)
KBPORTAL_SURVEY_EDIT_DAYS = env_int("KBPORTAL_SURVEY_EDIT_DAYS", 7)
KBPORTAL_NPS_INTERVAL_DAYS = env_int("KBPORTAL_NPS_INTERVAL_DAYS", 90)
KBPORTAL_SURVEY_BURST_LIMIT = env_int("KBPORTAL_SURVEY_BURST_LIMIT", 5)
# Self-service: a help session ends after this many idle minutes; an anonymous requester's link to their
# ticket works for this many days.
KBPORTAL_HELP_SESSION_IDLE_MINUTES = env_int("KBPORTAL_HELP_SESSION_IDLE_MINUTES", 30)
KBPORTAL_GUEST_LINK_DAYS = env_int("KBPORTAL_GUEST_LINK_DAYS", 365)

# --- Announcements --------------------------------------------------------------

# A resolved incident stays in the banner, marked resolved, for this many minutes (0: it leaves at once).
KBPORTAL_NOTICE_RESOLVED_SHOWN_MINUTES = env_int("KBPORTAL_NOTICE_RESOLVED_SHOWN_MINUTES", 30)

# --- Community forum ------------------------------------------------------------

# Open flags from different members that hide a post until a moderator looks at it.
KBPORTAL_FORUM_FLAGS_TO_HIDE = env_int("KBPORTAL_FORUM_FLAGS_TO_HIDE", 3)
# Reputation that unlocks voting down, and posting more than KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED links.
KBPORTAL_FORUM_REPUTATION_TO_DOWNVOTE = env_int("KBPORTAL_FORUM_REPUTATION_TO_DOWNVOTE", 15)
KBPORTAL_FORUM_REPUTATION_FOR_LINKS = env_int("KBPORTAL_FORUM_REPUTATION_FOR_LINKS", 10)
KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED = env_int("KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED", 1)
# Accounts younger than this many days may post (questions, answers, comments) this often per hour.
KBPORTAL_FORUM_NEW_ACCOUNT_DAYS = env_int("KBPORTAL_FORUM_NEW_ACCOUNT_DAYS", 7)
KBPORTAL_FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = env_int("KBPORTAL_FORUM_NEW_ACCOUNT_POSTS_PER_HOUR", 5)
# A member's first this-many questions and answers wait for a moderator (0: none are held).
KBPORTAL_FORUM_HOLD_FIRST_POSTS = env_int("KBPORTAL_FORUM_HOLD_FIRST_POSTS", 1)
# A question still unanswered this many hours after it was asked offers its asker a support ticket.
KBPORTAL_FORUM_ESCALATION_OFFER_HOURS = env_int("KBPORTAL_FORUM_ESCALATION_OFFER_HOURS", 48)

# --- Service analytics --------------------------------------------------------------

# How long the dashboard's figures are reused for the same filters, language and time zone (0: never).
KBPORTAL_ANALYTICS_CACHE_SECONDS = env_int("KBPORTAL_ANALYTICS_CACHE_SECONDS", 300)

# --- Background jobs ----------------------------------------------------------------------

# Without a broker, tasks run inline in the web process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Mail has a queue of its own, so a slow mail server never holds up index updates or the periodic jobs.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"outbox.deliver_mail": {"queue": "mail"}}
# One task at a time per worker process: a long task does not sit on others that another process could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# Every task is bounded: the soft limit raises inside the task, the hard one ends its process.
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# A broker that is down is noticed within seconds (publishing falls back to the outbox's sweep), and a
# worker keeps reconnecting. Acknowledged-late tasks whose worker lost the broker are handed out again.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    "retry_on_timeout": True,
    # An unacknowledged task (its worker was killed) goes back to the queue after this many seconds.
    "visibility_timeout": env_int("KBPORTAL_CELERY_VISIBILITY_TIMEOUT", 3600),
}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# The transactional outbox (kbportal/outbox): attempts per delivery, the backoff between them (doubling from
# the base up to the ceiling), how long one attempt holds a delivery, how often the sweep runs, how long
# delivered rows are kept.
KBPORTAL_OUTBOX_MAX_ATTEMPTS = env_int("KBPORTAL_OUTBOX_MAX_ATTEMPTS", 10)
KBPORTAL_OUTBOX_RETRY_BASE_SECONDS = env_int("KBPORTAL_OUTBOX_RETRY_BASE_SECONDS", 30)
KBPORTAL_OUTBOX_RETRY_MAX_SECONDS = env_int("KBPORTAL_OUTBOX_RETRY_MAX_SECONDS", 3600)
KBPORTAL_OUTBOX_LEASE_SECONDS = env_int("KBPORTAL_OUTBOX_LEASE_SECONDS", 120)
KBPORTAL_OUTBOX_SWEEP_SECONDS = env_int("KBPORTAL_OUTBOX_SWEEP_SECONDS", 60)
KBPORTAL_OUTBOX_KEEP_DAYS = env_int("KBPORTAL_OUTBOX_KEEP_DAYS", 30)

# A periodic job that could not start in time is dropped (`expire_seconds`, as django-celery-beat names
# `expires`): the next run does its work.
# Beat keeps its schedule in the database (django-celery-beat), editable in the admin: at every start it writes
# the entries of CELERY_BEAT_SCHEDULE into it (task, schedule, arguments; an entry staff disabled stays disabled),
# and no schedule file is written beside the code. Run exactly one beat per deployment.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Processes per Celery worker (0: one per CPU, Celery's default).
CELERY_WORKER_CONCURRENCY = env_int("KBPORTAL_WORKER_CONCURRENCY", 0) or None
# What pages that only read record (searches, views: kbportal/buffer.py) waits in Redis with a broker, and in
# the web process otherwise; beat's drain writes it in batches this often. `memory` or `redis` to choose.
KBPORTAL_BUFFER_BACKEND = os.environ.get("KBPORTAL_BUFFER_BACKEND", "")
KBPORTAL_BUFFER_DRAIN_SECONDS = env_int("KBPORTAL_BUFFER_DRAIN_SECONDS", 5)
# Task modules that belong to no app.
CELERY_IMPORTS = ["kbportal.buffer"]
CELERY_BEAT_SCHEDULE = {
    "buffer-drain": {
        "task": "buffer.drain",
        "schedule": KBPORTAL_BUFFER_DRAIN_SECONDS,
        "options": {"expire_seconds": max(2, KBPORTAL_BUFFER_DRAIN_SECONDS)},
    },
    # The content gaps' daily rollup: recomputes the last two closed days (idempotent), and any day missing.
    "content-gap-rollup": {
        "task": "helpcenter.content_gap_rollup",
        "schedule": crontab(minute=15),
        "options": {"expire_seconds": 30 * 60},
    },
    # The search index's statistics: each key's rows (one per indexing batch) folded into one.
    "search-compact": {
        "task": "search.compact_statistics",
        "schedule": crontab(minute="*/10"),
        "options": {"expire_seconds": 9 * 60},
    },
    "sla-check": {
        "task": "tickets.tasks.sla_check_task",
        "schedule": env_int("KBPORTAL_SLA_CHECK_SECONDS", 60),
        "options": {"expire_seconds": max(10, env_int("KBPORTAL_SLA_CHECK_SECONDS", 60) - 5)},
    },
    "outbox-sweep": {
        "task": "outbox.sweep",
        "schedule": KBPORTAL_OUTBOX_SWEEP_SECONDS,
        "options": {"expire_seconds": max(5, KBPORTAL_OUTBOX_SWEEP_SECONDS - 5)},
    },
    # The managers' weekly digest: Mondays at KBPORTAL_DIGEST_HOUR (site time zone).
    "analytics-digest": {
        "task": "analytics.tasks.weekly_digest_task",
        "schedule": crontab(minute=0, hour=env_int("KBPORTAL_DIGEST_HOUR", 7), day_of_week=1),
        "options": {"expire_seconds": 6 * 60 * 60},
    },
}

# --- Health and observability ---------------------------------------------------------------

# /health/ready runs these checks (django-health-check `HealthCheck` classes, see
# kbportal/observability/health.py): the name shown in the answer → a dotted path, or (path, options).
KBPORTAL_READINESS_CHECKS = {
    "database": "kbportal.observability.health.Database",
    "cache": "kbportal.observability.health.Cache",
    "broker": "kbportal.observability.health.Broker",
    "migrations": "kbportal.observability.health.Migrations",
    "outbox": ("kbportal.outbox.health.Backlog", {"limit": env_int("KBPORTAL_HEALTH_OUTBOX_BACKLOG", 1000)}),
}
# Balancers probe over plain HTTP (HealthProbeMiddleware answers first anyway; this covers its removal).
SECURE_REDIRECT_EXEMPT = [r"^health/"]

# Request ids (django-guid): an incoming X-Request-ID is kept when it is a UUID, otherwise replaced; every
# response returns it, and Celery tasks published while it is set log it too.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}

# Error tracking (sentry-sdk), only when SENTRY_DSN is set: local.py and production.py start it.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0)
