"""The client's address, taken only from proxies the operator says are in front of the site.

`X-Forwarded-For` is written by whoever sends the request, so it is trusted only for as many hops as
`KBPORTAL_TRUSTED_PROXY_COUNT` says: each trusted proxy appends the address it saw, so with N proxies the
client is the N-th entry from the right. With no trusted proxy (the default) the header is ignored and the
socket's address counts. Lockouts and rate limits both read the address here, so they always agree.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a placeholder, never bound
    proxies = settings.KBPORTAL_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request skipped a proxy, so nothing in the header can be trusted.
        return peer
    return _address(forwarded[-proxies]) or peer


def _address(hop: str) -> str | None:
    """The address in one X-Forwarded-For entry; some proxies write "1.2.3.4:5678" or "[2001:db8::1]:443"."""
    if hop.startswith("["):
        hop = hop[1:].partition("]")[0]
    elif hop.count(":") == 1:
        hop = hop.partition(":")[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None
