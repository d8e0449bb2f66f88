"""Trigram indexes for the request list's text search, on PostgreSQL only.

`icontains` becomes `UPPER(column) LIKE UPPER('%text%')` on PostgreSQL; a GIN trigram index on
UPPER(column) serves it instead of a scan of every request. SQLite has no such index type and
searches by scanning, which is fine at its scale.
"""

from django.db import migrations

COLUMNS = ["caller_name", "description"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS request_{column}_trgm ON requests_app_customerrequest "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS request_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
