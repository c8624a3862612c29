"""Full-text search of the knowledge bank.

On PostgreSQL: ranking, accents ignored both ways, stemming in the lesson's own language
(pv_es, pv_pt, pv_en), the GIN index and the search vector kept on save. On SQLite: the
word-by-word fallback. On both: any input answers with results or none, never an error.

The PostgreSQL tests skip on SQLite; with CI=true a missing PostgreSQL stops the run (see
conftest), so they run there.
"""

import pytest
from django.db import connection

from lessons.knowledge_bank.applying import save_parsed
from lessons.knowledge_bank.parsing import parse
from lessons.models import Lesson
from lessons.search import MAX_QUERY_LENGTH, search
from tests.support.html import text
from tests.support.knowledge_bank import TITLE, shipped_bytes

ON_POSTGRESQL = connection.vendor == "postgresql"
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="PostgreSQL full-text search (ranking, unaccent, stemming, GIN index); "
    "SQLite has the plain word-by-word fallback. Run with DATABASE_URL=postgres://…",
)

PUBLISHED = Lesson.Status.PUBLISHED


def lesson(title, language="en", **fields):
    fields.setdefault("status", PUBLISHED)
    return Lesson.objects.create(title=title, language=language, **fields)


def found(words):
    """The titles the search finds, best first."""
    return [found.title for found in search(Lesson.objects.all(), words)]


@pytest.fixture
def shipped(db):
    lesson, _report = save_parsed(parse(shipped_bytes()))
    lesson.status = PUBLISHED
    lesson.save()
    return lesson


# --- on both databases --------------------------------------------------------------------------


def test_the_shipped_entry_is_found_by_peer_review(client, shipped):
    lesson("Multi-year agreements keep local care services alive")
    assert found("peer review") == [TITLE]
    assert found("Peer Review") == [TITLE]
    assert found("PEER   REVIEW") == [TITLE]

    response = client.get("/lessons/", {"q": "peer review"})
    assert response.status_code == 200
    assert [item.title for item in response.context["lessons"]] == [TITLE]
    assert "1 lesson found." in text(response)


def test_every_word_typed_must_be_found(shipped):
    lesson("Peer learning between ministries")
    assert set(found("peer")) == {TITLE, "Peer learning between ministries"}
    assert found("peer ministries") == ["Peer learning between ministries"]
    assert found("peer nothingofthesort") == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Caregivers at the centre"),
        ("description", "Caregivers took part in every session."),
        ("experience", "Listening to caregivers."),
        ("impacts_lead", "For caregivers it meant:"),
        ("impacts", ["More caregivers trained."]),
        ("keywords", ["Caregivers"]),
        ("author", "Network of caregivers"),
    ],
)
def test_each_field_of_the_entry_is_searched(db, field, value):
    values = {"title": "A lesson", field: value}
    lesson(**values)
    assert found("caregivers") == [values["title"]]


def test_words_with_accents_are_found_as_written_in_every_field(db):
    lesson("Participación", language="es")
    lesson("Palabras clave", language="es", keywords=["Participación ciudadana"])
    lesson("Impactos", language="es", impacts=["Más participación de las cuidadoras"])
    lesson("Descripción", language="es", description="La participación de las familias.")
    assert set(found("participación")) == {
        "Participación",
        "Palabras clave",
        "Impactos",
        "Descripción",
    }
    assert found("ciudadana participación") == ["Palabras clave"]
    assert found("más cuidadoras") == ["Impactos"]


def test_an_empty_query_finds_everything(db):
    lesson("One")
    lesson("Two")
    assert set(found("")) == {"One", "Two"}
    assert set(found("   \n\t ")) == {"One", "Two"}


def test_search_keeps_the_filters_it_is_given(db):
    lesson("Care registry", status=Lesson.Status.DRAFT)
    lesson("Care services")
    published = Lesson.objects.filter(status=PUBLISHED)
    assert [found.title for found in search(published, "care")] == ["Care services"]


# Any input: results or none, never an error.
STRANGE_INPUT = [
    '"peer review"',
    '"peer review',
    'peer" review"',
    '"',
    "'",
    "peer -review",
    "-peer",
    "-",
    "--",
    "peer OR review",
    "OR",
    "OR OR OR",
    "peer & review",
    "peer | review",
    "!peer",
    "!",
    "peer:*",
    ":*",
    "peer <-> review",
    "<->",
    "<2> peer",
    "&|!:*<->()",
    "(peer",
    "peer)",
    "peer review " * 84,  # 1,008 characters
    "x" * 1000,
    "🙂",
    "peer review 🙂🚀",
    "participación 👩🏽‍⚕️",
    "'; DROP TABLE lessons_lesson; --",
    "1' OR '1'='1",
    "peer%",
    "%",
    "_",
    "\\",
    "\\x00",
    "\x00",
    "peer\x00review",
    "!!! ??? ... ,,, ;;;",
    "@#$^*+=~`[]{}<>/",
    "the and of",
    "<script>alert(1)</script>",
    "\u200b\u2060",
    "a",
]


