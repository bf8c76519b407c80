from django.conf import settings
from django.core import checks

# Caches whose counters one process cannot see from another, or whose increments can lose counts.
NOT_SHARED = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.db.DatabaseCache",
}


@checks.register(checks.Tags.caches)
def rate_limit_store_is_shared(app_configs, **kwargs) -> list[checks.CheckMessage]:
    backend = settings.CACHES.get(settings.RATELIMIT_USE_CACHE, {}).get("BACKEND", "")
    if backend and backend not in NOT_SHARED:
        return []
    return [
        checks.Error(
            f"The rate-limit cache {settings.RATELIMIT_USE_CACHE!r} ({backend or 'missing'}) is not shared "
            "exactly between processes, so every worker would allow the whole rate.",
            hint="Use Redis (REDIS_URL) or kbportal.security.cache.CounterDatabaseCache.",
            id="security.E001",
        )
    ]


@checks.register()
def rate_limits_are_well_formed(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from .ratelimits import RATE

    return [
        checks.Error(
            f"The rate limit {group}:{per} is {rate!r}, which is not a rate: nothing would be limited.",
            hint='Write "count/period" with a period of s, m, h or d, e.g. KBPORTAL_RATE_CONTACT_ADDRESS=3/h.',
            id="security.E002",
        )
        for group, limits in settings.KBPORTAL_RATE_LIMITS.items()
        for per, rate in limits.items()
        if not RATE.fullmatch(rate)
    ]
