"""No write is lost: rounds of 20 simultaneous writes from the same version, over real HTTP, to gunicorn with several
worker processes and threads each, on the test database.

Every write carries the version it read (the API's If-Match, the page's hidden field). Whatever the writes change
(the RAG status, or only a progress note), exactly one of a round is saved and gives a new version (a new ETag);
the others are refused: 412 from the API, the stale-edit page (409) in the browser. Nothing else is saved.
"""

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from api.auth import issue_token
from core.roles import Role
from forwardplans.models import Action, ProgressEntry, RagChange

from .. import servers
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS, ROUNDS = 20, 6
WRITERS = [Role.PRACTICE_USER, Role.PRACTICE_LEAD, Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD]


@pytest.fixture
def gunicorn(docs, tmp_path):
    """gunicorn serving the test database: 3 worker processes of 4 threads each."""
    with servers.gunicorn(tmp_path, "--workers", "3", "--threads", "4", "--worker-class", "gthread") as (base, _p, _w):
        yield base


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _call(opener, method, url, body=None, headers=None):
    assert url.startswith("http://127.0.0.1:"), url  # only the test's own server
    request = urllib.request.Request(url, method=method, data=body, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _together(calls):
    """Run the calls at the same moment, one thread each; their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertions
            results[index] = (f"{type(exc).__name__}: {exc}", {}, "")

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_rounds_of_simultaneous_api_writes_from_one_etag_save_exactly_one(gunicorn, docs, capsys):
    users, action = docs["users"], docs["action"]
    url = f"{gunicorn}/api/v1/actions/{action.pk}/"
    opener = urllib.request.build_opener()
    tokens = [issue_token(users[WRITERS[i % len(WRITERS)]], name=f"client {i}")[1] for i in range(CLIENTS)]

    def patch(index, etag, body):
        return lambda: _call(opener, "PATCH", url, json.dumps(body).encode(), {
            "Authorization": f"Token {tokens[index]}", "Content-Type": "application/json", "If-Match": etag})

    saved_notes = []
    for round_ in range(ROUNDS):
        status, headers, body = _call(opener, "GET", url, headers={"Authorization": f"Token {tokens[0]}"})
        etag, rag = headers["ETag"], json.loads(body)["rag_status"]
        other = "amber" if rag == "red" else "red"
        # In turn: every write changes the RAG status; every write adds a note only (the winner must still move the
        # ETag); half and half.
        kinds = [["rag"] * CLIENTS, ["note"] * CLIENTS, ["rag", "note"] * (CLIENTS // 2)][round_ % 3]
        bodies = [{"progress_note": f"round {round_} note {i}"} if kind == "note" else
                  {"rag_status": other, "reason": f"round {round_} rag {i}"} for i, kind in enumerate(kinds)]
        results = _together([patch(i, etag, bodies[i]) for i in range(CLIENTS)])
        statuses = sorted(status for status, _h, _b in results)
        assert statuses == [200] + [412] * (CLIENTS - 1), (round_, statuses, [b[:200] for _s, _h, b in results])
        [(winner, winner_headers)] = [(i, h) for i, (status, h, _b) in enumerate(results) if status == 200]
        assert winner_headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'  # a note alone moves the ETag too
        if "progress_note" in bodies[winner]:
            saved_notes.append(bodies[winner]["progress_note"])
        for status, headers, body in results:
            if status == 412:
                assert headers["ETag"] == winner_headers["ETag"] and "Someone else changed" in body
    action.refresh_from_db()
    assert action.version == 1 + ROUNDS
    assert sorted(ProgressEntry.objects.filter(action=action).values_list("text", flat=True)) == sorted(saved_notes)
    assert RagChange.objects.filter(action=action).count() == ROUNDS - len(saved_notes) >= 2
    with capsys.disabled():
        print(f"\nAPI: {ROUNDS} rounds of {CLIENTS} simultaneous writes, one saved in each "
              f"({len(saved_notes)} by a note alone)")


def _signed_in(base, user):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    _status, _headers, page = _call(opener, "GET", f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    status, _headers, _body = _call(opener, "POST", f"{base}/accounts/login/", urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "username": user.username, "password": PASSWORD}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, status
    return opener


def test_rounds_of_simultaneous_page_writes_from_one_version_save_exactly_one(gunicorn, docs):
    users, action = docs["users"], docs["action"]
    page_url = f"{gunicorn}/actions/{action.pk}/"
    browsers = [_signed_in(gunicorn, users[WRITERS[i % len(WRITERS)]]) for i in range(CLIENTS)]
    for round_ in range(5):
        forms = []
        for opener in browsers:  # each reads the action page, as a person opening it would
            _status, _headers, page = _call(opener, "GET", page_url)
            forms.append((re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1],
                          re.search(r'class="app-action-version-\d+" name="version" value="(\d+)"', page)[1]))
        rag = Action.objects.get(pk=action.pk).rag_status
        other = "amber" if rag == "red" else "red"

        def post(i, opener, csrf, version, round_=round_, other=other):
            if i % 2:
                path, fields = "progress/", {"text": f"round {round_} note {i}"}
            else:
                path, fields = "rag/", {"to_status": other, "reason": f"round {round_} rag {i}"}
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "version": version, **fields}).encode()
            return lambda: _call(opener, "POST", page_url + path, body,
                                 {"Content-Type": "application/x-www-form-urlencoded", "Referer": page_url})

        results = _together([post(i, browsers[i], *forms[i]) for i in range(CLIENTS)])
        statuses = sorted(status for status, _h, _b in results)
        assert statuses == [302] + [409] * (CLIENTS - 1), (round_, statuses)
        for status, _headers, body in results:
            if status == 409:  # the stale-edit page: the action page, what changed, and the writer's own text
                assert "Someone else changed this action" in body and f'id="rag-panel-{action.pk}"' in body
    assert Action.objects.get(pk=action.pk).version == 1 + 5
