"""Where the contact form learns of known issues: a provider that the service notices register.

The help center stands below the top floor that publishes service notices (kbportal.announcements), so it does
not import them: announcements registers its `known_issues` selector here in its AppConfig.ready(). Without it
the contact form simply names no known issue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# (product_version id or None, user) -> the notices to show, each with `title_in(language)`.
KnownIssues = Callable[..., Sequence[Any]]


def _none_known(*, product_version: int | None, user: Any) -> Sequence[Any]:
    return ()


_provider: list[KnownIssues] = [_none_known]


def register_known_issues(provider: KnownIssues) -> None:
    _provider[0] = provider


def known_issues(*, product_version: int | None, user: Any) -> Sequence[Any]:
    """Running incidents of that product version that `user` may see, as the registered provider says."""
    return _provider[0](product_version=product_version, user=user)
