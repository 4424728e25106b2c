"""The load generator (locust, headless, in its own process): one endpoint at a time, closed loop, no think time.

    BENCH_TARGETS=var/bench/targets.json BENCH_ENDPOINT=plan BENCH_SAMPLES=var/bench/samples/plan-8.json \
        var/bench/venv/bin/locust -f bench/locustfile.py --headless -u 8 -r 8 -t 20s --host http://127.0.0.1:8765

bench/run.py writes the targets file (paths, session cookies, API tokens, the actions each simulated user
changes) and runs this once per endpoint and number of users. Every request's start time, duration and
outcome is written to BENCH_SAMPLES when the run stops, so run.py can compute exact percentiles over the
steady state (locust's own statistics round durations).

Each simulated user takes the next of the endpoint's logins (a session cookie, or an API token header). GETs
cycle through the login's paths (or the endpoint's), each simulated user from its own starting point.
``rag_update`` POSTs a RAG change (Red <-> Amber, with a reason) to its login's actions in turn: the form the
action page sends, with htmx's header so the RAG panel comes back, and the version run.py read from the
database just before the run; the new version is kept from each answer (a refused change re-reads the panel).
"""

import itertools
import json
import os
import re
import time
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task

TARGETS = json.loads(open(os.environ["BENCH_TARGETS"]).read())  # noqa: SIM115
ENDPOINT = os.environ["BENCH_ENDPOINT"]
SPEC = TARGETS["endpoints"][ENDPOINT]
SAMPLES = []
STATE = {"spawned_at": None}
_numbers = itertools.count()

VERSION = re.compile(rb'name="version" value="(\d+)"')
OFFERED = re.compile(rb'name="to_status" type="radio" value="(\w+)"')


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **_kwargs):
    if name.startswith("setup:"):
        return
    now = time.time()
    SAMPLES.append((round(now - response_time / 1000, 6), round(response_time, 3), exception is None,
                    response_length))


@events.spawning_complete.add_listener
def _spawned(user_count, **_kwargs):
    STATE["spawned_at"] = time.time()


@events.quitting.add_listener
def _write(environment, **_kwargs):
    path = os.environ.get("BENCH_SAMPLES")
    if path:
        with open(path, "w") as out:
            json.dump({"endpoint": ENDPOINT, "spawned_at": STATE["spawned_at"], "samples": SAMPLES}, out)


def _rag_state(body):
    """(version, current status) from the RAG panel: the radios offer every status but the current one."""
    version = VERSION.search(body)
    offered = {m.decode() for m in OFFERED.findall(body)}
    current = ({"red", "amber", "green"} - offered).pop() if len(offered) == 2 else None
    return (int(version.group(1)) if version else None), current


class BenchUser(FastHttpUser):
    wait_time = constant(0)
    # One connection per simulated user, as a browser tab would keep.
    concurrency = 1

    def on_start(self):
        self.number = next(_numbers)
        login = SPEC["logins"][self.number % len(SPEC["logins"])]
        self.headers = dict(login.get("headers", {}))
        if login.get("cookie"):
            self.headers["Cookie"] = login["cookie"]
        self.csrf = login.get("csrf")
        if ENDPOINT == "rag_update":
            # {pk, version, status} as run.py read them just before this run.
            self.actions = [dict(action) for action in login["actions"]]
            self.turn = itertools.cycle(self.actions)
        else:
            paths = login.get("paths") or SPEC["paths"]
            start = self.number * 7 % len(paths)
            self.paths = itertools.cycle(paths[start:] + paths[:start])

    @task
    def hit(self):
        if ENDPOINT == "rag_update":
            self._change_rag(next(self.turn))
            return
        path = next(self.paths)
        with self.client.get(path, headers=self.headers, name=ENDPOINT, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    def _read_panel(self, action):
        path = f"/actions/{action['pk']}/rag/"
        response = self.client.get(path, headers={**self.headers, "HX-Request": "true"}, name="setup:rag_panel")
        action["version"], action["status"] = _rag_state(response.content or b"")

    def _change_rag(self, action):
        to = "amber" if action["status"] in ("red", "green") else "red"
        body = urlencode({"version": action["version"], "to_status": to, "reason": f"Benchmark: moved to {to}.",
                          "evidence_justification": ""})
        headers = {**self.headers, "HX-Request": "true", "X-CSRFToken": self.csrf,
                   "Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(f"/actions/{action['pk']}/rag/", data=body, headers=headers, name=ENDPOINT,
                              catch_response=True) as response:
            version, status = _rag_state(response.content or b"")
            if response.status_code != 200 or status != to:
                response.failure(f"{response.status_code}: not changed")
                self._read_panel(action)
                return
            action["version"], action["status"] = version, status
