"""Import CQC public-API location records (``GET /locations/{id}`` JSON) as inspections.

Each rated report, current or historic, becomes one dated Inspection of the practice whose ODS
code the location carries. A re-registered location repeats its predecessor's reports in its
history; the CQC report link id names a report once, so those are kept once.

A record also names the commissioners: ``odsCcgCode``/``odsCcgName`` its sub-ICB location (by ODS code), and
``onspdIcbName`` its ICB (keyed by an ONS code, so given to the ICB the practice's sub-ICB location belongs to).
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from practices.models import CommissionerName, Inspection, Practice
from practices.ratings import KEY_QUESTIONS, POPULATION_GROUPS, UnknownRating, parse_rating
from practices.services import episodes_rederive

from .common import ImportRejected, ImportSummary, RowError, changed_fields, parse_date, progress
from .names import record_commissioner_names

LOCATION_ID = re.compile(r"^1-[0-9]+$")
COMMISSIONER_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
KEY_QUESTION_FIELD = {api.lower(): name for name, api, _label in KEY_QUESTIONS}
POPULATION_GROUP_FIELD = {api.lower(): name for name, api, _label in POPULATION_GROUPS}
INSPECTION_FIELDS = ["practice_id", "cqc_location_id", "inspection_date", "publication_date", "report_url",
                     "overall_rating", *KEY_QUESTION_FIELD.values(), *POPULATION_GROUP_FIELD.values()]


@dataclass
class Location:
    source: str
    location_id: str
    ods_code: str | None
    registered: bool
    registration_date: object
    reports: list = field(default_factory=list)  # dicts of Inspection field values + report_link_id
    unrated: int = 0
    commissioner: tuple | None = None  # (ODS code, name) of its sub-ICB location, when the record names it
    icb_name: str | None = None


class _Invalid(Exception):
    def __init__(self, path, message):
        self.path, self.message = path, message


def _rating(value, path):
    try:
        return parse_rating(value)
    except UnknownRating as exc:
        raise _Invalid(path, str(exc)) from None


def _date(value, path):
    if value in (None, ""):
        return None
    try:
        return parse_date(str(value), "%Y-%m-%d")
    except ValueError as exc:
        raise _Invalid(path, str(exc)) from None


def _report(record, path, location_id, visit_dates):
    """Inspection values for one rating record, or None when it carries no rating."""
    if not isinstance(record, dict):
        raise _Invalid(path, "expected a JSON object")
    overall = record.get("overall")
    if not isinstance(overall, dict):
        return None
    overall_rating = _rating(overall.get("rating"), f"{path}.overall.rating")
    if overall_rating is None:
        return None
    published = _date(overall.get("reportDate") or record.get("reportDate"), f"{path}.overall.reportDate")
    if published is None:
        raise _Invalid(f"{path}.overall.reportDate", "a rated report needs a report date")
    link_id = str(overall.get("reportLinkId") or record.get("reportLinkId") or "")
    values = dict.fromkeys((*KEY_QUESTION_FIELD.values(), *POPULATION_GROUP_FIELD.values()), "")
    for index, item in enumerate(overall.get("keyQuestionRatings") or []):
        item_path = f"{path}.overall.keyQuestionRatings[{index}]"
        if not isinstance(item, dict):
            raise _Invalid(item_path, "expected a JSON object")
        name = KEY_QUESTION_FIELD.get(str(item.get("name", "")).lower())
        if name is None:
            raise _Invalid(f"{item_path}.name", f"unknown key question {item.get('name')!r}")
        values[name] = _rating(item.get("rating"), f"{item_path}.rating") or ""
    for index, item in enumerate(record.get("serviceRatings") or []):
        item_path = f"{path}.serviceRatings[{index}]"
        if not isinstance(item, dict):
            raise _Invalid(item_path, "expected a JSON object")
        name = POPULATION_GROUP_FIELD.get(str(item.get("name", "")).lower())
        if name is None:
            raise _Invalid(f"{item_path}.name", f"unknown population group {item.get('name')!r}")
        values[name] = _rating(item.get("rating"), f"{item_path}.rating") or ""
    owner = record.get("organisationId") or location_id
    return dict(
        values,
        report_link_id=link_id,
        cqc_location_id=owner if LOCATION_ID.match(str(owner)) else location_id,
        publication_date=published,
        inspection_date=visit_dates.get(link_id),
        overall_rating=overall_rating,
        report_url=f"https://www.cqc.org.uk/location/{owner}",
    )


def _text(data, key):
    value = data.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _Invalid(key, f"expected text, found {value!r}")
    return value.strip() or None


def _commissioner(data):
    """(ODS code, name) of the location's sub-ICB location, or None when the record does not name it."""
    code, name = _text(data, "odsCcgCode"), _text(data, "odsCcgName")
    if code is None or name is None:
        return None
    if not COMMISSIONER_CODE.match(code):
        raise _Invalid("odsCcgCode", f"{code!r} is not an ODS commissioner code (3 to 5 capital letters or digits)")
    return code, name


