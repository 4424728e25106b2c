"""The API's JSON parser: a bounded body and a bounded depth, so that no JSON body can answer 500.

DRF reads the request stream itself (DATA_UPLOAD_MAX_MEMORY_SIZE does not apply to it), and Python's json module
raises RecursionError, not ValueError, on a few thousand levels of nesting. This parser reads at most
DATA_UPLOAD_MAX_MEMORY_SIZE + 1 bytes (more is 413, the rest never read) and counts the nesting before parsing
(deeper than API_JSON_MAX_DEPTH is 400).
"""

import io
import re

from django.conf import settings
from rest_framework import exceptions, parsers, status

DEFAULT_MAX_DEPTH = 32
# What matters for nesting: brackets, and the quotes and backslashes that say whether a bracket is inside a string.
_SPECIAL = re.compile(rb'[\[\]{}"\\]')
QUOTE, BACKSLASH = ord('"'), ord("\\")
OPENING, CLOSING = frozenset(b"[{"), frozenset(b"]}")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def max_body_bytes():
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 1024 * 1024


def max_depth():
    return getattr(settings, "API_JSON_MAX_DEPTH", None) or DEFAULT_MAX_DEPTH


def nesting_over(data, limit):
    """Whether the JSON text nests arrays and objects deeper than ``limit``. One pass over its brackets, quotes and
    backslashes (brackets in strings are text), linear whatever the input."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth, in_string, escaped_before = 0, False, -1
    for match in _SPECIAL.finditer(data):
        position = match.start()
        if position < escaped_before:
            continue  # the character after a backslash in a string
        character = data[position]
        if in_string:
            if character == BACKSLASH:
                escaped_before = position + 2
            elif character == QUOTE:
                in_string = False
        elif character == QUOTE:
            in_string = True
        elif character in OPENING:
            depth += 1
            if depth > limit:
                return True
        elif character in CLOSING:
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity) behind a size and a depth limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"The request body must be at most {limit} bytes.")
        depth = max_depth()
        if nesting_over(data, depth):
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {depth} levels.")
        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError:  # not reached within the depth limit; kept so that no nesting can answer 500
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
