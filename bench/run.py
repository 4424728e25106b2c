"""`make bench`: the England-scale benchmark, end to end. Writes bench/results.json and the tables in
docs/performance.md.

1. Two new PostgreSQL databases (BENCH_DATABASE_URL, default .../resilience_bench, and the same name + _grown;
   their names must contain "bench": they are dropped and made again), migrated and filled by
   `generate_scale_data` (timed): England, and the same England with four times the contracts, plans and
   their history (`--history 4`). Static files collected.
2. gunicorn, 2 sync workers, the production settings (bench/settings.py adds only the baseline URLs; DEBUG off,
   manifest static files served by whitenoise) on 127.0.0.1.
3. The load generator, locust headless in its own process and virtualenv (bench/locustfile.py), at 1, 8 and 32
   concurrent users, no think time, BENCH_SECONDS (default 20) per endpoint and level: first the baseline (a fixed
   page of the pages' median size, no database work), the visitor page shell and the signed-in page shell, then
   each endpoint. p50/p95 are exact percentiles of every request started after all users were running;
   throughput is those requests over that time. Then the baseline and GET /api/v1/practices/ (100 a page) at 16
   users for the reporting throughput target; then the growth pages (GROWTH) at 8 users on a second gunicorn
   serving the second database, with each page's query count taken in process on both databases.
4. The workers' peak memory (VmHWM), then, in this process: PDF rendering of 40-action forward plans and full
   diagnostic reports (the first render is cold; the figure is the median of the warm ones) and the reminder
   sweep over the 360,000 milestones (`run_reminder_sweep`, e-mail to a dummy backend).

    python bench/run.py [--seconds 20] [--users 1,8,32] [--skip-generate] [--no-growth] [--only plan,rag_update]
"""

import argparse
import datetime
import io
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PY = ROOT / ".venv" / "bin" / "python"
LOCUST = VAR / "venv" / "bin" / "locust"
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "performance.md"
DOC_BEGIN, DOC_END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"

ENDPOINTS = {
    # name: what
    "practice_list_commissioner_p1": "Practice list, filtered by commissioner, page 1 (RCGP admin, every commissioner "
                                     "in turn)",
    "practice_list_p50": "Practice list, all England, page 50 (RCGP admin)",
    "admin_changelist_p50": "Django's admin changelist of the same practices, page 50 (a superuser; bench-only admin "
                            "site, bench/admin_site.py): the guard the practice list must beat",
    "practice_list_icb": "Practice list, page 1 (ICB-level commissioner lead: its sub-ICB locations' practices)",
    "practice_detail": "Practice detail with its regulatory timeline, 4 inspections (commissioner lead, its "
                       "practices in turn)",
    "contract_board": "Contract board, every live contract (RCGP admin)",
    "plan": "Forward plan page, 40 actions (practice lead, one plan per simulated user)",
    "rag_update": "RAG update, POST Red <-> Amber with a reason (practice user, htmx panel back)",
    "commissioner_home": "Commissioner home page (ICB-level commissioner lead, one ICB per simulated user)",
    "rcgp_home": "RCGP admin home page (every live contract waiting for a lead or a team, the adviser pool)",
    "risk_register": "Risk register (ICB-level commissioner lead, one ICB per simulated user)",
    "risk_register_admin": "Risk register, all England, page 1 (RCGP admin)",
    "monitoring": "Monitoring record of a practice (commissioner lead, its practices in turn)",
    "levels": "Levels of support, page 1 (ICB-level commissioner lead)",
    "returns_board": "NHS England's returns board, every region (NHSE reporting)",
    "adviser_pool": "The RCGP adviser pool, people admin (RCGP admin, 200 advisers)",
    "api_practices": "GET /api/v1/practices/ (NHSE token, 100 a page)",
    "api_inspections": "GET /api/v1/inspections/ (NHSE token, 100 a page)",
    "api_contracts": "GET /api/v1/contracts/ (NHSE token, 100 a page)",
    "api_actions": "GET /api/v1/actions/ (RCGP admin token, 100 a page)",
    "api_plan_summary": "GET /api/v1/forward-plans/summary/ (NHSE token)",
    "api_programme_outcomes": "GET /api/v1/reports/programme-outcomes/ (NHSE token, the 7 programmes in turn)",
}
WRITE_ENDPOINTS = {"rag_update"}
GUARDS = {"admin_changelist_p50": "practice_list_p50"}  # a reference, not a page: the page named must beat it
# Pages measured again on a second database with four times the contracts, plans and their history (practices and
# inspections as before): their query count must not change and their p95 grow by no more than GROWTH_LIMIT.
GROWTH = ["commissioner_home", "rcgp_home", "contract_board", "risk_register", "risk_register_admin",
          "practice_list_icb", "plan"]
