"""`import_lessons` saves each file in a transaction of its own: a file the database refuses is
reported by name, the others are imported, the summary is printed and the exit status says that
something failed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lessons.models import Lesson

REFUSED = "A lesson the database refuses"


def entry(title):
    return (
        "Knowledge Bank\n\nLESSONS LEARNT\n\nAUTHOR:\n\nRed Calle\n\n"
        "COUNTRY WHERE THE ACTION THAT ORIGINATED THIS KNOWLEDGE TOOK PLACE:\n\nParaguay\n\n"
        f"TITLE: {title}\n\n"
        "Description of the action that gave rise to the learning:\n\nA description.\n"
    )


@pytest.fixture
def refusing_database(db):
    """A real database error for one title: a trigger of the test's own."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_lesson() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.title = '{REFUSED}' THEN RAISE EXCEPTION 'refused by the test'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_lesson BEFORE INSERT ON lessons_lesson "
                "FOR EACH ROW EXECUTE FUNCTION refuse_lesson()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_lesson BEFORE INSERT ON lessons_lesson "
                f"WHEN NEW.title = '{REFUSED}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )


def test_a_database_error_on_one_file_does_not_stop_the_others(tmp_path, refusing_database):
    files = []
    for number, title in enumerate(["First good lesson", REFUSED, "Second good lesson"]):
        path = tmp_path / f"{number}.txt"
        path.write_text(entry(title))
        files.append(str(path))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file\\(s\\) could not be imported: .*1.txt"):
        call_command("import_lessons", *files, stdout=out, stderr=err)
    assert sorted(Lesson.objects.values_list("title", flat=True)) == [
        "First good lesson",
        "Second good lesson",
    ]
    assert f"{files[1]}: not saved, the database refused it" in err.getvalue()
    assert "Created: 2, updated: 0, flagged for review: 0, failed: 1." in out.getvalue()
