"""Hostile input answers 4xx, never 500: a table of hostile URLs, headers and bodies, each sent by an anonymous
visitor, a signed-in user and an API token holder, each answered with the status it names, the NHS error page or
the API's error body, and nothing saved.
"""

import json
import time
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from api.auth import issue_token
from api.parsers import nesting_over
from core.hostile_input import PAGES
from core.roles import Role
from forwardplans.models import Evidence, ProgressEntry, RagChange

from ..api_support import error_of

ANONYMOUS, SIGNED_IN, TOKEN = "anonymous", "signed in", "API token"
WHO = [ANONYMOUS, SIGNED_IN, TOKEN]
BOUNDARY = "hostile-boundary"


@dataclass
class Hostile:
    method: str
    url: str
    expect: int | dict  # one status for everyone, or one for each of WHO
    body: bytes | str = b""
    content_type: str = ""
    meta: dict = field(default_factory=dict)  # headers and other WSGI environ entries, as Django names them

    def status_for(self, who):
        return self.expect if isinstance(self.expect, int) else self.expect[who]


def multipart(parts):
    """A multipart body written by hand, so that it can hold what a browser never sends."""
    body = b""
    for disposition, value in parts:
        body += f"--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def patch_json(body, expect_when_signed_in=400, **meta):
    """A PATCH of an action through the API: the anonymous caller is stopped at authentication first."""
    return Hostile("PATCH", "/api/v1/actions/{pk}/", {ANONYMOUS: 401, SIGNED_IN: expect_when_signed_in,
                                                      TOKEN: expect_when_signed_in},
                   body=body, content_type="application/json", meta={"HTTP_IF_MATCH": '"{version}"', **meta})