GROWTH_HISTORY = 4
# Round two's targets, p95 at 8 users over the visitor page shell's in the same run (docs/performance.md).
SHELL_LIMIT, PAGE_LIMIT, API_LIMIT, GROWTH_LIMIT, API16_SHARE = 1.3, 4, 3, 1.25, 0.30
PROGRAMMES = ["special_measures", "diagnostic_forward_plan", "resilience", "whole_team_away_day",
              "partners_away_day", "cqc_preparation", "ongoing_support"]
CSRF = "benchcsrfsecret0123456789abcdefg"  # 32 characters: sent as cookie and header (Django's double submit)


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Environment ----------------------------------------------------------------------------------------------

def bench_env(args):
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": env.get("BENCH_SECRET_KEY", "bench-only-secret-key-not-for-production-" + "x" * 20),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(VAR / "static"),
        "MEDIA_ROOT": str(VAR / "media"),
        "EMAIL_URL": "dummymail://",
        # As in production: sessions, the signed-in user and the API's limits in Redis; jobs are queued there too
        # (no worker runs: the benchmark measures the web processes, and renders PDFs in this process).
        "REDIS_URL": args.redis_url,
        "REQUIRE_TWO_FACTOR": "false",
        # The per-token API rate limit is a policy, not a cost: lifted so the load generator measures the server.
        "API_THROTTLE_RATE": "100000000/hour",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    env.pop("DEBUG", None)
    return env