@pytest.mark.parametrize("words", STRANGE_INPUT, ids=range(len(STRANGE_INPUT)))
def test_any_input_gives_results_or_none(client, shipped, words):
    all_ids = set(Lesson.objects.values_list("pk", flat=True))
    results = list(search(Lesson.objects.all(), words))
    assert {result.pk for result in results} <= all_ids

    response = client.get("/lessons/", {"q": words})
    assert response.status_code == 200
    assert {result.pk for result in response.context["lessons"]} <= all_ids
    assert Lesson.objects.count() == 1  # nothing was run but a search


@pytest.mark.parametrize(
    "words",
    ['"peer review"', '"peer review', "peer review " * 84, "PEER Review", "  peer\treview  "],
)
def test_quotes_case_spacing_and_long_input_still_find(shipped, words):
    assert len("peer review " * 84) > 1000 > MAX_QUERY_LENGTH
    assert found(words) == [TITLE]


def test_input_of_1000_characters_in_the_search_box(client, shipped):
    response = client.get("/lessons/", {"q": "peer review " * 84})
    assert [item.title for item in response.context["lessons"]] == [TITLE]


# --- the SQLite fallback ------------------------------------------------------------------------


def test_the_plain_fallback_matches_parts_of_words(db, monkeypatch):
    # The fallback SQLite uses, exercised on whichever database runs the tests.
    monkeypatch.setattr("lessons.search.on_postgresql", lambda: False)
    lesson("Peer-to-peer workshops", keywords=["Participación"])
    assert found("work") == ["Peer-to-peer workshops"]
    assert found("peer-to") == ["Peer-to-peer workshops"]
    assert found("participación") == ["Peer-to-peer workshops"]


def test_a_search_vector_is_kept_only_where_it_is_searched(db):
    saved = Lesson.objects.get(pk=lesson("Caregivers").pk)
    assert (saved.search_vector is not None) == ON_POSTGRESQL


# --- PostgreSQL ---------------------------------------------------------------------------------


@postgresql_only
def test_a_title_match_ranks_above_a_body_match(db):
    # Created in this order, the list's own order (last updated first) would be the reverse.
    lesson("Caregivers at the centre of the visit")
    lesson("Local services", description="The visit met caregivers and the families.")
    lesson("Registry", impacts=["Caregivers registered."])
    assert found("caregivers") == [
        "Caregivers at the centre of the visit",
        "Local services",
        "Registry",
    ]


@postgresql_only
def test_keywords_rank_with_the_title(db):
    lesson("Financing", description="Multi-year agreements with local government.")
    lesson("Continuity", keywords=["Local government"])
    assert found("local government") == ["Continuity", "Financing"]


@postgresql_only
def test_the_search_page_lists_the_best_match_first(client, db):
    lesson("A mention", description="Interpretation was budgeted.")
    lesson("Interpretation for every session")
    response = client.get("/lessons/", {"q": "interpretation"})
    assert [item.title for item in response.context["lessons"]] == [
        "Interpretation for every session",
        "A mention",
    ]


@postgresql_only
@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_accents_are_ignored_both_ways(db, language):
    lesson("Participación de las personas cuidadoras", language=language)
    lesson("La participacion comunitaria", language=language)
    both = {"Participación de las personas cuidadoras", "La participacion comunitaria"}
    assert set(found("participacion")) == both
    assert set(found("participación")) == both
    assert set(found("PARTICIPACIÓN")) == both
    assert found("Personas cuidádoras") == ["Participación de las personas cuidadoras"]


@postgresql_only
def test_accents_in_the_search_box(client, db):
    lesson("Participación de las personas cuidadoras", language="es")
    response = client.get("/lessons/", {"q": "participacion"})
    assert [item.title for item in response.context["lessons"]] == [
        "Participación de las personas cuidadoras"
    ]


@postgresql_only
def test_spanish_stemming_for_a_spanish_lesson(db):
    lesson("Acuerdos", language="es", description="El ministerio firmó acuerdos plurianuales.")
    assert found("ministerios") == ["Acuerdos"]
    assert found("acuerdo plurianual") == ["Acuerdos"]