FORM = "application/x-www-form-urlencoded"
HOSTILE = {
    # NUL bytes and control characters in the URL (PostgreSQL refuses NUL in text: it used to answer 500)
    "nul-in-page-path": Hostile("GET", "/contracts/DOC%00-1/", 400),
    "nul-in-api-path": Hostile("GET", "/api/v1/contracts/DOC%00-1/", 400),
    "nul-in-search-query": Hostile("GET", "/search/?q=ab%00cd", 400),
    "nul-in-query-name": Hostile("GET", "/practices/?%00=1", 400),
    "nul-in-api-filter": Hostile("GET", "/api/v1/practices/?search=%00", 400),
    "raw-nul-in-query": Hostile("GET", "/practices/", 400, meta={"QUERY_STRING": "q=a\x00b"}),
    "nul-in-login-next": Hostile("GET", "/accounts/login/?next=%00", 400),
    "line-break-in-path": Hostile("GET", "/actions/{pk}%0A/", 400),
    # Bytes that are not UTF-8
    "invalid-utf8-in-query": Hostile("GET", "/search/?q=%FF%FE", 400),
    "invalid-utf8-in-api-query": Hostile("GET", "/api/v1/practices/?search=%C3%28", 400),
    # (Django percent-encodes a path's bytes that are not UTF-8 again: a reference that matches nothing.)
    "invalid-utf8-in-api-path": Hostile("GET", "/api/v1/contracts/", {ANONYMOUS: 401, SIGNED_IN: 404, TOKEN: 404},
                                        meta={"PATH_INFO": "/api/v1/contracts/DOC-1\xff\xfe/"}),
    # Too long
    "overlong-path": Hostile("GET", "/practices/" + "a" * 9000 + "/", 414),
    "overlong-query": Hostile("GET", "/search/?q=" + "a" * 9000, 414),
    "overlong-header": Hostile("GET", "/practices/", 431, meta={"HTTP_X_NOTE": "a" * 9000}),
    "overlong-cookie": Hostile("GET", "/practices/", 431, meta={"HTTP_COOKIE": "sessionid=" + "a" * 9000}),
    "overlong-api-token": Hostile("GET", "/api/v1/practices/", 431,
                                  meta={"HTTP_AUTHORIZATION": "Token " + "a" * 9000}),
    "too-many-headers": Hostile("GET", "/practices/", 431, meta={f"HTTP_X_H{n}": "1" for n in range(120)}),
    # NUL and control characters in headers
    "nul-in-cookie": Hostile("GET", "/practices/", 400, meta={"HTTP_COOKIE": "sessionid=abc\x00def"}),
    "nul-in-forwarded-for": Hostile("GET", "/practices/", 400, meta={"HTTP_X_FORWARDED_FOR": "10.0.0.1\x00"}),
    "nul-in-api-token": Hostile("GET", "/api/v1/practices/", 400, meta={"HTTP_AUTHORIZATION": "Token a\x00b"}),
    "nul-in-if-match": Hostile("PATCH", "/api/v1/actions/{pk}/", 400, body='{"progress_note": "x"}',
                               content_type="application/json", meta={"HTTP_IF_MATCH": '"1\x00"'}),
    "unknown-host": Hostile("GET", "/practices/", 400, meta={"HTTP_HOST": "attacker.invalid"}),
    "content-length-not-a-number": Hostile("POST", "/accounts/login/", 400, body="username=x", content_type=FORM,
                                           meta={"CONTENT_LENGTH": "10abc"}),
    # Form bodies
    "nul-in-login-username": Hostile("POST", "/accounts/login/", 400, body="username=a%00b&password=x",
                                     content_type=FORM),
    "nul-in-form-field-name": Hostile("POST", "/accounts/login/", 400, body="user%00name=a&password=x",
                                      content_type=FORM),
    "nul-in-progress-note": Hostile("POST", "/actions/{pk}/progress/", 400,
                                    body="text=before%00after&entry_date=2026-03-03&version={version}",
                                    content_type=FORM),
    "nul-in-multipart-field": Hostile("POST", "/actions/{pk}/evidence/", 400, body=multipart([
        ('name="version"', b"{version}\x00"), ('name="file"; filename="minutes.pdf"', b"%PDF-1.4\n")]),
        content_type=f"multipart/form-data; boundary={BOUNDARY}"),
    "too-many-form-fields": Hostile("POST", "/accounts/login/", 400,
                                    body="&".join(f"f{n}=1" for n in range(1100)), content_type=FORM),
    "multipart-without-boundary": Hostile("POST", "/accounts/login/", 400, body="username=x",
                                          content_type="multipart/form-data"),
    "form-over-the-limit": Hostile("POST", "/accounts/login/", 413, body="username=" + "a" * (1024 * 1024),
                                   content_type=FORM),
    "upload-declared-over-the-limit": Hostile("POST", "/actions/{pk}/evidence/", 413, body=multipart([]),
                                              content_type=f"multipart/form-data; boundary={BOUNDARY}",
                                              meta={"CONTENT_LENGTH": str(50 * 1024 * 1024)}),
    # JSON to the API
    "json-over-the-limit": Hostile("PATCH", "/api/v1/actions/{pk}/", 413,
                                   body=json.dumps({"progress_note": "a" * (3 * 1024 * 1024)}),
                                   content_type="application/json", meta={"HTTP_IF_MATCH": '"{version}"'}),
    "json-10000-nested-arrays": patch_json("[" * 10_000 + "]" * 10_000),
    "json-10000-nested-objects": patch_json('{"a":' * 10_000 + "1" + "}" * 10_000),
    "json-nul-in-a-string": patch_json('{"progress_note": "before\\u0000after"}'),
    "json-invalid-utf8": patch_json(b'{"progress_note": "caf\xe9"}'),
    "json-nan": patch_json('{"progress_note": NaN}'),
    "json-5000-digit-number": patch_json('{"progress_note": 1' + "0" * 5000 + "}"),
    "json-not-an-object": patch_json('["progress_note"]'),
    "json-truncated": patch_json('{"progress_note": "x'),
    "if-match-huge-version": patch_json('{"progress_note": "x"}', expect_when_signed_in=412,
                                        HTTP_IF_MATCH='"99999999999999999999999999"'),
    "if-match-garbage": patch_json('{"progress_note": "x"}', expect_when_signed_in=412, HTTP_IF_MATCH="W/\"'; --"),
    "api-id-out-of-range": Hostile("GET", "/api/v1/actions/99999999999999999999999/",
                                   {ANONYMOUS: 401, SIGNED_IN: 404, TOKEN: 404}),
}


@pytest.fixture
def callers(docs):
    user = docs["users"][Role.PRACTICE_LEAD]
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(user)
    return {ANONYMOUS: (Client(raise_request_exception=False), {}),
            SIGNED_IN: (signed_in, {}),
            TOKEN: (Client(raise_request_exception=False), {"HTTP_AUTHORIZATION": f"Token {issue_token(user)[1]}"})}


def fill(text, docs):
    action = docs["action"]
    if isinstance(text, bytes):
        return text.replace(b"{pk}", str(action.pk).encode()).replace(b"{version}", str(action.version).encode())
    return text.replace("{pk}", str(action.pk)).replace("{version}", str(action.version))


