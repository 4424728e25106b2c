"""``sync_ods``: fetch the ODS GP practice file (ODS_EPRACCUR_URL: a zip holding epraccur.csv, or a bare CSV) and
apply it through the ODS importer, all or nothing, noting closures, re-openings and changes of commissioner."""

import csv
import io
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from practices.imports.common import ImportRejected
from practices.imports.ods import FIELD_COUNT, import_ods_practices
from practices.models import Practice

from .alerts import alerts_raise
from .client import FetchFailed, get_bytes
from .models import SyncRun
from .runs import finish_run, start_run

SHOWN_ROW_ERRORS = 50


class UnrecognisedLayout(Exception):
    pass


def _csv_text(body):
    """The CSV text of the download: the zip's epraccur.csv, or the body itself."""
    if zipfile.is_zipfile(io.BytesIO(body)):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = [n for n in archive.namelist() if Path(n).name.lower() == "epraccur.csv"]
            if not names:
                raise UnrecognisedLayout("unrecognised layout: the zip holds no epraccur.csv")
            body = archive.read(names[0])
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnrecognisedLayout("unrecognised layout: the file is not UTF-8 text") from None


def check_layout(text):
    """Raise UnrecognisedLayout unless every row has the epraccur layout's 27 fields."""
    rows = 0
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if not any(f.strip() for f in row):
                continue
            rows += 1
            if len(row) != FIELD_COUNT:
                raise UnrecognisedLayout(f"unrecognised layout: line {line} has {len(row)} fields; "
                                         f"the ODS epraccur file has {FIELD_COUNT}")
    except csv.Error as exc:
        raise UnrecognisedLayout(f"unrecognised layout: not a CSV file ({exc})") from None
    if not rows:
        raise UnrecognisedLayout("unrecognised layout: the file is empty")


def _state():
    return {code: (status, commissioner, closed_on) for code, status, commissioner, closed_on in
            Practice.objects.values_list("ods_code", "status", "commissioner__ods_code", "closed_on")}


def _changes(before, after, today):
    """Closures, re-openings and changes of commissioner, each with its date (``on``: the closure's, else the
    run's), what makes it unique (``key``) and its ``facts``, for the run report and the alerts."""
    changes = []
    closed = Practice.Status.CLOSED
    for code, (status, commissioner, closed_on) in sorted(after.items()):
        if code not in before:
            continue
        old_status, old_commissioner, _old_closed_on = before[code]
        if status == closed and old_status != closed:
            on = closed_on or today
            changes.append({"kind": "practice_closed", "practice": code, "detail": f"was {old_status}",
                            "on": on.isoformat(), "key": on.isoformat(),
                            "facts": {"closed_on": on.isoformat(), "was": old_status}})
        elif old_status == closed and status != closed:
            changes.append({"kind": "practice_reopened", "practice": code, "detail": f"now {status}",
                            "on": today.isoformat(), "key": today.isoformat(), "facts": {"status": status}})
        if commissioner != old_commissioner:
            changes.append({"kind": "commissioner_changed", "practice": code,
                            "detail": f"{old_commissioner} to {commissioner}", "on": today.isoformat(),
                            "key": f"{today.isoformat()}:{commissioner}",
                            "facts": {"from": old_commissioner, "to": commissioner}})
    return changes


def sync_ods(*, actor=None, url=None, now=None):
    """Run one ODS sync and return its SyncRun (the report). A failed run changes nothing."""
    url = url or settings.ODS_EPRACCUR_URL
    now = now or timezone.now()
    run = start_run(SyncRun.Kind.ODS, now=now, source=url or "")
    try:
        if not url:
            return finish_run(run, error="ODS_EPRACCUR_URL is not set", now=timezone.now())
        try:
            text = _csv_text(get_bytes(url))
            check_layout(text)
        except (FetchFailed, UnrecognisedLayout) as exc:
            return finish_run(run, error=str(exc), now=timezone.now())
        run.fetched = 1
        before = _state()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "epraccur.csv"
            path.write_text(text, encoding="utf-8")
            try:
                summary = import_ods_practices(path, actor=actor)
            except ImportRejected as exc:
                failures = [{"item": f"line {e.line}" if e.line else e.source, "reason": f"{e.field}: {e.message}",
                             "given_up": False} for e in exc.summary.errors[:SHOWN_ROW_ERRORS]]
                run.skipped = exc.summary.skipped
                return finish_run(run, failures=failures, now=timezone.now(),
                                  error=f"{exc.summary.rejected} rejected row(s); nothing was saved")
        today = timezone.localdate(now)
        run.changes = _changes(before, _state(), today)
        alerts_raise(changes=run.changes, sync_run=run, actor=actor, today=today)
        run.created, run.updated = summary.created, summary.updated
        run.unchanged, run.skipped = summary.unchanged, summary.skipped
        return finish_run(run, now=timezone.now())
    except Exception as exc:
        finish_run(run, error=f"{type(exc).__name__}: {exc}", now=timezone.now())
        raise
