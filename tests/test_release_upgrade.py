"""A database made by the last release, with its demo data loaded, migrates forward with every row kept.

tests/fixtures/release_1_demo.sql.gz is a pg_dump of such a database (the first release's migrations, then
``seed_demo``). It is loaded into a new database, migrated by today's code in a separate process, and every table
it held is counted before and after."""

import gzip
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
DUMP = ROOT / "tests" / "fixtures" / "release_1_demo.sql.gz"
# Django's own bookkeeping, which migrating adds to (content types and permissions of new models).
GROWS = {"django_migrations", "django_content_type", "auth_permission"}


def _psql(url, *args, stdin=None):
    parsed = urlparse(url)
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", parsed.hostname or "127.0.0.1",
               "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres", *args]
    return subprocess.run(command, input=stdin, capture_output=True, check=True, timeout=300).stdout.decode()


def _counts(url, database):
    tables = _psql(url, "-d", database, "-Atc",
                   "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    # The names come from the catalogue of a database this test made.
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)  # noqa: S608
    return {name: int(n) for name, n in (line.split("|") for line in _psql(url, "-d", database, "-Atc", query)
                                           .splitlines())}


@pytest.fixture
def release_database():
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resilience")
    if not url.startswith("postgres"):
        pytest.fail("the upgrade test needs PostgreSQL (DATABASE_URL)")
    name = f"resilience_upgrade_{uuid.uuid4().hex[:8]}"
    _psql(url, "-d", "postgres", "-c", f'CREATE DATABASE "{name}"')
    try:
        _psql(url, "-d", name, stdin=gzip.decompress(DUMP.read_bytes()))
        yield url, name
    finally:
        _psql(url, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_last_release_with_demo_data_migrates_forward_with_every_row_kept(release_database):
    url, name = release_database
    before = _counts(url, name)
    assert before["resilience_user"] > 10 and before["contracts_contract"] > 5  # the demo data is there

    parsed = urlparse(url)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resilience.settings",
           "DATABASE_URL": parsed._replace(path=f"/{name}").geturl()}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    pending = subprocess.run([sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert pending.returncode == 0, pending.stdout + pending.stderr

    after = _counts(url, name)
    kept = {t: (n, after.get(t)) for t, n in before.items() if t not in GROWS}
    assert {t: c for t, c in kept.items() if c[0] != c[1]} == {}, "rows lost or added by migrating"
    assert all(after[t] >= before[t] for t in GROWS)
    # Every user with a role holds the membership they act in.
    users_with_a_role = int(_psql(url, "-d", name, "-Atc", "SELECT count(*) FROM resilience_user WHERE role <> ''"))
    assert after["resilience_membership"] == users_with_a_role
    mismatched = _psql(url, "-d", name, "-Atc",
                       "SELECT count(*) FROM resilience_user u JOIN resilience_membership m ON m.user_id = u.id "
                       "WHERE m.role <> u.role OR m.commissioner_id IS DISTINCT FROM u.commissioner_id "
                       "OR m.practice_id IS DISTINCT FROM u.practice_id")
    assert int(mismatched) == 0
