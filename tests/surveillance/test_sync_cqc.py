"""sync_cqc against a real HTTP server serving the recorded CQC location files, with every fault the issue names."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from practices.imports.cqc import import_cqc_ratings
from practices.imports.ods import import_ods_practices
from practices.models import Inspection, Practice
from surveillance import services, tasks
from surveillance.cqc_sync import sync_cqc
from surveillance.models import RetryItem, SyncRun
from surveillance.runs import only_one

from ..conftest import CQC_SAMPLE, ODS_SAMPLE
from ..factories import InspectionFactory, PracticeFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 30, 6, 0, tzinfo=datetime.UTC)
OURS = "1-11809806754"  # Chapel Street, P85019 (registered)
OTHER = "1-12070256587"  # Jarvis Medical Practice, P85622
OURS_REPORT = "2c2ff47e-9d1e-48fd-bd44-a53bee61e215"  # its current rating's report: in no other location's record


@pytest.fixture
def oldham(source):
    """The ODS sample imported (it holds every Oldham practice of the CQC sample), the changes listing them all."""
    import_ods_practices(ODS_SAMPLE)
    _base, served = source
    served.changes = sorted(served.locations)
    return served


def inspections():
    return sorted(Inspection.objects.values_list("practice__ods_code", "report_link_id", "publication_date",
                                                 "overall_rating"))


def test_incremental_sync_applies_what_the_file_import_applies_and_sends_the_key(oldham, tmp_path):
    run = sync_cqc(now=NOW)

    assert run.outcome == SyncRun.Outcome.SUCCEEDED, run.failures
    assert run.failures == [] and run.failed == 0
    assert run.fetched == 74 and run.created > 0
    synced = inspections()
    Inspection.objects.all().delete()
    import_cqc_ratings(CQC_SAMPLE)
    assert synced == inspections()
    assert {h["Ocp-Apim-Subscription-Key"] for p, h in oldham.requests} == {"test-subscription-key"}
    assert Practice.objects.get(ods_code="P85019").cqc_location_id == OURS


def test_a_rerun_changes_nothing_it_already_applied(oldham):
    first = sync_cqc(now=NOW)
    history = Inspection.history.count()

    second = sync_cqc(now=NOW + datetime.timedelta(hours=1))

    assert first.created > 0
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert second.changes == []
    assert Inspection.history.count() == history


def test_the_change_windows_are_paged_and_read_from_the_last_watermark(oldham):
    windows = []

    def changes(start, end):
        windows.append((start, end))
        return sorted(oldham.locations)

    oldham.changes = changes
    first = sync_cqc(now=NOW)
    assert first.watermark == NOW
    assert windows[0] == ("2026-11-23T06:00:00Z", "2026-11-24T06:00:00Z")  # SYNC_CQC_FIRST_WINDOW_DAYS back
    assert len(windows) == 7 * 1  # one day a window, 74 ids on one page of 1000

    windows.clear()
    sync_cqc(now=NOW + datetime.timedelta(hours=6))
    assert windows == [("2026-11-30T06:00:00Z", "2026-11-30T12:00:00Z")]


def test_a_change_window_that_fails_keeps_the_watermark_at_the_last_window_read(oldham):
    oldham.fail("/changes/location", "500", after=2)  # windows 1 and 2 read; window 3 fails, both tries

    run = sync_cqc(now=NOW)

    start = NOW - datetime.timedelta(days=7)
    assert run.watermark == start + datetime.timedelta(days=2)
    assert run.outcome == SyncRun.Outcome.PARTIAL
    assert run.failures[0]["item"] == "changes"
    assert "HTTP 503" in run.failures[0]["reason"] and "page 1" in run.failures[0]["reason"]
    assert run.created > 0  # what was read was still applied

    oldham.heal("/changes/location")
    requests_before = oldham.requested("/changes/location")
    again = sync_cqc(now=NOW)
    assert again.watermark == NOW
    assert oldham.requested("/changes/location") - requests_before == 5  # from the saved watermark on


def test_full_fetches_every_known_practices_location_and_nothing_else(oldham):
    sync_cqc(now=NOW)
    known = set(Practice.objects.exclude(cqc_location_id="").values_list("cqc_location_id", flat=True))
    oldham.requests.clear()

    run = sync_cqc(full=True, now=NOW)

    fetched = {p.removeprefix("/locations/") for p, _h in oldham.requests}
    assert fetched == known
    assert run.kind == SyncRun.Kind.CQC_FULL and run.fetched == len(known) and run.created == 0
    assert not any(p.startswith("/changes") for p, _h in oldham.requests)


@pytest.mark.parametrize(("fault", "reason"), [
    ("timeout", "timed out after 0.3s, after 2 tries"),
    ("429", "HTTP 429 Too Many Requests (Retry-After 0), after 2 tries"),
    ("500", "HTTP 503 Service Unavailable, after 2 tries"),
    ("malformed", "malformed JSON"),
])
def test_a_location_that_keeps_failing_is_reported_and_the_others_applied(oldham, fault, reason):
    oldham.fail(f"/locations/{OURS}", fault)

    run = sync_cqc(now=NOW)

    assert run.outcome == SyncRun.Outcome.PARTIAL
    assert [f["item"] for f in run.failures] == [OURS]
    assert reason in run.failures[0]["reason"]
    assert run.fetched == 73
    assert Inspection.objects.filter(practice__ods_code="P85622").exists()
    assert not Inspection.objects.filter(report_link_id=OURS_REPORT).exists()
    assert Practice.objects.get(ods_code="P85019").cqc_location_id != OURS
    item = RetryItem.objects.get()
    assert (item.location_id, item.tries, item.given_up) == (OURS, 1, False)


def test_a_429_is_waited_out_and_tried_again_within_the_run(oldham):
    oldham.retry_after = "0.1"
    oldham.fail(f"/locations/{OURS}", "429", times=1)

    run = sync_cqc(now=NOW)

    assert run.outcome == SyncRun.Outcome.SUCCEEDED
    assert oldham.requested(f"/locations/{OURS}") == 2
    assert Inspection.objects.filter(report_link_id=OURS_REPORT).exists()
    assert not RetryItem.objects.exists()


def _record(location_id, served):
    return json.loads(served.locations[location_id])


def test_an_unknown_rating_word_fails_that_location_only(oldham):
    data = _record(OURS, oldham)
    data["currentRatings"]["overall"]["rating"] = "Superb"
    oldham.locations[OURS] = json.dumps(data).encode()

    run = sync_cqc(now=NOW)

    assert [f["item"] for f in run.failures] == [OURS]
    assert "unknown rating 'Superb'" in run.failures[0]["reason"]
    assert Inspection.objects.filter(practice__ods_code="P85622").exists()
    assert not Inspection.objects.filter(report_link_id=OURS_REPORT).exists()


def test_an_ods_code_we_do_not_hold_fails_our_location_and_skips_a_stranger(source):
    _base, served = source
    ours = PracticeFactory(ods_code="P85019", cqc_location_id=OURS)
    data = _record(OURS, served)
    data["odsCode"] = "Y99999"
    served.locations[OURS] = json.dumps(data).encode()
    care_home = {"locationId": "1-555", "type": "Social Care Org", "gacServiceTypes": [{"name": "Nursing homes"}],
                 "odsCode": "VM1AB"}
    served.locations["1-555"] = json.dumps(care_home).encode()
    served.changes = [OURS, OTHER, "1-555"]  # OTHER is a GP location whose practice (P85622) we do not hold

    run = sync_cqc(now=NOW)

    assert run.failures == [{"item": OURS, "reason": "ODS code Y99999 is not a practice we hold",
                             "given_up": False}]
    assert run.skipped == 2 and run.fetched == 2
    assert not Inspection.objects.filter(practice=ours).exists()


def test_a_failed_location_is_fetched_again_on_later_runs_until_it_succeeds(oldham):
    oldham.fail(f"/locations/{OURS}", "500")
    sync_cqc(now=NOW)
    oldham.changes = []

    second = sync_cqc(now=NOW + datetime.timedelta(hours=1))
    assert [f["item"] for f in second.failures] == [OURS]
    assert RetryItem.objects.get().tries == 2

    oldham.heal(f"/locations/{OURS}")
    third = sync_cqc(now=NOW + datetime.timedelta(hours=2))
    assert third.outcome == SyncRun.Outcome.SUCCEEDED and third.fetched == 1
    assert Inspection.objects.filter(report_link_id=OURS_REPORT, practice__ods_code="P85019").exists()
    assert not RetryItem.objects.exists()


def test_after_the_try_limit_a_location_is_given_up_and_no_longer_fetched(oldham):
    oldham.fail(f"/locations/{OURS}", "timeout")
    runs = [sync_cqc(now=NOW)]
    oldham.changes = []
    runs += [sync_cqc(now=NOW + datetime.timedelta(hours=h)) for h in (1, 2)]  # SYNC_RETRY_LIMIT = 3

    assert [r.given_up for r in runs] == [0, 0, 1]
    assert runs[-1].failures[0]["given_up"] is True
    item = RetryItem.objects.get()
    assert (item.tries, item.given_up) == (3, True)
    asked = oldham.requested(f"/locations/{OURS}")
    fourth = sync_cqc(now=NOW + datetime.timedelta(hours=3))
    assert oldham.requested(f"/locations/{OURS}") == asked
    assert fourth.failures == []


def test_the_run_lists_the_changes_that_matter_for_the_alerts(source):
    _base, served = source
    practice = PracticeFactory(ods_code="P85019", cqc_location_id=OURS)
    InspectionFactory(practice=practice, cqc_location_id=OURS, report_link_id="old-report",
                      publication_date=datetime.date(2010, 1, 1), overall_rating="outstanding")
    served.changes = [OURS]
    data = _record(OURS, served)
    latest = data["currentRatings"]["overall"]

    run = sync_cqc(now=NOW)

    new_links = set(Inspection.objects.filter(practice=practice).exclude(report_link_id="old-report")
                    .values_list("report_link_id", flat=True))
    assert new_links
    assert {c["detail"] for c in run.changes if c["kind"] == "new_inspection"} == {f"report {x}" for x in new_links}
    fell = [c for c in run.changes if c["kind"] == "rating_fell"]
    expected = latest["rating"].lower().replace(" ", "_")
    published = latest["reportDate"]
    assert fell == [{"kind": "rating_fell", "practice": "P85019", "detail": f"outstanding to {expected}",
                     "on": published, "key": latest["reportLinkId"],
                     "facts": {"from": "outstanding", "to": expected, "published_on": published,
                               "report": latest["reportLinkId"]}}]


def test_the_command_prints_the_report_and_the_task_runs_a_sync(oldham, capsys):
    oldham.fail(f"/locations/{OURS}", "500")
    call_command("sync_cqc")
    out, err = capsys.readouterr()
    assert f"failed {OURS}: HTTP 503" in err
    assert "fetched=73" in out and "failed=1" in out

    pk = tasks.sync_cqc.apply().get()
    assert SyncRun.objects.get(pk=pk).kind == SyncRun.Kind.CQC
    assert SyncRun.objects.latest("started_at").finished_at <= timezone.now()


def test_a_second_run_while_one_is_running_is_refused_and_reported(oldham):
    with only_one("CQC"):
        refused = services.sync_run_cqc()
    assert (refused.outcome, refused.error) == (SyncRun.Outcome.FAILED, "another CQC sync is running")
    assert oldham.requests == []
    assert services.sync_run_cqc().outcome == SyncRun.Outcome.SUCCEEDED  # the lock is let go


def test_an_id_in_the_changes_that_is_not_a_location_id_is_reported_and_never_requested(oldham):
    oldham.changes = ["../admin", OURS]

    run = sync_cqc(now=NOW)

    assert run.failures == [{"item": "../admin", "reason": "not a CQC location id (1- followed by digits)",
                             "given_up": False}]
    assert {p for p, _h in oldham.requests if p.startswith("/locations/")} == {f"/locations/{OURS}"}
