"""sync_ods against a real HTTP server serving the ODS sample, zipped and bare, and files it must refuse."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from practices.models import Practice
from surveillance.models import SyncRun
from surveillance.ods_sync import sync_ods

from .conftest import ODS_BYTES, zipped

pytestmark = pytest.mark.django_db

LINES = ODS_BYTES.decode().splitlines(keepends=True)
GP_ROWS = sum(1 for line in LINES if line.split('","')[25] == "4" and line.split('","')[13] != "Z")


@pytest.fixture
def ods(source, settings):
    base, served = source
    served.files["/ods/epraccur.zip"] = zipped("epraccur.csv", ODS_BYTES)
    settings.ODS_EPRACCUR_URL = f"{base}/ods/epraccur.zip"
    return base, served


def state():
    return sorted(Practice.objects.values_list("ods_code", "name", "status", "commissioner__ods_code"))


def test_the_zipped_file_is_applied_and_a_rerun_changes_nothing(ods):
    run = sync_ods()

    assert run.outcome == SyncRun.Outcome.SUCCEEDED, run.error
    assert run.created == Practice.objects.count() == GP_ROWS
    assert run.changes == []
    again = sync_ods()
    assert (again.created, again.updated, again.unchanged) == (0, 0, GP_ROWS)


def test_a_bare_csv_is_applied_too(ods):
    base, served = ods
    served.files["/ods/epraccur.csv"] = ODS_BYTES

    run = sync_ods(url=f"{base}/ods/epraccur.csv")

    assert run.outcome == SyncRun.Outcome.SUCCEEDED and run.created == GP_ROWS


@pytest.mark.parametrize(("body", "reason"), [
    (b"Organisation Code,Name,Postcode\nA81001,THE DENSHAM SURGERY,TS18 1HU\n",
     "unrecognised layout: line 1 has 3 fields; the ODS epraccur file has 27"),
    (zipped("epraccur-2026.txt", ODS_BYTES), "unrecognised layout: the zip holds no epraccur.csv"),
    (zipped("epraccur.csv", ODS_BYTES + b'"A99999","TOO SHORT"\n'),
     f"unrecognised layout: line {len(LINES) + 1} has 2 fields; the ODS epraccur file has 27"),
    (b"", "unrecognised layout: the file is empty"),
])
def test_any_other_layout_fails_the_whole_run_and_changes_nothing(ods, body, reason):
    sync_ods()
    before = state()
    _base, served = ods
    served.files["/ods/epraccur.zip"] = body

    run = sync_ods()

    assert run.outcome == SyncRun.Outcome.FAILED
    assert run.error == reason
    assert state() == before


def test_a_malformed_row_in_the_right_layout_fails_the_whole_run(ods):
    _base, served = ods
    bad = LINES[0].replace('"19740401"', '"19741301"', 1)
    served.files["/ods/epraccur.zip"] = zipped("epraccur.csv", "".join([bad, *LINES[1:]]).encode())

    run = sync_ods()

    assert run.outcome == SyncRun.Outcome.FAILED
    assert run.error == "1 rejected row(s); nothing was saved"
    assert run.failures[0]["item"] == "line 1" and "open date (column 11)" in run.failures[0]["reason"]
    assert not Practice.objects.exists()


def test_closures_reopenings_and_changes_of_commissioner_are_noted(ods):
    sync_ods()
    _base, served = ods
    codes = [line.split('","')[0].strip('"') for line in LINES if line.split('","')[25] == "4"][:3]
    Practice.objects.filter(ods_code=codes[1]).update(status=Practice.Status.CLOSED)
    changed = []
    for line in LINES:
        fields = line.split('","')
        code = fields[0].strip('"')
        if code == codes[0]:
            fields[12], fields[11] = "C", "20261101"
        if code == codes[2]:
            fields[14] = "99Z"
        changed.append('","'.join(fields))
    served.files["/ods/epraccur.zip"] = zipped("epraccur.csv", "".join(changed).encode())

    run = sync_ods()

    assert run.outcome == SyncRun.Outcome.SUCCEEDED
    kinds = {(c["kind"], c["practice"]) for c in run.changes}
    old_commissioner = LINES[[line.split('","')[0].strip('"') for line in LINES].index(codes[2])].split('","')[14]
    assert kinds == {("practice_closed", codes[0]), ("practice_reopened", codes[1]),
                     ("commissioner_changed", codes[2])}
    today = timezone.localdate().isoformat()
    assert {"kind": "commissioner_changed", "practice": codes[2], "detail": f"{old_commissioner} to 99Z",
            "on": today, "key": f"{today}:99Z", "facts": {"from": old_commissioner, "to": "99Z"}} in run.changes
    closed = next(c for c in run.changes if c["kind"] == "practice_closed")
    assert (closed["on"], closed["facts"]) == ("2026-11-01", {"closed_on": "2026-11-01", "was": "active"})
    assert run.updated == 3


@pytest.mark.parametrize(("fault", "reason"), [("500", "HTTP 503 Service Unavailable, after 2 tries"),
                                               ("timeout", "timed out after 0.3s, after 2 tries")])
def test_a_download_that_fails_fails_the_run(ods, fault, reason):
    _base, served = ods
    served.fail("/ods/epraccur.zip", fault)

    run = sync_ods()

    assert (run.outcome, run.error) == (SyncRun.Outcome.FAILED, reason)
    assert not Practice.objects.exists()


def test_without_a_source_the_run_fails_and_says_why(settings):
    settings.ODS_EPRACCUR_URL = ""

    run = sync_ods()

    assert (run.outcome, run.error) == (SyncRun.Outcome.FAILED, "ODS_EPRACCUR_URL is not set")


def test_the_command_exits_non_zero_on_a_failed_run(ods, capsys):
    _base, served = ods
    served.files["/ods/epraccur.zip"] = b"a,b\n"
    with pytest.raises(CommandError, match="ODS practice file sync failed: unrecognised layout"):
        call_command("sync_ods")
    served.files["/ods/epraccur.zip"] = zipped("epraccur.csv", ODS_BYTES)
    call_command("sync_ods")
    assert f"created={GP_ROWS} " in capsys.readouterr().out
