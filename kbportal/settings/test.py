"""The test profile: fast hashing, in-memory mail, the same database logic as base."""

import copy
import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests of one feature post far more often than a person would; the limits have tests of their own, which
# set the rates they check. Counters stay in the test database (rolled back with each test) even with Redis.
KBPORTAL_RATE_LIMITS = {group: dict.fromkeys(limits, "10000/m") for group, limits in KBPORTAL_RATE_LIMITS.items()}
CACHES["ratelimit"] = RATE_LIMIT_DATABASE_CACHE

# A file, not SQLite's shared in-memory database: concurrency tests run real threads,
# which need WAL and the busy timeout rather than shared-cache table locks.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file per test process, so two test runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"kbportal-test-{os.getpid()}.sqlite3")}

# Read replicas (kbportal/replicas.py). Every replica alias is a TEST MIRROR of default: Django makes no test
# database on it (a streaming replica cannot write) and gives it default's test database name, keeping its own
# server. On a real replica (DATABASE_REPLICA_URLS) that database exists because the replica replays its CREATE
# DATABASE and migrations; without one, "replica1" is a second connection to the test database itself, a
# replica without lag, so the router's tests run on SQLite too. Routing stays off: the suite tests features on
# one database, and the tests of the router (tests/kbportal/test_replicas*.py) turn it on.
if not DATABASE_REPLICAS:
    DATABASES["replica1"] = copy.deepcopy(DATABASES["default"])
for _alias in DATABASES:
    if _alias != "default":
        DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
DATABASE_REPLICAS = []

# Parallel test processes share one Redis: each keeps its keys apart, so one test's cached banner or
# figures never show up (or vanish) in another's.
if "KEY_PREFIX" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = f"kbportal-test-{os.getpid()}"

# Existing tests sign staff in with a password alone; the two-factor tests turn enforcement on themselves.
KBPORTAL_STAFF_REQUIRE_2FA = False

# Searches and views wait in the process and are written after each response, whatever REDIS_URL says; the
# Redis backend has tests of its own.
KBPORTAL_BUFFER_BACKEND = "memory"

# Every test sees the figures it just made; caching is tested on its own.
KBPORTAL_ANALYTICS_CACHE_SECONDS = 0