@postgresql_only
def test_stemming_follows_the_language_of_the_lesson(db):
    # Spanish reduces "políticas" and "político" to one stem; English does not.
    lesson("En español", language="es", description="Un actor político del sistema.")
    lesson("In English", language="en", description="Un actor político del sistema.")
    assert found("políticas") == ["En español"]
    assert set(found("político")) == {"En español", "In English"}


@postgresql_only
def test_portuguese_stemming_for_a_portuguese_lesson(db):
    lesson("Cuidados", language="pt", description="A cuidadora participou da visita.")
    lesson("Ministérios", language="pt", experience="O ministério coordenou as visitas.")
    assert found("cuidadoras") == ["Cuidados"]
    assert found("ministerios") == ["Ministérios"]
    # Portuguese reduces "políticas" and "político" to one stem; English does not.
    lesson("Em português", language="pt", description="As políticas de cuidado.")
    lesson("In English", language="en", description="As políticas de cuidado.")
    assert found("político") == ["Em português"]


@postgresql_only
def test_english_stemming_for_an_english_lesson(db):
    lesson("Coordinating visits", language="en")
    lesson("Coordinating visits in Spanish", language="es")
    assert found("coordination visit") == ["Coordinating visits"]
    assert found("visited") == ["Coordinating visits"]
    # English stop words do not have to be found.
    assert found("the coordination of the visits") == ["Coordinating visits"]


@postgresql_only
def test_websearch_operators_work_as_typed(shipped):
    lesson("Peer learning between ministries")
    assert found('"peer review"') == [TITLE]
    assert found("peer -review") == ["Peer learning between ministries"]
    assert set(found("nothingofthesort OR ministries")) == {"Peer learning between ministries"}


@postgresql_only
def test_input_without_words_finds_nothing(shipped):
    for words in ["!!!", "&|!:*<->", "'", "🙂"]:
        assert found(words) == [], words


@postgresql_only
def test_the_gin_index_exists(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes "
            "WHERE tablename = 'lessons_lesson' AND indexname = 'lessons_lesson_search_gin'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (search_vector)" in definition
    # No pending list that every search would read until VACUUM merges it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'lessons_lesson_search_gin'"
        )
        assert cursor.fetchone()[0] == ["fastupdate=off"]


@postgresql_only
def test_the_search_uses_the_gin_index(client, shipped):
    for number in range(50):
        lesson(f"Lesson {number}", description="Agreements between ministries.")
    with connection.cursor() as cursor:
        # Inside the test's transaction; forces the planner to show it can use the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search(Lesson.objects.filter(status=PUBLISHED), "peer review").explain()
    assert "lessons_lesson_search_gin" in plan, plan
    # The query the page runs, too.
    response = client.get("/lessons/", {"q": "peer review"})
    queryset = response.context["page_obj"].paginator.object_list
    assert "lessons_lesson_search_gin" in queryset.explain()


@postgresql_only
def test_the_search_vector_follows_each_save(db):
    saved = lesson("Caregivers", language="en", keywords=["Registry"])
    saved.refresh_from_db()
    assert saved.search_vector
    assert found("registry") == ["Caregivers"]

    saved.title = "Interpretation"
    saved.keywords = ["Budget"]
    saved.save()
    saved.refresh_from_db()
    assert "interpret" in saved.search_vector
    assert found("interpretation") == ["Interpretation"]
    assert found("caregivers") == []
    assert found("registry") == []

    # A change of language re-stems the text.
    saved.language = "es"
    saved.description = "Las políticas de cuidado."
    saved.save()
    assert found("político") == ["Interpretation"]


@postgresql_only
def test_a_lesson_saved_through_the_form_is_found_at_once(client, demo, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/lessons/new/",
        {
            "knowledge_type": "lessons_learnt",
            "title": "Interpretation for every session",
            "language": "en",
            "description": "Delegations without a common language.",
            "revision": 0,
        },
    )
    assert response.status_code == 302
    assert found("interpreting") == ["Interpretation for every session"]


@postgresql_only
def test_an_imported_lesson_is_found_at_once(shipped):
    shipped.refresh_from_db()
    assert shipped.search_vector
    assert found("methodologies") == [TITLE]


def test_a_lesson_of_two_matching_actors_is_listed_once(client, demo):
    """Filtering by a many-to-many facet joins a row per match; the page lists the lesson
    once and counts it once."""
    from countries.models import Actor

    shared = lesson("Shared interpretation")
    shared.actors.set(Actor.objects.filter(kind=Actor.Kind.GOVERNMENT)[:2])
    assert shared.actors.count() == 2
    response = client.get("/lessons/", {"q": "interpretation", "actor_kind": "government"})
    assert [item.title for item in response.context["lessons"]] == ["Shared interpretation"]
    assert response.context["page_obj"].paginator.count == 1
