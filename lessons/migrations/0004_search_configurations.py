"""PostgreSQL full-text search: unaccented Spanish, Portuguese and English, and a GIN index."""

from django.db import migrations

CONFIGURATIONS = {"pv_es": "spanish", "pv_pt": "portuguese", "pv_en": "english"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, language in CONFIGURATIONS.items():
        schema_editor.execute(
            f"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
                CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {language});
                ALTER TEXT SEARCH CONFIGURATION {name}
                  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {language}_stem;
              END IF;
            END $$;
            """
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS lessons_lesson_search_gin "
        "ON lessons_lesson USING gin (search_vector)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS lessons_lesson_search_gin")
    for name in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("lessons", "0003_search_vector")]

    operations = [migrations.RunPython(create, drop)]