def _objects(data, key):
    """The list of JSON objects under ``key`` (none when it is missing or empty), or why the record is invalid."""
    value = data.get(key) or []
    if not isinstance(value, list):
        raise _Invalid(key, f"expected a list, found {value!r}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _Invalid(f"{key}[{index}]", "expected a JSON object")
    return value


def _parse_location(source, data):
    if not isinstance(data, dict):
        raise _Invalid("(top level)", "expected a JSON object (one CQC location)")
    location_id = data.get("locationId")
    if not isinstance(location_id, str) or not LOCATION_ID.match(location_id):
        raise _Invalid("locationId", f"{location_id!r} is not a CQC location id (1- followed by digits)")
    visit_dates = {}
    for index, report in enumerate(_objects(data, "reports")):
        if report.get("linkId"):
            if not isinstance(report["linkId"], str):
                raise _Invalid(f"reports[{index}].linkId", f"expected text, found {report['linkId']!r}")
            visit_dates[report["linkId"]] = _date(report.get("firstVisitDate"), f"reports[{index}].firstVisitDate")
    location = Location(
        source=source, location_id=location_id, ods_code=(data.get("odsCode") or None),
        registered=data.get("registrationStatus") == "Registered",
        registration_date=_date(data.get("registrationDate"), "registrationDate"),
        commissioner=_commissioner(data), icb_name=_text(data, "onspdIcbName"),
    )
    records = []
    if data.get("currentRatings"):
        # Population-group ratings sit beside "overall" in currentRatings, as in each historic record.
        records.append(("currentRatings", data["currentRatings"]))
    records += [(f"historicRatings[{i}]", r) for i, r in enumerate(_objects(data, "historicRatings"))]
    for path, record in records:
        report = _report(record, path, location_id, visit_dates)
        if report is None:
            location.unrated += 1
        else:
            location.reports.append(report)
    return location


def _json_files(path):
    path = Path(path)
    if path.is_dir():
        return sorted(path.glob("*.json"))
    return [path]


def read_cqc_locations(path):
    locations, summary = [], ImportSummary()
    files = _json_files(path)
    for file in progress(files, desc="Reading CQC locations", total=len(files)):
        source = file.name
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            summary.errors.append(RowError(source, exc.lineno, "JSON", exc.msg))
            summary.rejected += 1
            continue
        except (OSError, UnicodeDecodeError) as exc:
            summary.errors.append(RowError(source, None, "file", str(exc)))
            summary.rejected += 1
            continue
        try:
            locations.append(_parse_location(source, data))
        except _Invalid as exc:
            summary.errors.append(RowError(source, None, exc.path, exc.message))
            summary.rejected += 1
    return locations, summary


def parse_cqc_location(source, data):
    """One location record (already decoded JSON) as a Location; raises InvalidLocation with the field at fault."""
    try:
        return _parse_location(source, data)
    except _Invalid as exc:
        raise InvalidLocation(exc.path, exc.message) from None


class InvalidLocation(ValueError):
    """A location record that cannot be read (an unknown rating word, a malformed field)."""

    def __init__(self, path, message):
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


def import_cqc_ratings(path, *, actor=None):
    """Import CQC location records from a file or a folder of them, all or nothing.

    Counts are of inspections (rated reports). Locations with no matching practice and reports
    with no published rating are skipped; malformed records reject the whole import.
    """
    locations, summary = read_cqc_locations(path)
    if summary.rejected:
        raise ImportRejected(summary)
    return apply_cqc_locations(locations, summary, actor=actor, source_file=Path(path).name)


def apply_cqc_locations(locations, summary, *, actor=None, source_file="", change_reason="CQC import"):
    """Save parsed locations (all or nothing, in one transaction) into ``summary``; returns it.

    Used by the file import and by the API sync (surveillance), which reads its records from memory.
    """
    codes = {loc.ods_code for loc in locations if loc.ods_code}
    practices = {p.ods_code: p for p in Practice.objects.filter(ods_code__in=codes)}
    reports, location_for_practice = {}, {}
    for loc in locations:
        practice = practices.get(loc.ods_code)
        if practice is None:
            summary.skipped += max(len(loc.reports) + loc.unrated, 1)
            continue
        summary.skipped += loc.unrated
        rank = (loc.registered, loc.registration_date.isoformat() if loc.registration_date else "")
        best = location_for_practice.get(practice.pk)
        if best is None or rank > best[0]:
            location_for_practice[practice.pk] = (rank, loc.location_id)
        for report in loc.reports:
            key = report["report_link_id"] or (practice.pk, report["cqc_location_id"], report["publication_date"])
            if key not in reports:
                reports[key] = dict(report, practice_id=practice.pk)

    with transaction.atomic():
        existing = {}
        link_ids = [k for k in reports if isinstance(k, str)]
        for inspection in Inspection.objects.filter(report_link_id__in=link_ids):
            existing[inspection.report_link_id] = inspection
        for inspection in Inspection.objects.filter(practice_id__in=[p.pk for p in practices.values()],
                                                    report_link_id=""):
            existing[(inspection.practice_id, inspection.cqc_location_id, inspection.publication_date)] = inspection
        to_create, to_update, fields = [], [], set()
        for key, values in reports.items():
            inspection = existing.get(key)
            if inspection is None:
                to_create.append(Inspection(**values))
                continue
            changed = changed_fields(inspection, {k: values[k] for k in INSPECTION_FIELDS})
            if changed:
                for name in changed:
                    setattr(inspection, name, values[name])
                fields.update(name.removesuffix("_id") if name == "practice_id" else name for name in changed)
                to_update.append(inspection)
            else:
                summary.unchanged += 1
        bulk_create_with_history(to_create, Inspection, batch_size=1000, default_user=actor,
                                 default_change_reason=change_reason)
        if to_update:
            bulk_update_with_history(to_update, Inspection, sorted(fields), batch_size=1000, default_user=actor,
                                     default_change_reason=change_reason)
        summary.created, summary.updated = len(to_create), len(to_update)
        # Special-measures episodes follow the inspections, in the same all-or-nothing transaction.
        episodes_rederive(practice_ids={i.practice_id for i in (*to_create, *to_update)}, actor=actor,
                          reason=change_reason)

        practice_updates = []
        for practice in practices.values():
            chosen = location_for_practice.get(practice.pk)
            if chosen and practice.cqc_location_id != chosen[1]:
                practice.cqc_location_id = chosen[1]
                practice_updates.append(practice)
        if practice_updates:
            bulk_update_with_history(practice_updates, Practice, ["cqc_location_id"], default_user=actor,
                                     default_change_reason=change_reason)
        record_commissioner_names(_commissioner_names(locations), source=CommissionerName.Source.CQC,
                                  source_file=source_file, actor=actor)
    return summary


def _commissioner_names(locations):
    """{ODS code: name} the records give: each sub-ICB location by its code, and each ICB through the practices
    of the records that name it. Where records disagree, most of them win (then the first name in order)."""
    votes = {}
    for loc in locations:
        if loc.commissioner:
            votes.setdefault(loc.commissioner[0], Counter())[loc.commissioner[1]] += 1
    icb_of = dict(Practice.objects.filter(ods_code__in={loc.ods_code for loc in locations if loc.icb_name},
                                          commissioner__parent__isnull=False)
                  .values_list("ods_code", "commissioner__parent__ods_code"))
    for loc in locations:
        if loc.icb_name and loc.ods_code in icb_of:
            votes.setdefault(icb_of[loc.ods_code], Counter())[loc.icb_name] += 1
    return {code: sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0][0]
            for code, counter in votes.items()}
