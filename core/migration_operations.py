"""Migration operations shared by the apps' migrations."""

from django.db import migrations


def postgresql_only(sql, reverse_sql):
    """Run ``sql`` when migrating a PostgreSQL database (``reverse_sql`` when unmigrating), and nothing on others:
    the SQLite demo has no use for PostgreSQL's indexes."""

    def run(statement):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run(sql), run(reverse_sql))
