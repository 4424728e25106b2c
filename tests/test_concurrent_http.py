"""No lost updates: 50 concurrent RAG/progress updates to one action, from 50 sessions, over HTTP against
PostgreSQL (the live server answers each request in its own thread with its own connection).

Each client reads the action's ETag and sends its update with If-Match (retrying twice after a 412, as
a user would). Every update is either saved (200) or refused as stale (412); the history holds exactly
the saved ones; nothing is overwritten.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest

from forwardplans.models import Action, ProgressEntry, RagChange
from resilience.api.auth import issue_token
from resilience.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 50


def call(method, url, token, body=None, headers=None):
    assert url.startswith("http://"), url  # only the test's own live server
    request = urllib.request.Request(  # noqa: S310
        url, method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  # nosec B310 - our live server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_fifty_concurrent_updates_lose_nothing(live_server, docs, capsys):
    users, action = docs["users"], docs["action"]
    writers = [users[Role.PRACTICE_USER], users[Role.PRACTICE_LEAD], users[Role.RCGP_ADVISER],
               users[Role.RCGP_DEPUTY_LEAD]]
    tokens = [issue_token(writers[i % len(writers)], name=f"client {i}")[1] for i in range(CLIENTS)]
    url = f"{live_server.url}/api/v1/actions/{action.pk}/"
    barrier = threading.Barrier(CLIENTS)
    results = [None] * CLIENTS

    def client(index):
        try:
            run_client(index)
        except Exception as exc:  # noqa: BLE001 - recorded and reported by the assertions below
            results[index] = (f"{type(exc).__name__}: {exc}", None, None)

    def run_client(index):
        """Read the ETag, send the update; on 412 read again and retry, up to three tries in all."""
        barrier.wait()
        attempts = []
        for attempt in range(3):
            status, headers, body = call("GET", url, tokens[index])
            if status != 200:
                attempts.append((f"GET {status}: {body[:200]!r}", None))
                break
            note = f"note from client {index}, try {attempt + 1}"
            status, _headers, _body = call("PATCH", url, tokens[index], headers={"If-Match": headers["ETag"]},
                                           body={"rag_status": "amber" if index % 2 else "red",
                                                 "progress_note": note, "reason": note})
            attempts.append((status, note))
            if status != 412:
                break
        results[index] = attempts

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    sent = [a for attempts in results for a in (attempts or [])]
    saved = [note for status, note in sent if status == 200]
    refused = [note for status, note in sent if status in (409, 412)]
    assert len(saved) + len(refused) == len(sent), sorted({str(status) for status, _note in sent})
    assert saved, "at least one update must win"
    notes = set(ProgressEntry.objects.filter(action=action).values_list("text", flat=True))
    assert notes == set(saved)  # exactly the saved ones, none of the refused
    # Each saved RAG change bumped the version once (a note alone leaves the action's fields, and so its
    # ETag, unchanged: two notes cannot overwrite each other).
    rag_changes = RagChange.objects.filter(action=action)
    assert Action.objects.get(pk=action.pk).version == action.version + rag_changes.count()
    assert set(rag_changes.values_list("reason", flat=True)) <= set(saved)
    lost = len(saved) - len(notes)
    with capsys.disabled():
        print(f"\nconcurrent updates: clients={CLIENTS} sent={len(sent)} saved={len(saved)} "
              f"refused={len(refused)} lost={lost}")
    assert lost == 0
