"""A GIN index for the full-text search of practice names (dashboards/search.py), PostgreSQL only: the indexed
expression is the one dashboards.search builds (SearchVector("name", config="english"))."""

from django.db import migrations

from core.migration_operations import postgresql_only


class Migration(migrations.Migration):

    dependencies = [
        ("practices", "0003_inspection_current_idx"),
    ]

    operations = [postgresql_only(
        "CREATE INDEX IF NOT EXISTS practice_search_idx ON practices_practice USING gin "
        "(to_tsvector('english'::regconfig, COALESCE(name, '')))",
        "DROP INDEX IF EXISTS practice_search_idx")]
