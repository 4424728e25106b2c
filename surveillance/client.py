"""HTTP for the syncs: GET with a timeout, a few tries on faults that may pass, and a reason when it still fails.

The standard library's urllib, so the product needs no HTTP package of its own.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class FetchFailed(Exception):
    """A request that failed after its tries; the message is the reason for the run report."""


def _retry_after(error):
    """Seconds the server asked us to wait (Retry-After in seconds), capped by SYNC_RETRY_AFTER_MAX."""
    try:
        wait = float(error.headers.get("Retry-After", "1"))
    except (TypeError, ValueError):
        wait = 1.0
    return max(0.0, min(wait, settings.SYNC_RETRY_AFTER_MAX))


def get_bytes(url, *, headers=None, attempts=None, timeout=None, sleep=time.sleep):
    """The body of ``url``; retries timeouts, 429 (after its Retry-After) and 5xx; raises FetchFailed."""
    attempts = attempts or settings.SYNC_HTTP_ATTEMPTS
    timeout = timeout or settings.SYNC_HTTP_TIMEOUT
    request = urllib.request.Request(url, headers={"Accept": "application/json, */*", **(headers or {})})  # noqa: S310
    reason = "not tried"
    for attempt in range(1, attempts + 1):
        wait = 0.0
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310 - https from settings
                return response.read()
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code} {exc.reason}"
            if exc.code not in RETRYABLE_STATUS:
                raise FetchFailed(reason) from None
            wait = _retry_after(exc) if exc.code == 429 else 0.5 * attempt
            if exc.code == 429:
                reason += f" (Retry-After {exc.headers.get('Retry-After', 'not given')})"
        except TimeoutError:
            reason = f"timed out after {timeout:g}s"
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                reason = f"timed out after {timeout:g}s"
            else:
                reason = f"could not connect: {exc.reason}"
        except (ConnectionError, OSError) as exc:
            reason = f"connection failed: {exc}"
        if attempt < attempts:
            sleep(wait)
    raise FetchFailed(f"{reason}, after {attempts} tries")


def get_json(url, *, headers=None, attempts=None, timeout=None):
    """The decoded JSON of ``url``; a malformed body is tried again like a fault, then FetchFailed."""
    attempts = attempts or settings.SYNC_HTTP_ATTEMPTS
    reason = "not tried"
    for _attempt in range(attempts):
        body = get_bytes(url, headers=headers, attempts=attempts, timeout=timeout)
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            reason = f"malformed JSON: {exc}"
    raise FetchFailed(f"{reason}, after {attempts} tries")


def cqc_headers():
    key = settings.CQC_API_KEY
    return {"Ocp-Apim-Subscription-Key": key} if key else {}


def cqc_url(path, **query):
    base = settings.CQC_API_BASE_URL.rstrip("/")
    return f"{base}/{path.lstrip('/')}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
