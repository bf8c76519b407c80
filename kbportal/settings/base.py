"""Settings shared by every profile.

The environment is read here and nowhere else; the other profiles only tighten
or adapt what this module sets. Every variable is listed in the README.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

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
    return int(value) if value else default


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
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kbportal.apps.KbportalConfig",
    "kbportal.accounts.apps.AccountsConfig",
    "kbportal.search.apps.SearchConfig",
    "kbportal.announcements.apps.AnnouncementsConfig",
    "kbportal.analytics.apps.AnalyticsConfig",
    "articles.apps.ArticlesConfig",
    "tickets.apps.TicketsConfig",
    "community.apps.CommunityConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kbportal.middleware.ViewerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kbportal.middleware.ContentSecurityPolicyMiddleware",
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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# SQLite is tuned for a small multi-user site: WAL lets readers work while one
# writer writes, the busy timeout makes a second writer wait instead of failing,
# and IMMEDIATE transactions take the write lock up front so two transactions
# never deadlock upgrading a read lock.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
    ),
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'kbportal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
# Backups (README, "Backup and restore"): the table-less permission holder is no part of a dump, and
# dumps keep times to the microsecond.
DATABASE_ROUTERS = ["kbportal.backup.routers.UnmanagedModelsRouter"]
SERIALIZATION_MODULES = {"json": "kbportal.backup.serializers"}

# --- Cache --------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "kbportal"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["kbportal.accounts.backends.EmailOrUsernameBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "articles:home"
LOGOUT_REDIRECT_URL = "articles:home"

# --- Internationalisation ---------------------------------------------------------

LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "kbportal" / "locale"]
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
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Deny by default: every view states who may use it.
    "DEFAULT_PERMISSION_CLASSES": ["kbportal.api.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "kbportal.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"feedback": "60/minute", "forum": "60/minute"},
}
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
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
CELERY_BEAT_SCHEDULE = {
    "sla-check": {"task": "tickets.tasks.sla_check_task", "schedule": env_int("KBPORTAL_SLA_CHECK_SECONDS", 60)},
    # The managers' weekly digest: Mondays at KBPORTAL_DIGEST_HOUR (site time zone).
    "analytics-digest": {
        "task": "analytics.tasks.weekly_digest_task",
        "schedule": crontab(minute=0, hour=env_int("KBPORTAL_DIGEST_HOUR", 7), day_of_week=1),
    },
}
