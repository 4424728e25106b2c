"""The address of the client that sent a request, the same for the sign-in lockout, the API throttle and the logs.

``TRUSTED_PROXY_COUNT`` (default 0) says how many reverse proxies of our own stand in front of the application.
Each appends the address it received the request from to ``X-Forwarded-For``, so with N trusted proxies the
client is the N-th entry from the right; anything further left was written by the client and may be forged. With
no trusted proxy the header is ignored: the address is the connection's own (``REMOTE_ADDR``).
"""

import ipaddress

from django.conf import settings


def _valid(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's IP address as text ('' when the request carries none that is valid)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or ""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    # Fewer entries than proxies: the request passed fewer proxies than configured; the left-most entry is the
    # furthest one that a proxy of ours wrote (as Django REST framework's NUM_PROXIES reads it).
    return _valid(entries[-min(count, len(entries))]) or remote
