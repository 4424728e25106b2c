"""A GIN index for the full-text search of actions (dashboards/search.py), PostgreSQL only.

The indexed expression is exactly the one dashboards.search builds (SearchVector over ACTION_TEXT, 'english'), so
PostgreSQL can use it: an RCGP admin's search over all 120,000 actions of England took 2-2.6 s without it.
tests/test_search.py checks that the search uses it.
"""

from django.db import migrations

from core.migration_operations import postgresql_only

FIELDS = ["action_planned", "problem", "underlying_issue", "regulation", "next_steps", "evidence_needed"]


class Migration(migrations.Migration):

    dependencies = [
        ("forwardplans", "0004_document_access"),
    ]

    operations = [postgresql_only(
        "CREATE INDEX IF NOT EXISTS action_search_idx ON forwardplans_action USING gin (to_tsvector('english'::regconfig, "
        + " || ' ' || ".join(f"COALESCE({field}, '')" for field in FIELDS) + "))",
        "DROP INDEX IF EXISTS action_search_idx")]