def run(cmd, env, **kwargs):
    log(" ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603


def empty_redis(url):
    """The benchmark's Redis database starts empty: no sessions, kept users or queued jobs of an earlier run."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def recreate_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def machine(database_version):
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "postgresql": database_version,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# Django, in this process (preparation, PDFs, the reminder sweep) -----------------------------------------

def django_setup(env):
    for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
                "STATIC_ROOT", "MEDIA_ROOT", "EMAIL_URL", "REDIS_URL", "REQUIRE_TWO_FACTOR", "LOG_LEVEL"):
        os.environ[key] = env[key]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def session_cookie(user):
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(60 * 60 * 4)
    session.create()
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={CSRF}",
            "csrf": CSRF}


def live_plans(count, offset=0):
    """Forward plans of live contracts, each with its practice (40 actions each)."""
    from contracts.workflow import BOARD_STATES
    from forwardplans.models import ForwardPlan

    plans = list(ForwardPlan.objects.filter(contract__state__in=BOARD_STATES)
                 .select_related("contract__practice").order_by("contract__commissioned_on", "pk"))
    return plans[offset:offset + count]


def prepare_targets(levels):
    """Sessions, tokens and paths for every endpoint (all made in the bench database)."""
    from django.db.models import Q

    from api.auth import issue_token
    from core.models import User
    from practices.models import Commissioner, Practice

    most = max([*levels, 16])
    admin = User.objects.get(username="rcgp_admin-1")
    nhse = User.objects.get(username="nhse_reporting-1")
    # Every commissioner that holds practices (sub-ICB locations, where there are any), for the list's filter; the
    # ICBs, whose commissioner leads see every practice of their sub-ICB locations.
    holders = list(Commissioner.objects.filter(practices__isnull=False).distinct().order_by("ods_code"))
    icbs = list(Commissioner.objects.filter(kind="icb").order_by("ods_code"))
    leads = {u.commissioner_id: u for u in User.objects.filter(role="commissioner_lead", commissioner__kind="icb")}
    admin_logins = [session_cookie(admin) for _ in range(most)]
    superuser, _created = User.objects.update_or_create(
        username="bench-superuser", defaults={"is_staff": True, "is_superuser": True, "is_active": True})
    lead_logins = []
    for i in range(most):
        icb = icbs[i % len(icbs)]
        login = session_cookie(leads[icb.pk])
        codes = list(Practice.objects.filter(Q(commissioner=icb) | Q(commissioner__parent=icb), status="active")
                     .order_by("name", "pk").values_list("ods_code", flat=True)[:40])
        login["paths"] = [f"/practices/{code}/" for code in codes]
        login["monitoring"] = [f"/monitoring/practices/{code}/" for code in codes]
        lead_logins.append(login)
    token_logins = [{"headers": {"Authorization": f"Token {issue_token(nhse, name=f'bench {i}')[1]}"}}
                    for i in range(most)]
    # NHS England reads no action's text: the actions list is an RCGP admin's (every live plan's actions).
    admin_tokens = [{"headers": {"Authorization": f"Token {issue_token(admin, name=f'bench {i}')[1]}"}}
                    for i in range(most)]
    nhse_logins = [session_cookie(nhse) for _ in range(most)]
    plan_logins = []
    for plan in live_plans(most):
        login = session_cookie(User.objects.get(role="practice_lead", practice=plan.contract.practice))
        login["paths"] = [f"/contracts/{plan.contract.reference}/plan/"]
        plan_logins.append(login)

    def leads_at(*paths):
        return [{**{k: v for k, v in login.items() if k not in ("paths", "monitoring")}, "paths": list(paths)}
                for login in lead_logins]

    return {
        "practice_list_commissioner_p1": {"logins": admin_logins,
                                          "paths": [f"/practices/?commissioner={c.ods_code}" for c in holders]},
        "practice_list_p50": {"logins": admin_logins, "paths": ["/practices/?page=50"]},
        "admin_changelist_p50": {"logins": [session_cookie(superuser) for _ in range(most)],
                                 "paths": ["/bench/admin/practices/practice/?status__exact=active&p=50"]},
        "practice_list_icb": {"logins": leads_at("/practices/")},
        "practice_detail": {"logins": lead_logins},
        "contract_board": {"logins": admin_logins, "paths": ["/contracts/board/"]},
        "plan": {"logins": plan_logins},
        "commissioner_home": {"logins": leads_at("/")},
        "rcgp_home": {"logins": admin_logins, "paths": ["/"]},
        "risk_register": {"logins": leads_at("/risk-register/")},
        "risk_register_admin": {"logins": admin_logins, "paths": ["/risk-register/"]},
        "monitoring": {"logins": [{**login, "paths": login["monitoring"]} for login in lead_logins]},
        "levels": {"logins": leads_at("/levels/")},
        "returns_board": {"logins": nhse_logins, "paths": ["/returns/"]},
        "adviser_pool": {"logins": admin_logins, "paths": ["/people/advisers/"]},
        "api_practices": {"logins": token_logins, "paths": ["/api/v1/practices/"]},
        "api_inspections": {"logins": token_logins, "paths": ["/api/v1/inspections/"]},
        "api_contracts": {"logins": token_logins, "paths": ["/api/v1/contracts/"]},
        "api_actions": {"logins": admin_tokens, "paths": ["/api/v1/actions/"]},
        "api_plan_summary": {"logins": token_logins, "paths": ["/api/v1/forward-plans/summary/"]},
        "api_programme_outcomes": {"logins": token_logins,
                                   "paths": [f"/api/v1/reports/programme-outcomes/?programme={p}"
                                             for p in PROGRAMMES]},
    }


def rag_logins(users, offset):
    """For ``users`` simulated practice users: a session each and its plan's actions, with the version and status
    they have now (read just before the run, so nothing is stale)."""
    from django.db import connection

    from core.models import User
    from forwardplans.models import Action

    logins = []
    plans = live_plans(users, offset)
    if len(plans) < users:
        raise SystemExit(f"only {len(plans)} live plans from {offset}: the RAG update needs {users}")
    for plan in plans:
        login = session_cookie(User.objects.get(role="practice_user", practice=plan.contract.practice))
        login["actions"] = [{"pk": pk, "version": version, "status": status} for pk, version, status in
                            Action.objects.filter(plan=plan).order_by("priority", "pk")
                            .values_list("pk", "version", "rag_status")]
        logins.append(login)
    connection.close()
    return logins


def count_queries(targets, names):
    """{endpoint: queries} for the first path of each named endpoint, as its first login, in this process (Django's
    test client through every middleware, after one warm-up request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name in names:
        spec = targets[name]
        login = spec["logins"][0]
        path = (login.get("paths") or spec["paths"])[0]
        headers = {**login.get("headers", {}), **({"Cookie": login["cookie"]} if login.get("cookie") else {})}
        client = Client(headers=headers, SERVER_NAME="localhost")
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{name}: {path} answered {status} when counting its queries")
        counts[name] = len(captured)
    return counts


def growth_targets(out):
    """In a process of its own, on the database of DATABASE_URL: the growth pages' targets and query counts,
    written to ``out`` (bench/run.py runs this once for each of the two sizes)."""
    from django.db import connection

    from contracts.models import Contract
    from forwardplans.models import Action, RagChange
    from practices.models import Inspection, Practice

    targets = {name: spec for name, spec in prepare_targets([8]).items() if name in GROWTH}
    data = {"practices": Practice.objects.count(), "inspections": Inspection.objects.count(),
            "contracts": Contract.objects.count(), "actions": Action.objects.count(),
            "rag_changes": RagChange.objects.count()}
    Path(out).write_text(json.dumps({"targets": targets, "queries": count_queries(targets, GROWTH), "data": data}))
    connection.close()


# gunicorn --------------------------------------------------------------------------------------------------

class Server:
    def __init__(self, env, port):
        self.env, self.port = env, port
        self.base = f"http://127.0.0.1:{port}"
        self.process = self.log_file = None

    def start(self):
        metrics = ROOT / "var" / "bench" / "metrics"
        # As deployed: metrics, and a JSON line per request (INFO).
        self.env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(metrics), "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
        if self.env.get("BENCH_OPERATIONS") == "off":  # without the instruments, to see what they cost
            self.env = {**self.env, "LOG_FORMAT": "console", "LOG_LEVEL": "WARNING"}
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "resilience" / "gunicorn.conf.py"),
               "resilience.wsgi", "--workers", "2",
               "--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--log-level", "warning"]
        log(" ".join(cmd))
        # One JSON line a request, as in production: kept in a file, not on the bench's screen.
        metrics.parent.mkdir(parents=True, exist_ok=True)
        self.log_file = open(metrics.parent / "gunicorn.log", "ab")  # noqa: SIM115 (closed when the server stops)
        self.process = subprocess.Popen(cmd, env=self.env, cwd=ROOT, start_new_session=True,  # noqa: S603
                                        stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit {self.process.returncode}): is port {self.port} taken?")
            try:
                with urllib.request.urlopen(self.base + "/health/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise SystemExit("gunicorn did not answer /health/ within 60 s")

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def peak_memory_mb(self):
        peaks = {}
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks[pid] = round(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024, 1)
        return peaks

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log_file", None):
            self.log_file.close()

    def fetch(self, path, login):
        headers = dict(login.get("headers", {}))
        if login.get("cookie"):
            headers["Cookie"] = login["cookie"]
        request = urllib.request.Request(self.base + path, headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, response.read()


# Load ------------------------------------------------------------------------------------------------------

def percentile(sorted_values, fraction):
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def summarise(data):
    start = (data["spawned_at"] or min(s[0] for s in data["samples"])) + 1.0  # 1 s for every user to be going
    window = [s for s in data["samples"] if s[0] >= start]
    ok = sorted(s[1] for s in window if s[2])
    failed = sum(1 for s in window if not s[2])
    end = max((s[0] + s[1] / 1000 for s in window), default=start)
    seconds = max(end - start, 1e-6)
    return {"p50_ms": round(percentile(ok, 0.50), 1) if ok else None,
            "p95_ms": round(percentile(ok, 0.95), 1) if ok else None,
            "rps": round(len(ok) / seconds, 1), "requests": len(ok), "failures": failed,
            "bytes": round(statistics.median(s[3] for s in window)) if window else 0}


def load(endpoint, users, seconds, targets_file, server, env):
    samples = VAR / "samples" / f"{endpoint}-{users}.json"
    samples.unlink(missing_ok=True)
    cmd = [LOCUST, "-f", ROOT / "bench" / "locustfile.py", "--headless", "-u", users, "-r", users,
           "-t", f"{seconds}s", "--host", server.base, "--only-summary", "--loglevel", "WARNING",
           "--stop-timeout", "10", "--exit-code-on-error", "0",
           "--csv", VAR / "csv" / f"{endpoint}-{users}"]
    load_env = {"PATH": env["PATH"], "HOME": env.get("HOME", "/tmp"), "BENCH_TARGETS": str(targets_file),  # noqa: S108
                "BENCH_ENDPOINT": endpoint, "BENCH_SAMPLES": str(samples)}
    with open(VAR / "locust.log", "a") as output:
        output.write(f"\n=== {endpoint} {users} users\n")
        output.flush()
        subprocess.run([str(c) for c in cmd], env=load_env, cwd=ROOT, check=True,  # noqa: S603
                       stdout=output, stderr=subprocess.STDOUT)
    result = summarise(json.loads(samples.read_text()))
    log(f"{endpoint:32} {users:>2} users: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['rps']} req/s, {result['failures']} failed, {result['bytes']} bytes")
    return result


# In-process measurements -------------------------------------------------------------------------------------

def measure_pdfs(count=3):
    """Render ``count`` 40-action plans and ``count`` final diagnostic reports, one after another in this process
    (snapshot + WeasyPrint + file), as a Celery worker would. Returns the cold first and the warm median."""
    from contracts.models import Contract
    from forwardplans import pdf
    from forwardplans.models import DiagnosticReport, StoredPdf

    results = {}
    plans = [p.contract for p in live_plans(count, offset=150)]
    reports = list(Contract.objects.filter(diagnostic_report__state="final").order_by("-commissioned_on")[:count])
    for name, contracts, document in (("plan", plans, "plan"), ("report", reports, "report")):
        # A PDF of the same content is never rendered twice: forget any from an earlier run on this database.
        StoredPdf.objects.filter(contract__in=contracts, document=document).delete()
        times = []
        for contract in contracts:
            started = time.perf_counter()
            stored = pdf.request_pdf(contract=contract, document=document, enqueue=False)
            stored = pdf.render(stored.pk)
            times.append(time.perf_counter() - started)
            log(f"PDF {document} {contract.reference}: {times[-1]:.2f}s, {stored.page_count} pages, "
                f"{stored.size} bytes")
        results[name] = {"cold_s": round(times[0], 2), "warm_s": round(statistics.median(times[1:] or times), 2),
                         "pages": stored.page_count}
    sections = DiagnosticReport.objects.filter(contract=reports[-1]).values_list("findings", flat=True).first()
    results["report"]["findings_chars"] = len(sections or "")
    return results


SEARCHES = [("rcgp_admin", "recall"), ("rcgp_admin", "dispensary"), ("commissioner_lead", "recall")]


def measure_search(repeats=5):
    """The header's search (dashboards.search, through the access policy) for an RCGP admin, who searches all
    England, and a commissioner lead: a word in about one action in eight of this data set, and one in none.
    Median of ``repeats`` after one warm-up, in this process."""
    from core.models import User
    from dashboards.search import search

    results = {}
    for role, text in SEARCHES:
        user = User.objects.filter(role=role).order_by("username").first()
        search(user, text)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            found = search(user, text)
            times.append(time.perf_counter() - started)
        results[f"{role}: {text}"] = {"ms": round(statistics.median(times) * 1000, 1),
                                      "shown": {kind: len(rows) for kind, rows in found.items()}}
        log(f"search as {role} for {text!r}: {results[f'{role}: {text}']}")
    return results


def measure_sweep():
    from django.core.management import call_command

    from forwardplans.models import Milestone, Notification, SentReminder

    # A reminder is sent once: forget those of an earlier run on this (benchmark) database.
    Notification.objects.filter(reminder__isnull=False).delete()
    SentReminder.objects.all().delete()
    times, outputs = [], []
    for _ in range(2):
        out = io.StringIO()
        started = time.perf_counter()
        call_command("run_reminder_sweep", stdout=out, stderr=io.StringIO())
        times.append(time.perf_counter() - started)
        outputs.append(out.getvalue().strip())
        log(f"reminder sweep: {times[-1]:.2f}s, {outputs[-1]}")
    return {"first_s": round(times[0], 2), "second_s": round(times[1], 2), "first": outputs[0],
            "second": outputs[1], "milestones": Milestone.objects.count()}


# Report -----------------------------------------------------------------------------------------------------

def ratio(value, base):
    return round(value / base, 2) if value and base else None


def limit_of(name):
    """The round-two target for an endpoint: p95 at 8 users over the visitor page shell's."""
    return API_LIMIT if name.startswith("api_") else PAGE_LIMIT


def verdict(met):
    return "" if met is None else ("met" if met else "**not met**")


def write_doc(results):
    """Replace the generated section of docs/performance.md (between the markers) with this run's tables."""
    data = results["data"]
    lines = [DOC_BEGIN, "", f"Run of {results['generated_at']} on {results['machine']}.", "",
             f"Data: {data['practices']:,} practices, {data['inspections']:,} inspections, "
             f"{data['contracts']:,} contracts, {data['actions']:,} actions, "
             f"{data['milestones']:,} milestones, {data['rag_changes']:,} RAG changes; "
             f"generated in {data['generate_s'] or 0:.0f} s. Baseline page {results['baseline_bytes']:,} "
             f"bytes; {results['seconds_per_phase']} s per endpoint and level.", "",
             "| endpoint | users | p50 ms | p95 ms | req/s | p95 ÷ visitor shell p95 | target (8 users) "
             "| p95 ÷ baseline p95 | failed |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    shell = results["baseline_page"]
    for level, row in results["baseline"].items():
        lines.append(f"| **baseline** (fixed bytes, no database) | {level} | {row['p50_ms']} | {row['p95_ms']} | "
                     f"{row['rps']} | {ratio(row['p95_ms'], shell.get(level, {}).get('p95_ms'))} | | 1 | "
                     f"{row['failures']} |")
    for level, row in shell.items():
        lines.append(f"| **visitor page shell** (base.jinja around fixed text, no database) | {level} | "
                     f"{row['p50_ms']} | {row['p95_ms']} | {row['rps']} | 1 | | "
                     f"{ratio(row['p95_ms'], results['baseline'][level]['p95_ms'])} | {row['failures']} |")
    for level, row in results.get("baseline_page_signed_in", {}).items():
        share = ratio(row["p95_ms"], shell[level]["p95_ms"])
        target = f"≤ {SHELL_LIMIT}× {verdict(share is not None and share <= SHELL_LIMIT)}" if level == "8" else ""
        lines.append(f"| signed-in page shell (the same, for a signed-in user) | {level} | {row['p50_ms']} | "
                     f"{row['p95_ms']} | {row['rps']} | {share} | {target} | "
                     f"{ratio(row['p95_ms'], results['baseline'][level]['p95_ms'])} | {row['failures']} |")
    for name, levels in results["endpoints"].items():
        for level, row in levels.items():
            target = ""
            if level == "8" and name in GUARDS:
                target = f"the guard for {GUARDS[name]}"
            elif level == "8":
                limit = limit_of(name)
                met = row["ratio_p95_to_baseline_page"] is not None and row["ratio_p95_to_baseline_page"] <= limit
                target = f"≤ {limit}× {verdict(met)}"
            lines.append(f"| {name} | {level} | {row['p50_ms']} | {row['p95_ms']} | {row['rps']} | "
                         f"{row['ratio_p95_to_baseline_page']} | {target} | {row['ratio_p95_to_baseline']} | "
                         f"{row['failures']} |")
    growth = results.get("growth")
    if growth:
        small, large = growth["data"]["england"], growth["data"]["grown"]
        lines += ["", f"Growth: the same England ({small['practices']:,} practices, {small['inspections']:,} "
                      f"inspections) with {GROWTH_HISTORY}× the records: {small['contracts']:,} → "
                      f"{large['contracts']:,} contracts, {small['actions']:,} → {large['actions']:,} actions, "
                      f"{small['rag_changes']:,} → {large['rag_changes']:,} RAG changes. p95 at 8 users.", "",
                  "| page | queries | queries, 4× | p95 ms | p95 ms, 4× | 4× ÷ 1× | target |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for name, row in growth["pages"].items():
            met = row["queries"] == row["queries_grown"] and row["ratio"] is not None and row["ratio"] <= GROWTH_LIMIT
            lines.append(f"| {name} | {row['queries']} | {row['queries_grown']} | {row['p95_ms']} | "
                         f"{row['p95_ms_grown']} | {row['ratio']} | equal queries, ≤ {GROWTH_LIMIT}× {verdict(met)} |")
    api16, base16 = results.get("api_practices_16_users") or {}, results.get("baseline_16_users") or {}
    share = ratio(api16.get("rps"), base16.get("rps"))
    guards = []
    for guard, page in GUARDS.items():
        ours, theirs = (results["endpoints"].get(name, {}).get("8", {}).get("p95_ms") for name in (page, guard))
        guards.append((f"{page} p95 ÷ {guard} p95 at 8 users ({ours} ÷ {theirs} ms)", f"{ratio(ours, theirs)}",
                       "< 1", ratio(ours, theirs) is not None and ratio(ours, theirs) < 1))
    checks = [
        *guards,
        ("GET /api/v1/practices/ at 16 users, throughput ÷ the baseline's at 16 users "
         f"({api16.get('rps')} ÷ {base16.get('rps')} req/s)", f"{share}", f"≥ {API16_SHARE}",
         share is not None and share >= API16_SHARE),
        ("Programme outcomes p95 at 8 users", f"{results['programme_outcomes_p95_ms']} ms", "≤ 150 ms",
         results["programme_outcomes_p95_ms"] is not None and results["programme_outcomes_p95_ms"] <= 150),
        ("GET /api/v1/practices/ at 16 users", f"{api16.get('rps')} req/s", "≥ 150 req/s",
         api16.get("rps") is not None and api16["rps"] >= 150),
        ("PDF, 40-action forward plan (warm; cold "
         f"{results['pdf']['plan']['cold_s']} s)", f"{results['pdf_forward_plan_40_actions_s']} s", "≤ 2 s",
         results["pdf_forward_plan_40_actions_s"] <= 2),
        (f"PDF, full diagnostic report ({results['pdf']['report']['pages']} pages; cold "
         f"{results['pdf']['report']['cold_s']} s)", f"{results['pdf_diagnostic_report_s']} s", "", None),
        (f"Reminder sweep over {data['milestones']:,} milestones ({results['sweep']['first']}; "
         f"second run {results['sweep']['second_s']} s)", f"{results['reminder_sweep_s']} s", "≤ 30 s",
         results["reminder_sweep_s"] <= 30),
        ("gunicorn worker peak memory (VmHWM)", f"{results['worker_peak_mb']} MB", "≤ 300 MB",
         results["worker_peak_mb"] <= 300),
        ("Data generation, England", f"{data['generate_s'] or 0:.0f} s", "< 600 s",
         data["generate_s"] is not None and data["generate_s"] < 600),
        *[(f"Search as {name} (median of 5; {sum(row['shown'].values())} results shown)", f"{row['ms']} ms", "",
           None) for name, row in results.get("search", {}).items()],
    ]
    lines += ["", "| measure | result | target | |", "|---|---:|---|---|"]
    for label, value, target, met in checks:
        lines.append(f"| {label} | {value} | {target} | {verdict(met)} |")
    lines += ["", DOC_END]
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{DOC_BEGIN}\n{DOC_END}\n"
    if DOC_BEGIN not in text:
        text += f"\n{DOC_BEGIN}\n{DOC_END}\n"
    head, rest = text.split(DOC_BEGIN, 1)
    tail = rest.split(DOC_END, 1)[1]
    DOC.write_text(head + "\n".join(lines) + tail)


def generate(database_url, extra, env):
    """A new benchmark database at ``database_url``, migrated and filled; the seconds generation took."""
    log(f"making a new benchmark database {database_url.rsplit('/', 1)[1]}")
    recreate_database(database_url)
    env = {**env, "DATABASE_URL": database_url}
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    t0 = time.monotonic()
    run([PY, "manage.py", "generate_scale_data", *extra], env)
    seconds = round(time.monotonic() - t0, 1)
    log(f"generate_scale_data {' '.join(extra)} took {seconds} s")
    return seconds


def growth_of(env, database_url):
    """The growth pages' targets and query counts on one database (a process of its own, bound to it)."""
    out = VAR / f"growth-{database_url.rsplit('/', 1)[1]}.json"
    run([PY, ROOT / "bench" / "run.py", "--growth-targets", out, "--database-url", database_url, "--redis-url",
         env["REDIS_URL"]], {**env, "DATABASE_URL": database_url})
    return json.loads(out.read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 20)))
    parser.add_argument("--users", default=os.environ.get("BENCH_USERS", "1,8,32"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8765)))
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resilience_bench"))
    parser.add_argument("--growth-database-url", default=os.environ.get("BENCH_GROWTH_DATABASE_URL"),
                        help=f"the second database, {GROWTH_HISTORY}× the records (default: the first's name + _grown)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
                        help="a Redis database for the benchmark alone: it is emptied at the start")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the databases of a previous run")
    parser.add_argument("--no-growth", action="store_true", help="measure one size of data only")
    parser.add_argument("--only", help="comma-separated endpoints (default all; results.json is then not written)")
    parser.add_argument("--growth-targets", help=argparse.SUPPRESS)  # internal: one database's growth targets
    args = parser.parse_args()
    env = bench_env(args)
    if args.growth_targets:
        django_setup(env)
        growth_targets(args.growth_targets)
        return
    growth_url = args.growth_database_url or args.database_url.split("?")[0] + "_grown"
    levels = [int(n) for n in args.users.split(",")]
    only = args.only.split(",") if args.only else list(ENDPOINTS)
    growing = [] if args.no_growth else [name for name in GROWTH if name in only]
    for folder in ("samples", "csv", "media"):
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST} is missing: `make bench` installs it (bench/requirements.txt)")

    empty_redis(args.redis_url)
    started = time.monotonic()
    generate_s = grown_generate_s = None
    if not args.skip_generate:
        generate_s = generate(args.database_url, [], env)
        if growing:
            grown_generate_s = generate(growth_url, ["--history", str(GROWTH_HISTORY)], env)
    shutil.rmtree(VAR / "static", ignore_errors=True)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    growth_data = {}
    if growing:  # each database's growth pages and their query counts, each in a process bound to it
        growth_data = {"england": growth_of(env, args.database_url), "grown": growth_of(env, growth_url)}

    django_setup(env)
    from django.db import connection

    from contracts.models import Contract
    from forwardplans.models import Action, Milestone, RagChange
    from practices.models import Inspection, Practice

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    data = {"practices": Practice.objects.count(), "inspections": Inspection.objects.count(),
            "contracts": Contract.objects.count(), "actions": Action.objects.count(),
            "milestones": Milestone.objects.count(), "rag_changes": RagChange.objects.count(),
            "generate_s": generate_s}
    if generate_s is None and RESULTS.exists():
        data["generate_s"] = json.loads(RESULTS.read_text()).get("data", {}).get("generate_s")
    box = machine(pg_version)
    targets = {"endpoints": prepare_targets(levels)}
    connection.close()

    server = Server(env, args.port)
    server.start()
    try:
        # Check every page answers and find the pages' median size for the baseline.
        sizes = {}
        for name in only:
            if name not in targets["endpoints"]:  # the RAG update's targets are read just before each level
                continue
            spec = targets["endpoints"][name]
            login = spec["logins"][0]
            status, body = server.fetch((login.get("paths") or spec["paths"])[0], login)
            sizes[name] = len(body)
            log(f"{name}: {status}, {len(body):,} bytes")
        baseline_bytes = int(statistics.median(sizes.values()))
        targets["endpoints"]["baseline"] = {"logins": [{}], "paths": [f"/bench/baseline/?bytes={baseline_bytes}"]}
        targets["endpoints"]["baseline_page"] = {"logins": [{}],
                                                 "paths": [f"/bench/baseline-page/?bytes={baseline_bytes}"]}
        # The same page for a signed-in user (session, user, header with navigation): what every page pays.
        targets["endpoints"]["baseline_page_signed_in"] = {
            "logins": [{key: value for key, value in login.items() if key != "paths"}
                       for login in targets["endpoints"]["commissioner_home"]["logins"]],
            "paths": [f"/bench/baseline-page/?bytes={baseline_bytes}"]}
        _status, body = server.fetch(f"/bench/baseline-page/?bytes={baseline_bytes}",
                                     targets["endpoints"]["baseline_page_signed_in"]["logins"][0])
        if b"Log out" not in body:
            raise SystemExit("the signed-in page shell did not come back signed in")
        targets_file = VAR / "targets.json"
        targets_file.write_text(json.dumps(targets))
        warm_up(server, targets["endpoints"], [*only, "baseline", "baseline_page", "baseline_page_signed_in"])

        baseline, baseline_page, signed_in, endpoints = {}, {}, {}, {name: {} for name in only}
        rag_offset = 0
        for users in levels:
            baseline[str(users)] = load("baseline", users, args.seconds, targets_file, server, env)
            baseline_page[str(users)] = load("baseline_page", users, args.seconds, targets_file, server, env)
            signed_in[str(users)] = load("baseline_page_signed_in", users, args.seconds, targets_file, server, env)
            for name in only:
                if name == "rag_update":
                    targets["endpoints"]["rag_update"] = {"logins": rag_logins(users, 100 + rag_offset)}
                    rag_offset += users
                    targets_file.write_text(json.dumps(targets))
                row = load(name, users, args.seconds, targets_file, server, env)
                row["worker_peak_mb"] = max(server.peak_memory_mb().values(), default=None)  # which page raises it
                row["ratio_p95_to_baseline"] = ratio(row["p95_ms"], baseline[str(users)]["p95_ms"])
                row["ratio_p95_to_baseline_page"] = ratio(row["p95_ms"], baseline_page[str(users)]["p95_ms"])
                if not name.startswith("api_"):  # pages: signed in by session; the API by token
                    row["ratio_p95_to_signed_in_shell"] = ratio(row["p95_ms"], signed_in[str(users)]["p95_ms"])
                endpoints[name][str(users)] = row
        api16 = base16 = {}
        if "api_practices" in only:
            base16 = load("baseline", 16, args.seconds, targets_file, server, env)
            api16 = load("api_practices", 16, args.seconds, targets_file, server, env)
        peaks = server.peak_memory_mb()
        log(f"worker peak memory (VmHWM): {peaks}")
        growth_rows = measure_growth(server, env, growth_url, growth_data, growing, args) if growing else {}
    finally:
        server.stop()

    box["load_average_after_load"] = [round(x, 2) for x in os.getloadavg()]
    pdfs = measure_pdfs()
    searches = measure_search()
    sweep = measure_sweep()
    results = {
        "machine": (f"{box['nproc']} CPUs ({box['cpu']}), {box['memory_gib']} GiB RAM, PostgreSQL "
                    f"{box['postgresql']}, Python {box['python']}, Linux {box['kernel']}"),
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "data": data,
        "baseline": baseline,
        "endpoints": endpoints,
        "programme_outcomes_p95_ms": endpoints.get("api_programme_outcomes", {}).get("8", {}).get("p95_ms"),
        "reporting_api_rps_16_users": api16.get("rps"),
        "pdf_forward_plan_40_actions_s": pdfs["plan"]["warm_s"],
        "pdf_diagnostic_report_s": pdfs["report"]["warm_s"],
        "reminder_sweep_s": sweep["first_s"],
        "worker_peak_mb": max(peaks.values()) if peaks else None,
        # Beyond the issue's shape: how the figures were taken.
        "machine_detail": box,
        "baseline_bytes": baseline_bytes,
        "baseline_page": baseline_page,
        "baseline_page_signed_in": signed_in,
        "page_bytes": sizes,
        "seconds_per_phase": args.seconds,
        "pdf": pdfs,
        "sweep": sweep,
        "search": searches,
        "worker_peak_mb_each": list(peaks.values()),
        "api_practices_16_users": api16,
        "baseline_16_users": base16,
        "growth": {"history": GROWTH_HISTORY, "pages": growth_rows, "generate_s": grown_generate_s,
                   "data": {size: found["data"] for size, found in growth_data.items()}} if growing else None,
        "bench_seconds": round(time.monotonic() - started),
    }
    if args.only:
        out = VAR / "results-partial.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        log(f"partial run: wrote {out} (bench/results.json and docs/performance.md left alone)")
        return
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    write_doc(results)
    log(f"wrote {RESULTS.relative_to(ROOT)} and {DOC.relative_to(ROOT)} in {results['bench_seconds']} s")


