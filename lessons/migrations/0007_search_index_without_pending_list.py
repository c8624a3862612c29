"""The search's GIN index without a pending list (PostgreSQL only).

With GIN's fast update, new index entries wait in a pending list that every search reads
in full until VACUUM merges it: after an import of a few thousand lessons a search with five
matches took 4 ms in the index instead of 0.04. Lessons are written rarely and searched
often, so each write updates the index itself."""

from django.db import migrations

INDEX = "lessons_lesson_search_gin"


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
        # What waits in the list now goes into the index.
        schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("lessons", "0006_lesson_lesson_recent")]

    operations = [migrations.RunPython(without_pending_list, with_pending_list)]
