"""The demo world the suite commits once: each layer a test asks for is exactly a fresh load."""

from django.apps import apps

from countries import demo as countries_demo
from tests.support.demo_world import EMPTY, per_table, tables
from visits import demo as visits_demo
from visits.methodology import demo as methodology_demo

# Rows the migrations write: content types, permissions and the lessons' vocabularies.
MIGRATIONS_FILL = {
    "django_content_type",
    "auth_permission",
    "lessons_addedvalue",
    "lessons_phase",
    "lessons_sdg",
}


# Summaries (core.summaries) are computed, and notifications (core.notifications) created,
# when a write commits: a load inside the test's transaction leaves them to be made.
DERIVED = {"core_summary", "core_summarychange", "core_notification"}


def every_table_count():
    integer, other = tables()
    return {
        table: count
        for table, count in per_table("COUNT(*)", integer + other).items()
        if table not in DERIVED
    }


def test_without_the_demo_fixtures_the_database_is_as_migrated(db):
    counts = every_table_count()
    assert {table for table, count in counts.items() if count} <= MIGRATIONS_FILL
    assert apps.get_model("visits", "Visit").objects.count() == 0


def test_the_people_layer_is_a_fresh_load_of_countries_and_methodology(demo, _demo_world):
    cut = every_table_count()
    assert cut["visits_visit"] == 0
    assert cut["auth_user"] > 0

    _demo_world.cut_to(EMPTY)
    assert every_table_count() != cut
    countries_demo.load()
    methodology_demo.load()
    assert every_table_count() == cut


def test_the_visits_layer_is_a_fresh_load_of_the_whole_demo(demo_visits, _demo_world):
    cut = every_table_count()
    assert cut["visits_visit"] == 14

    _demo_world.cut_to(EMPTY)
    countries_demo.load()
    methodology_demo.load()
    visits_demo.load_visits()
    assert every_table_count() == cut


def test_after_a_flush_the_rows_the_migrations_wrote_come_back(db, _demo_world):
    vocabularies = [apps.get_model("lessons", name) for name in ("Phase", "SDG", "AddedValue")]
    before = [list(model.objects.order_by("pk").values_list()) for model in vocabularies]
    assert all(before)
    for model in vocabularies:
        model.objects.all().delete()  # as a transactional test's flush does

    committed = dict(vars(_demo_world))  # what the committed database still holds
    try:
        _demo_world.after_transactional_test()
        _demo_world.before_database(EMPTY)
        restored = [list(model.objects.order_by("pk").values_list()) for model in vocabularies]
    finally:
        vars(_demo_world).update(committed)
    assert restored == before