def measure_growth(server, env, growth_url, growth_data, growing, args):
    """Each growth page at 8 users on England (``server``) and, straight after, on the second database (a second
    gunicorn, started alongside): back to back, so that the two figures of a page are taken under the same
    conditions."""
    grown_env = {**env, "DATABASE_URL": growth_url}
    grown_server = Server(grown_env, args.port + 1)
    grown_server.start()
    try:
        grown_targets_file = VAR / "targets-grown.json"
        grown_targets_file.write_text(json.dumps({"endpoints": growth_data["grown"]["targets"]}))
        warm_up(grown_server, growth_data["grown"]["targets"], growing)
        england_targets_file = VAR / "targets-england.json"
        england_targets_file.write_text(json.dumps({"endpoints": growth_data["england"]["targets"]}))
        warm_up(server, growth_data["england"]["targets"], growing)
        rows = {}
        for name in growing:
            england = load(name, 8, args.seconds, england_targets_file, server, env)
            grown = load(name, 8, args.seconds, grown_targets_file, grown_server, grown_env)
            rows[name] = {"queries": growth_data["england"]["queries"][name], "p95_ms": england["p95_ms"],
                          "queries_grown": growth_data["grown"]["queries"][name], "p95_ms_grown": grown["p95_ms"],
                          "ratio": ratio(grown["p95_ms"], england["p95_ms"])}
        return rows
    finally:
        grown_server.stop()


def warm_up(server, endpoints, names):
    """Each endpoint a few times on each worker (templates compiled, caches filled) before it is measured."""
    for name in names:
        spec = endpoints.get(name)
        for login in spec["logins"][:4] if spec else ():  # the RAG update's are read just before each level
            for path in (login.get("paths") or spec["paths"])[:2]:
                server.fetch(path, login)


if __name__ == "__main__":
    main()
