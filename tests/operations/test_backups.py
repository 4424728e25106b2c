"""The nightly backup (operations/backups.py) through a REAL Celery worker on the test database and Redis: it writes
the database and stored files into the folder, verifies the archive, records its status, keeps BACKUP_KEEP nightly
archives, runs once per night and one at a time, and tells RCGP admins in the app when it fails."""

import datetime
import io
import json
import tarfile
import uuid

import psycopg
import pytest
from django.db import connection

from core.backup import BackupInvalid, backup, restore, verify
from core.roles import Role
from forwardplans.job_models import Notification
from operations import backups
from operations.tasks import nightly_backup

from ..celery_worker import publishing_to, wait_for
from ..factories import user_for

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RUN_TIMEOUT = 120


def _status(folder):
    try:
        return json.loads((folder / backups.STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None


def _run(status_in, **kwargs):
    """Send the task to the worker and wait for the status it records in the folder ``status_in``."""
    sent = nightly_backup.apply_async(kwargs=kwargs)
    return wait_for(lambda: (s := _status(status_in)) and s["task_id"] == sent.id and s, timeout=RUN_TIMEOUT,
                    message="the backup to record its status")


def _archives(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tar.gz"))


def _stored_file(media):
    path = media / "evidence" / f"backup-{uuid.uuid4().hex[:8]}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    return str(path.relative_to(media))


def test_the_nightly_backup_runs_on_the_worker_and_its_archive_is_verified(celery_worker, jobs_media, tmp_path):
    folder = tmp_path / "backups"
    stored = _stored_file(jobs_media)

    status = _run(folder, night="2026-12-01", folder=str(folder))

    assert status["ok"] is True and status["outcome"] == "written" and status["error"] is None
    assert status["archive"] == "resilience-nightly-2026-12-01.tar.gz" == status["last_ok"]["archive"]
    archive = folder / status["archive"]
    assert status["size"] == archive.stat().st_size
    assert _archives(folder) == [status["archive"]]  # no partial left behind
    manifest = verify(archive)  # every member present with its checksum
    assert {"database.dump", f"media/{stored}"} <= set(manifest["members"])
    assert manifest["files"][stored] == manifest["members"][f"media/{stored}"]
    with tarfile.open(archive) as tar:
        assert tar.extractfile(f"media/{stored}").read() == PDF
    assert backups.last_status(folder)["task_id"] == status["task_id"]


def test_a_second_run_of_the_same_night_adds_no_archive(celery_worker, tmp_path):
    folder = tmp_path / "backups"
    first = _run(folder, night="2026-12-02", folder=str(folder))
    written = (folder / first["archive"]).stat()

    again = _run(folder, night="2026-12-02", folder=str(folder))

    assert again["ok"] is True and again["outcome"] == "exists" and again["archive"] == first["archive"]
    assert _archives(folder) == [first["archive"]]
    assert (folder / first["archive"]).stat().st_mtime_ns == written.st_mtime_ns


def test_backup_keep_2_leaves_the_newest_two_of_three_nights(start_worker, jobs_broker_url, tmp_path):
    """BACKUP_DIR and BACKUP_KEEP from the worker's environment, as beat's task (no arguments) reads them."""
    folder = tmp_path / "share"
    folder.mkdir()
    by_hand = folder / "resilience-backup-20261101T120000Z.tar.gz"  # make backup's: not the schedule's to prune
    by_hand.write_bytes(b"kept")
    queue = f"backup-test-{uuid.uuid4().hex[:10]}"
    start_worker(queue=queue, env={"BACKUP_DIR": str(folder), "BACKUP_KEEP": "2"})

    with publishing_to(queue, jobs_broker_url):
        for night in ("2026-12-01", "2026-12-02", "2026-12-03"):
            status = _run(folder, night=night)

    assert _archives(folder) == [by_hand.name, "resilience-nightly-2026-12-02.tar.gz",
                                 "resilience-nightly-2026-12-03.tar.gz"]
    assert status["deleted"] == ["resilience-nightly-2026-12-01.tar.gz"]
    assert status["kept"] == ["resilience-nightly-2026-12-03.tar.gz", "resilience-nightly-2026-12-02.tar.gz"]


def test_a_corrupted_archive_fails_verification(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _stored_file(settings.MEDIA_ROOT)
    good = backup(tmp_path / "out", name="good.tar.gz")
    assert verify(good)["members"]

    flipped = tmp_path / "flipped.tar.gz"
    data = bytearray(good.read_bytes())
    for at in range(len(data) // 2, len(data) // 2 + 16):
        data[at] ^= 0xFF
    flipped.write_bytes(bytes(data))
    with pytest.raises(BackupInvalid, match="cannot be read|does not match"):
        verify(flipped)

    # A readable archive whose stored file is not what its manifest says.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(good) as source, tarfile.open(tampered, "w:gz") as tar:
        for member in source.getmembers():
            content = source.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("media/") and member.isfile():
                content = PDF.replace(b"1.4", b"1.7")
                member.size = len(content)
            tar.addfile(member, io.BytesIO(content) if content is not None else None)
    with pytest.raises(BackupInvalid, match="checksum differs"):
        verify(tampered)

    # A truncated archive, and a restore of a corrupted one stops before the database is touched.
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good.read_bytes()[: len(data) // 3])
    with pytest.raises(BackupInvalid):
        verify(truncated)
    with pytest.raises(BackupInvalid):
        restore(flipped, force=True)


def test_an_unwritable_folder_fails_and_rcgp_admins_are_told_in_the_app(celery_worker, tmp_path):
    admin = user_for(Role.RCGP_ADMIN)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder's parent should be")
    folder = blocker / "backups"

    nightly_backup.apply_async(kwargs={"night": "2026-12-04", "folder": str(folder)})

    told = wait_for(lambda: Notification.objects.filter(recipient=admin, kind="failed").first(),
                    timeout=RUN_TIMEOUT, message="RCGP admins to be told")
    assert told.title == "The nightly backup of 4 December 2026 failed"
    assert "could not be written" in told.body and "docs/operations.md" in told.body
    status = backups.last_status(folder)  # the folder cannot hold it: the shared cache's copy
    assert status["ok"] is False and status["outcome"] == "failed" and status["night"] == "2026-12-04"
    assert "could not be written" in status["error"]
    assert not blocker.is_dir()


def test_a_failing_pg_dump_is_recorded_and_told_once_a_night(start_worker, jobs_broker_url, tmp_path):
    """pg_dump refused by the server (PGOPTIONS names a role that does not exist: libpq's environment reaches pg_dump,
    while the application's own connection sets its options itself)."""
    admin = user_for(Role.RCGP_ADMIN)
    folder = tmp_path / "backups"
    queue = f"backup-test-{uuid.uuid4().hex[:10]}"
    start_worker(queue=queue, env={"PGOPTIONS": "-c role=no_such_role_for_backup_test"})

    with publishing_to(queue, jobs_broker_url):
        first = _run(folder, night="2026-12-06", folder=str(folder))
        again = _run(folder, night="2026-12-06", folder=str(folder))

    for status in (first, again):
        assert status["ok"] is False and status["outcome"] == "failed" and status["archive"] is None
        assert status["error"].startswith("pg_dump failed (exit 1):")
        assert "no_such_role_for_backup_test" in status["error"]
    assert [p.name for p in folder.iterdir()] == [backups.STATUS_FILE]  # no archive, no partial one
    told = Notification.objects.filter(recipient=admin, kind="failed")
    assert [n.title for n in told] == ["The nightly backup of 6 December 2026 failed"]  # once, not per run
    assert "pg_dump failed" in told[0].body


def test_only_one_backup_runs_at_a_time(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "backups"
    db = connection.settings_dict
    night = datetime.date(2026, 12, 5)
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None,
                         dbname=db["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [backups.LOCK_KEY])  # another run, elsewhere, holds it
        assert backups.run(night, folder=folder) == {"night": "2026-12-05", "outcome": "busy"}
        assert not folder.exists() or not any(folder.iterdir())
        other.execute("SELECT pg_advisory_unlock(%s)", [backups.LOCK_KEY])

    assert backups.run(night, folder=folder)["outcome"] == "written"
    assert _archives(folder) == ["resilience-nightly-2026-12-05.tar.gz"]


def test_beat_runs_the_backup_nightly_at_backup_time_with_its_defaults(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-backup"]
    assert entry["task"] == "operations.tasks.nightly_backup"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}
    assert settings.BACKUP_KEEP == 14 and settings.BACKUP_DIR == settings.BASE_DIR / "var" / "backups"
