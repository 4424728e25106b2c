"""Backup and restore: the PostgreSQL database (pg_dump) and every stored file, in one archive.

The archive holds ``database.dump`` (pg_dump custom format), ``media/`` (uploaded evidence, PDFs) and
``manifest.json`` (row counts per table and the sha256 of every stored file) so that a restore can be
checked against what was backed up.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.errors import DomainError


def _pg_env():
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise DomainError("Backups need PostgreSQL (DATABASE_URL); the SQLite demo database is a single file.")
    env = {**os.environ, "PGHOST": db["HOST"] or "", "PGPORT": str(db["PORT"] or ""), "PGUSER": db["USER"] or "",
           "PGDATABASE": db["NAME"]}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def record_counts():
    """{table: rows} for every model table (history tables included)."""
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in counts or model._meta.proxy or not model._meta.managed:
                continue
            quoted = connection.ops.quote_name(table)
            # Table names come from the installed models, quoted; no user input reaches this query.
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608  # nosec B608
            counts[table] = cursor.fetchone()[0]
    return counts


def file_checksums(root):
    root = Path(root)
    sums = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            sums[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def backup(output_dir):
    """Write one timestamped archive into ``output_dir`` and return its path."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    archive = output_dir / f"resilience-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database.dump"
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"]
        subprocess.run(command, env=_pg_env(), check=True, capture_output=True)  # noqa: S603,S607 - fixed argv
        manifest = {"created_at": timezone.now().isoformat(), "database": connection.settings_dict["NAME"],
                    "records": record_counts(), "files": file_checksums(settings.MEDIA_ROOT)}
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(dump, arcname="database.dump")
            tar.add(Path(work) / "manifest.json", arcname="manifest.json")
            if Path(settings.MEDIA_ROOT).exists():
                tar.add(settings.MEDIA_ROOT, arcname="media")
    return archive


def _safe_members(tar, destination):
    for member in tar.getmembers():
        target = (destination / member.name).resolve()
        if not str(target).startswith(str(destination.resolve())) or member.issym() or member.islnk():
            raise DomainError(f"Refusing to restore {member.name}: it points outside the archive.")
        yield member


def restore(archive, *, force=False):
    """Restore an archive into the configured (empty) database and MEDIA_ROOT; check it against the manifest.

    Returns the manifest. Raises DomainError when the database is not empty (unless ``force``) or when the
    restored counts or file checksums differ from the manifest.
    """
    archive = Path(archive)
    if not archive.exists():
        raise DomainError(f"{archive}: no such backup.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        if cursor.fetchone()[0] and not force:
            raise DomainError("The database is not empty: restore into an empty database (or use --force).")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, members=_safe_members(tar, work))  # noqa: S202 - members checked above
        manifest = json.loads((work / "manifest.json").read_text())
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--clean", "--if-exists",
                   f"--dbname={connection.settings_dict['NAME']}", str(work / "database.dump")]
        subprocess.run(command, env=_pg_env(), check=True, capture_output=True)  # noqa: S603,S607 - fixed argv
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").exists():
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(work / "media", media, dirs_exist_ok=True)
    connection.close()
    counts, files = record_counts(), file_checksums(settings.MEDIA_ROOT)
    missing = {t: n for t, n in manifest["records"].items() if counts.get(t) != n}
    bad_files = {f for f, digest in manifest["files"].items() if files.get(f) != digest}
    if missing or bad_files:
        raise DomainError(f"The restore does not match the backup: tables {sorted(missing)}, "
                          f"files {sorted(bad_files)}.")
    return manifest
