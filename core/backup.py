"""Backup and restore: the PostgreSQL database (pg_dump) and every stored file, in one archive.

The archive holds ``database.dump`` (pg_dump custom format), ``media/`` (uploaded evidence, PDFs) and
``manifest.json``: row counts per table, the sha256 of every stored file (``files``, relative to MEDIA_ROOT) and of
every member of the archive (``members``: ``database.dump`` and ``media/...``), so that the archive can be verified
(``verify``) and a restore checked against what was backed up. ``backup`` verifies each archive right after writing
it; ``restore`` verifies it before touching the database. Archives written before ``members`` existed are verified
against ``files`` and the presence of the dump.
"""

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.errors import DomainError

CHUNK = 1024 * 1024
DUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format file


class BackupInvalid(DomainError):
    """The archive cannot be read, or what it holds does not match its manifest."""

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


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _Hashing:
    """A file read by tarfile.addfile, hashed as it is read: the checksum is of exactly the bytes archived."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_media(tar, media):
    """Add every stored file under ``media/``; {path relative to MEDIA_ROOT: sha256 of what was archived}."""
    sums = {}
    if not media.exists():
        return sums
    for path in sorted(p for p in media.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = str(path.relative_to(media))
        try:
            handle = path.open("rb")
        except FileNotFoundError:  # deleted (retention, a replaced PDF) since it was listed
            continue
        with handle:
            info = tar.gettarinfo(arcname=f"media/{relative}", fileobj=handle)
            reader = _Hashing(handle)
            tar.addfile(info, reader)
        sums[relative] = reader.digest.hexdigest()
    return sums


def backup(output_dir, *, name=None, verify_after=True):
    """Write one archive into the folder ``output_dir`` (created if missing) and return its path.

    ``name`` is the archive's file name (default ``resilience-backup-<UTC time>.tar.gz``). The archive is verified
    against its manifest once written (``verify``); BackupInvalid if it does not match. Raises OSError when the
    folder cannot be written and subprocess.CalledProcessError when pg_dump fails.
    """
    output_dir = Path(output_dir)
    env = _pg_env()
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    archive = output_dir / (name or f"resilience-backup-{stamp}.tar.gz")
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database.dump"
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"]
        try:
            subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603,S607 - fixed argv
        except FileNotFoundError:
            raise DomainError("pg_dump is not installed here (PostgreSQL's client tools are needed).") from None
        records = record_counts()
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(dump, arcname="database.dump")
            files = _add_media(tar, Path(settings.MEDIA_ROOT))
            manifest = {"created_at": timezone.now().isoformat(), "database": connection.settings_dict["NAME"],
                        "records": records, "files": files,
                        "members": {"database.dump": _sha256(dump),
                                    **{f"media/{relative}": digest for relative, digest in files.items()}}}
            (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2))
            tar.add(Path(work) / "manifest.json", arcname="manifest.json")
    if verify_after:
        verify(archive)
    return archive


def _expected_members(manifest):
    """{member name: sha256, or None where only presence can be checked} that the manifest lists."""
    if isinstance(manifest.get("members"), dict):
        return dict(manifest["members"])
    return {"database.dump": None, **{f"media/{name}": digest for name, digest in manifest.get("files", {}).items()}}


def verify(archive):
    """Open ``archive``, read every member once and check it against the manifest: every listed member present,
    a regular file, with the listed sha256; the database dump present and in pg_dump's format. Returns the
    manifest; raises BackupInvalid (a DomainError) saying what is wrong."""
    archive = Path(archive)
    digests, manifest, dump_head = {}, None, b""
    try:
        # One pass, in order: an archive on a share is read once. Read to the end of the gzip stream too, so that
        # its CRC is checked.
        with gzip.open(archive, "rb") as raw, tarfile.open(fileobj=raw, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                handle = tar.extractfile(member)
                if member.name == "manifest.json":
                    manifest = json.loads(handle.read())
                    continue
                digest = hashlib.sha256()
                while block := handle.read(CHUNK):
                    if member.name == "database.dump" and not dump_head:
                        dump_head = block[:len(DUMP_MAGIC)]
                    digest.update(block)
                digests[member.name] = digest.hexdigest()
            while raw.read(CHUNK):
                pass
    except FileNotFoundError:
        raise BackupInvalid(f"{archive.name}: no such backup.") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
        raise BackupInvalid(f"{archive.name} cannot be read: {type(exc).__name__}: {exc}") from None
    if not isinstance(manifest, dict):
        raise BackupInvalid(f"{archive.name} has no manifest.")
    expected = _expected_members(manifest)
    if "database.dump" not in expected:
        raise BackupInvalid(f"{archive.name}: the manifest lists no database dump.")
    missing = sorted(name for name in expected if name not in digests)
    differ = sorted(name for name, digest in expected.items()
                    if name in digests and digest is not None and digests[name] != digest)
    if missing or differ:
        raise BackupInvalid(f"{archive.name} does not match its manifest: missing {missing[:10]}, "
                            f"checksum differs {differ[:10]} ({len(missing)} missing, {len(differ)} differ).")
    if dump_head != DUMP_MAGIC:
        raise BackupInvalid(f"{archive.name}: database.dump is not a pg_dump archive.")
    return manifest


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
    verify(archive)
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
