"""make backup / make restore: a restore into an empty database matches the backup row for row and file for file."""

import hashlib
import os
import subprocess
import sys
import tarfile

import psycopg
import psycopg.sql
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.backup import file_checksums, record_counts
from core.roles import Role
from forwardplans import services

from ..conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_backup_then_restore_into_an_empty_database(docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    users, action = docs["users"], docs["action"]
    services.evidence_upload(action=action, actor=users[Role.PRACTICE_USER], base_version=action.version,
                             uploaded_file=SimpleUploadedFile("log.pdf", PDF))
    services.action_set_rag(action=action, actor=users[Role.PRACTICE_USER], to_status="amber", reason="Started",
                            base_version=action.version)
    counts, files = record_counts(), file_checksums(settings.MEDIA_ROOT)
    assert files and counts["forwardplans_ragchange"] == 1

    db = connection.settings_dict
    base_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"
    backup = subprocess.run(
        [sys.executable, "manage.py", "backup", "--output", str(tmp_path / "backups")], cwd=ROOT,
        env={**base_env, "DATABASE_URL": f"{url}/{db['NAME']}", "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
        capture_output=True, text=True, timeout=120)
    assert backup.returncode == 0, backup.stderr
    archive = backup.stdout.strip()
    with tarfile.open(archive) as tar:
        assert {"database.dump", "manifest.json"} <= set(tar.getnames())

    target = f"{db['NAME']}_restored"
    with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        restore = subprocess.run(
            [sys.executable, "manage.py", "restore", archive], cwd=ROOT,
            env={**base_env, "DATABASE_URL": f"{url}/{target}", "MEDIA_ROOT": str(restored_media)},
            capture_output=True, text=True, timeout=120)
        assert restore.returncode == 0, restore.stderr
        assert "counts and checksums match the backup" in restore.stdout
        # Check independently of the command's own comparison.
        with psycopg.connect(f"{url}/{target}") as restored:
            for table, expected in counts.items():
                query = psycopg.sql.SQL("SELECT COUNT(*) FROM {}").format(psycopg.sql.Identifier(table))
                assert restored.execute(query).fetchone()[0] == expected, table
        for relative, digest in files.items():
            assert hashlib.sha256((restored_media / relative).read_bytes()).hexdigest() == digest
        again = subprocess.run(
            [sys.executable, "manage.py", "restore", archive], cwd=ROOT,
            env={**base_env, "DATABASE_URL": f"{url}/{target}", "MEDIA_ROOT": str(restored_media)},
            capture_output=True, text=True, timeout=120)
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
