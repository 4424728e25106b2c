"""The demo's sync reports: a real full CQC sync and a real ODS sync, run once against the recorded public files
in practices/demo_data, so the Syncs page and each practice's "CQC data last refreshed" line have something true
to show without the CQC API or a key.

The CQC API is stood in for by a local HTTP server (its own thread, a free port on 127.0.0.1) that serves the
recorded location files as ``/locations/{id}`` and an empty change list; the ODS file is read from disk.
"""

import contextlib
import http.server
import json
import threading
import urllib.parse
from pathlib import Path

from django.conf import settings

from surveillance.models import SyncRun
from surveillance.services import sync_run_cqc, sync_run_ods

DATA = Path(__file__).resolve().parent.parent / "practices" / "demo_data"


def _recorded_locations():
    return {file.stem.removeprefix("location_"): file.read_bytes()
            for file in sorted((DATA / "cqc-oldham-gp-locations").glob("location_*.json"))}


@contextlib.contextmanager
def recorded_cqc_api():
    """Yield the base URL of a local server answering as the CQC API does, from the recorded files."""
    locations = _recorded_locations()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - the http.server name
            path = urllib.parse.urlsplit(self.path).path
            if path == "/changes/location":
                status, body = 200, json.dumps({"total": 0, "page": 1, "totalPages": 1, "changes": []}).encode()
            elif path.removeprefix("/locations/") in locations:
                status, body = 200, locations[path.removeprefix("/locations/")]
            else:
                status, body = 404, b'{"message": "Not found"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def seed_syncs(log=print):
    """One full CQC run and one ODS run, the first time only."""
    if SyncRun.objects.exists():
        return
    with recorded_cqc_api() as base:
        saved = settings.CQC_API_BASE_URL, settings.CQC_API_KEY
        settings.CQC_API_BASE_URL, settings.CQC_API_KEY = base, "demo"
        try:
            run = sync_run_cqc(full=True)
        finally:
            settings.CQC_API_BASE_URL, settings.CQC_API_KEY = saved
    log(f"CQC sync (recorded files): {run.get_outcome_display()}, {run.fetched} fetched, {run.updated} updated, "
        f"{run.unchanged} unchanged, {run.skipped} skipped")
    run = sync_run_ods(url=(DATA / "ods-epraccur-sample.csv").as_uri())
    log(f"ODS sync (the sample file): {run.get_outcome_display()}, {run.updated} updated, {run.unchanged} unchanged")
