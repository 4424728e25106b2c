"""``sync_cqc``: keep CQC ratings current from the CQC public API.

Incremental: the change windows since the last watermark (one day each, paged), then each changed location and
each location on the retry list, applied through the CQC importer. ``full``: every known practice's location.
A location that fails is reported and put on the retry list while the others are applied; the watermark moves
only to the end of the last window read completely.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from practices.imports.common import ImportSummary
from practices.imports.cqc import LOCATION_ID, InvalidLocation, apply_cqc_locations, parse_cqc_location
from practices.models import Inspection, Practice
from practices.ratings import RATING_ORDER

from . import retries
from .alerts import alerts_raise
from .client import FetchFailed, cqc_headers, cqc_url, get_json
from .models import SyncRun
from .runs import finish_run, start_run

WINDOW = datetime.timedelta(days=1)
PER_PAGE = 1000
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
GP_SERVICE = "doctors/gps"


@dataclass
class ChangeList:
    ids: list = field(default_factory=list)
    watermark: datetime.datetime | None = None
    failure: str = ""


def _last_watermark():
    return SyncRun.objects.filter(kind=SyncRun.Kind.CQC).aggregate(w=Max("watermark"))["w"]


def read_changes(start, end):
    """Location ids changed between ``start`` and ``end``, window by window; the watermark is the end of the last
    window whose every page was read; a page that fails stops the reading there."""
    result = ChangeList()
    window_start = start
    while window_start < end:
        window_end = min(window_start + WINDOW, end)
        page, pages, ids = 1, 1, []
        while page <= pages:
            url = cqc_url("changes/location", startTimestamp=window_start.strftime(TIMESTAMP),
                          endTimestamp=window_end.strftime(TIMESTAMP), page=page, perPage=PER_PAGE)
            try:
                body = get_json(url, headers=cqc_headers())
                if not isinstance(body, dict) or not isinstance(body.get("changes", []), list):
                    raise FetchFailed("the changes page is not a JSON object with a list of changes")
            except FetchFailed as exc:
                result.ids += ids  # what was read is fetched; the window is read again next time
                result.failure = (f"changes {window_start:%Y-%m-%d %H:%M} to {window_end:%Y-%m-%d %H:%M}, "
                                  f"page {page}: {exc}")
                return result
            ids += [str(i) for i in body.get("changes") or []]
            pages = int(body.get("totalPages") or 1)
            page += 1
        result.ids += ids
        result.watermark = window_end
        window_start = window_end
    return result


def _is_gp(data):
    services = {str(s.get("name", "")).lower() for s in data.get("gacServiceTypes") or [] if isinstance(s, dict)}
    return GP_SERVICE in services or data.get("type") == "Primary Medical Services"


def _snapshot(practice_ids):
    """{practice id: ({report link id: (publication date, overall rating)}, latest (link, date, rating))} before
    the apply, to see what it changed."""
    seen = {pk: ({}, None) for pk in practice_ids}
    rows = (Inspection.objects.filter(practice_id__in=practice_ids)
            .order_by("practice_id", "publication_date", "pk")
            .values_list("practice_id", "pk", "report_link_id", "publication_date", "overall_rating"))
    for practice_id, pk, link_id, published, rating in rows:
        reports, latest = seen[practice_id]
        link = link_id or f"inspection {pk}"
        reports[link] = (published, rating)
        seen[practice_id] = (reports, (link, published, rating) if rating else latest)
    return seen


def _iso(day):
    return day.isoformat() if day else None


def _changes(before, after, codes):
    """The changes that matter, as records for the run report and the alerts: new inspections and ratings that
    fell or rose, each with its date (``on``: the report's publication), what makes it unique (``key``: the
    report) and its ``facts`` (rating words and dates)."""
    changes = []
    for practice_id, (reports_after, latest_after) in after.items():
        reports_before, latest_before = before.get(practice_id, ({}, None))
        code = codes[practice_id]
        for link in sorted(set(reports_after) - set(reports_before)):
            published, rating = reports_after[link]
            changes.append({"kind": "new_inspection", "practice": code, "detail": f"report {link or '(no link)'}",
                            "on": _iso(published), "key": link,
                            "facts": {"report": link, "published_on": _iso(published), "rating": rating}})
        rating_before = latest_before[2] if latest_before else None
        if not latest_after:
            continue
        link, published, rating_after = latest_after
        if rating_before and rating_before != rating_after:
            kind = "rating_fell" if RATING_ORDER[rating_after] < RATING_ORDER[rating_before] else "rating_rose"
            changes.append({"kind": kind, "practice": code, "detail": f"{rating_before} to {rating_after}",
                            "on": _iso(published), "key": link,
                            "facts": {"from": rating_before, "to": rating_after, "published_on": _iso(published),
                                      "report": link}})
        elif not rating_before:
            changes.append({"kind": "first_rating", "practice": code, "detail": rating_after,
                            "on": _iso(published), "key": link})
    return changes


def _fetch(location_ids, known_ids):
    """Fetch and read each location: (locations to apply, {id: reason failed}, ids skipped)."""
    held = set(Practice.objects.values_list("ods_code", flat=True))
    locations, failed, skipped = [], {}, []
    for location_id in location_ids:
        if not LOCATION_ID.match(location_id):  # never put what the feed says into a path unchecked
            failed[location_id] = "not a CQC location id (1- followed by digits)"
            continue
        try:
            data = get_json(cqc_url(f"locations/{location_id}"), headers=cqc_headers())
            if not isinstance(data, dict):
                raise FetchFailed("the location is not a JSON object")
            if not _is_gp(data):
                skipped.append(location_id)
                continue
            location = parse_cqc_location(f"locations/{location_id}", data)
        except FetchFailed as exc:
            failed[location_id] = str(exc)
            continue
        except InvalidLocation as exc:
            failed[location_id] = f"unreadable record: {exc}"
            continue
        if location.ods_code not in held:
            if location_id in known_ids:  # one of ours that now names a practice we do not hold
                failed[location_id] = f"ODS code {location.ods_code or '(none)'} is not a practice we hold"
            else:
                skipped.append(location_id)
            continue
        locations.append(location)
    return locations, failed, skipped


def sync_cqc(*, full=False, actor=None, now=None):
    """Run one CQC sync and return its SyncRun (the report)."""
    now = now or timezone.now()
    run = start_run(SyncRun.Kind.CQC_FULL if full else SyncRun.Kind.CQC, now=now,
                    source=settings.CQC_API_BASE_URL)
    try:
        known_ids = set(Practice.objects.exclude(cqc_location_id="").values_list("cqc_location_id", flat=True))
        failures = []
        if full:
            ids = sorted(known_ids)
        else:
            start = _last_watermark() or now - datetime.timedelta(days=settings.SYNC_CQC_FIRST_WINDOW_DAYS)
            changes = read_changes(start, now)
            run.watermark = changes.watermark
            if changes.failure:
                failures.append({"item": "changes", "reason": changes.failure, "given_up": False})
            ids = list(dict.fromkeys(changes.ids))
        pending = retries.pending_ids()
        listed = set(ids)
        ids += [i for i in pending if i not in listed]
        locations, failed, skipped = _fetch(ids, known_ids | set(pending))

        summary = ImportSummary()
        if locations:
            codes = {loc.ods_code for loc in locations}
            practices = dict(Practice.objects.filter(ods_code__in=codes).values_list("pk", "ods_code"))
            before = _snapshot(practices)
            apply_cqc_locations(locations, summary, actor=actor, source_file="CQC API",
                                change_reason="CQC sync")
            run.changes = _changes(before, _snapshot(practices), practices)
            alerts_raise(changes=run.changes, sync_run=run, actor=actor, today=timezone.localdate(now))
        given_up = retries.record(failed, succeeded=[loc.location_id for loc in locations] + skipped, now=now)
        failures += [{"item": i, "reason": r, "given_up": i in given_up} for i, r in failed.items()]
        run.fetched = len(locations) + len(skipped)
        run.created, run.updated, run.unchanged = summary.created, summary.updated, summary.unchanged
        run.skipped = summary.skipped + len(skipped)
        run.given_up = len(given_up)
        return finish_run(run, failures=failures, now=timezone.now())
    except Exception as exc:
        run.watermark = None  # nothing it read counts as read
        finish_run(run, error=f"{type(exc).__name__}: {exc}", now=timezone.now())
        raise