def send(client, hostile, docs, identity_meta):
    meta = {**identity_meta, **{key: fill(value, docs) for key, value in hostile.meta.items()}}
    if "HTTP_AUTHORIZATION" in hostile.meta:
        meta["HTTP_AUTHORIZATION"] = hostile.meta["HTTP_AUTHORIZATION"]
    body = fill(hostile.body, docs)
    return client.generic(hostile.method, fill(hostile.url, docs), body, content_type=hostile.content_type, **meta)


def saved_state(docs):
    docs["action"].refresh_from_db()
    return (docs["action"].version, ProgressEntry.objects.count(), RagChange.objects.count(), Evidence.objects.count(),
            AccessAttempt.objects.count())


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_answers_4xx_and_saves_nothing(callers, docs, hostile, settings, tmp_path):
    """Each hostile request as an anonymous visitor, a signed-in user and an API token (one data set for the three:
    nothing is saved by any of them)."""
    settings.MEDIA_ROOT = tmp_path
    before = saved_state(docs)
    for who in WHO:
        client, identity_meta = callers[who]
        response = send(client, hostile, docs, identity_meta)
        expected = hostile.status_for(who)
        assert response.status_code == expected, (who, response.status_code, response.content[:300])
        assert 400 <= response.status_code < 500
        if fill(hostile.url, docs).startswith("/api/"):
            error_of(response, expected)  # the API's one error body
        else:
            page = response.content.decode()
            assert response["Content-Type"].startswith("text/html"), who
            assert "nhsuk-header" in page and f"<h1>{PAGES[expected][0]}</h1>" in page, who
        assert saved_state(docs) == before, who
        assert [path for path in tmp_path.rglob("*") if path.is_file()] == [], who


@pytest.mark.parametrize("who", WHO)
def test_ordinary_requests_still_pass_the_door(callers, docs, who):
    """The same door lets ordinary requests through: Unicode in the query, a long but fair search, a real upload."""
    client, identity_meta = callers[who]
    search = client.get("/search/", {"q": "Café ✓ " + "x" * 150}, **identity_meta)
    assert search.status_code == (302 if who != SIGNED_IN else 200)
    api = client.get("/api/v1/practices/", {"search": "Café"}, **identity_meta)
    assert api.status_code == {ANONYMOUS: 401, SIGNED_IN: 200, TOKEN: 200}[who]


def test_a_json_patch_within_the_limits_still_saves(callers, docs):
    client, identity_meta = callers[TOKEN]
    action = docs["action"]
    response = client.patch(f"/api/v1/actions/{action.pk}/", json.dumps({"progress_note": "Nested [{ in text }]"}),
                            content_type="application/json", HTTP_IF_MATCH=f'"{action.version}"', **identity_meta)
    assert response.status_code == 200, response.content
    assert ProgressEntry.objects.filter(text="Nested [{ in text }]").exists()


def test_a_10000_character_username_is_refused_by_the_sign_in_form(client, db):
    """Refused with the form's message before anything looks the name up (the lock-out's record used to raise)."""
    response = client.post(reverse("login"), {"username": "a" * 10_000, "password": "whatever-it-is"})
    page = response.content.decode()
    assert response.status_code == 200  # the sign-in page again, with its error summary
    assert "There is a problem" in page and "Enter a username of 150 characters or fewer" in page
    assert not AccessAttempt.objects.exists()
    long_password = client.post(reverse("login"), {"username": "someone", "password": "p" * 5000})
    assert "Enter a password of 4096 characters or fewer" in long_password.content.decode()


@pytest.mark.parametrize(("text", "over"), [
    ("[" * 32 + "]" * 32, False),
    ("[" * 33 + "]" * 33, True),
    ('{"a": ' * 33 + "1" + "}" * 33, True),
    ('{"note": "' + "[" * 500 + '"}', False),  # brackets in a string are text
    ('{"note": "a \\" [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ b"}', False),  # an escaped quote does not end it
    ("[" * 20 + "]" * 20 + "[" * 20 + "]" * 20, False),  # many brackets, never deep
    ('["a\\\\"' + "[" * 40 + "]" * 41, True),  # an escaped backslash ends the string: the brackets after count
    ('["\\"' + "[" * 40 + '"]', False),  # an escaped quote does not end it: the brackets are text
])
def test_the_api_parser_counts_nesting_not_brackets(text, over):
    assert nesting_over(text.encode(), 32) is over


def test_the_nesting_count_takes_linear_time_on_hostile_text():
    """A megabyte of escaped quotes and brackets (a backtracking pattern would take minutes on it)."""
    hostile = b'["' + b'\\"[' * 340_000 + b'"]'
    started = time.perf_counter()
    assert nesting_over(hostile, 32) is False
    assert time.perf_counter() - started < 5
