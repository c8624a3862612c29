"""Export to the Knowledge Bank layout: the shipped entry's layout, every field, the round
trip, and the export_lesson command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from countries.models import Actor, Country
from lessons.catalogues import ADDED_VALUE_LABELS, SDG_NAMES
from lessons.knowledge_bank.applying import save_parsed
from lessons.knowledge_bank.exporting import export
from lessons.knowledge_bank.parsing import parse
from lessons.models import SDG, AddedValue, KnowledgeType, Lesson, Phase
from tests.support.knowledge_bank import (
    SHIPPED,
    TITLE,
    assert_round_trip,
    fields,
    import_text,
    shipped_bytes,
)


def nonblank(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_shipped_entry_exports_in_its_own_layout(demo):
    text = export(import_text(shipped_bytes()))

    # The same lines as the shipped file, without the link noise, with regular dashes and
    # the country names of the lesson's language (English).
    shipped = SHIPPED.read_text(encoding="utf-8")
    expected = [
        line.replace(" (more information here)", "")
        .replace("Social -Chile", "Social - Chile")
        .replace("- Italia", "- Italy")
        for line in nonblank(shipped)
    ]
    assert nonblank(text) == expected
    assert text.startswith(
        "Knowledge Bank\n\nLESSONS LEARNT\n\nAUTHOR:\n\nRed Calle\n\n"
        "COUNTRY WHERE THE ACTION THAT ORIGINATED THIS KNOWLEDGE TOOK PLACE:\n\n"
        "Chile Colombia Costa Rica Paraguay Uruguay\n\n"
        "PHASE OF THE OPERATION CYCLE FOR THIS KNOWLEDGE:\n\nImplementation\n\n"
        "ACTORS INVOLVED IN THE GENERATION OF THIS KNOWLEDGE:\n\n"
        "Ministerio de Desarrollo Social (MIDES) - Uruguay\n\n"
    )
    # The title stands alone after the SDG section, then the body label of the type.
    assert (
        "CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS\n\n\n"
        f"{TITLE}\n\nDescription of the action that gave rise to the learning:\n\n"
    ) in text
    assert (
        "Impacts:\n\nHaving a methodology that was built by all the partners generates:\n\n"
        "- Efficient management of resources"
    ) in text
    assert (
        "The added value of Triangular Cooperation:\n\n"
        "- 1. Building ownership and trust.\n"
        "- 3. Sharing knowledge and learning jointly.\n"
        "- 4. Co-creating solutions and flexibility.\n\n"
    ) in text
    assert text.endswith(
        "Keywords:\n\nTechnical exchange\n\nPeer Review\n\nPeer-to-peer workshops\n"
    )


def test_import_export_import_is_lossless_and_the_export_stable(demo):
    lesson = import_text(shipped_bytes())
    before = fields(lesson)
    text = export(lesson)

    again, report = save_parsed(parse(text))

    assert again.pk == lesson.pk and not report.lesson_created
    assert fields(again) == before
    assert export(again) == text
    assert report.created == [] and report.flagged == [
        ("actor", "Brasil – Brazil", "already waiting for review")
    ]


@pytest.mark.parametrize(
    "kind, banner, label",
    [
        (
            KnowledgeType.LESSONS_LEARNT,
            "LESSONS LEARNT",
            "Description of the action that gave rise to the learning:",
        ),
        (KnowledgeType.GOOD_PRACTICES, "GOOD PRACTICES", "Description of the practice:"),
        (KnowledgeType.SUCCESS_STORIES, "SUCCESS STORIES", "Summary of the case:"),
    ],
)
def test_each_knowledge_type_has_its_banner_and_body_label(demo, kind, banner, label):
    lesson = import_text(shipped_bytes())
    lesson.knowledge_type = kind
    lesson.save()

    text = export(lesson)

    assert text.startswith(f"Knowledge Bank\n\n{banner}\n\n")
    assert f"\n{label}\n\nAt the beginning of the project" in text
    assert lesson.body_label == label
    assert_round_trip(lesson)


@pytest.fixture
def written_by_hand(demo):
    """A lesson written in the browser, not imported: Spanish, every field filled."""
    peru = Country.objects.create(code="PE", programme_role=Country.ProgrammeRole.OBSERVER)
    lesson = Lesson.objects.create(
        knowledge_type=KnowledgeType.GOOD_PRACTICES,
        title="Agendas compartidas <entre> pares",
        author="Equipo técnico & IILA",
        countries_text="Región andina",
        phase=None,
        phase_text="Escalamiento",
        description="Primer párrafo con <b>negrita</b>.\n\n- un punto\n- otro punto",
        experience="Los países aprendieron juntos.",
        impacts_lead="",
        impacts=["Menos costos.", "Más actores: academia y sociedad civil."],
        keywords=["Agenda", "<script>alert(1)</script>"],
        language="es",
    )
    for code in ["UY", "BR"]:
        lesson.countries.add(Country.objects.get(code=code))
    lesson.countries.add(peru)
    network = Actor.objects.create(name="Red Calle", needs_review=False)
    for actor in [
        Actor.objects.get(acronym="MIDES"),
        Actor.objects.get(name="Brasil"),
        network,
        Actor.objects.get(acronym="IILA"),
    ]:
        lesson.actors.add(actor)
    lesson.sdgs.set(SDG.objects.filter(number__in=[5, 16]))
    lesson.added_values.set(AddedValue.objects.filter(number__in=[2, 6]))
    return lesson


def test_a_lesson_written_by_hand_exports_every_field(written_by_hand):
    text = export(written_by_hand)

    assert "\nGOOD PRACTICES\n" in text
    assert "AUTHOR:\n\nEquipo técnico & IILA\n" in text
    # Countries in the lesson's language, in the order they were added, then other places.
    assert "TOOK PLACE:\n\nUruguay Brasil Perú\n\nRegión andina\n\nPHASE OF THE OPERATION" in text
    assert "PHASE OF THE OPERATION CYCLE FOR THIS KNOWLEDGE:\n\nEscalamiento\n" in text
    assert (
        "Ministerio de Desarrollo Social (MIDES) - Uruguay\n\nBrasil\n\nRed Calle\n\n"
        "Organización Internacional Ítalo-Latinoamericana (IILA) - Italia\n"
    ) in text
    # SDG names and added values follow the lesson's language, like the countries.
    with translation.override("es"):
        sdg_5, sdg_16 = str(SDG_NAMES[5]), str(SDG_NAMES[16])
        value_2, value_6 = str(ADDED_VALUE_LABELS[2]), str(ADDED_VALUE_LABELS[6])
    assert sdg_5 != "Gender Equality"  # the Spanish catalogue translates it
    assert f"SDG 5: {sdg_5}\nSDG 16: {sdg_16}\n" in text
    assert "\nAgendas compartidas <entre> pares\n\nDescription of the practice:\n" in text
    assert "Primer párrafo con <b>negrita</b>.\n\n- un punto\n- otro punto\n" in text
    # Impacts without a lead: only the list.
    assert "Impacts:\n\n- Menos costos.\n- Más actores: academia y sociedad civil.\n" in text
    assert f"- 2. {value_2}.\n- 6. {value_6}.\n" in text
    # Plain text: HTML is neither escaped nor removed.
    assert "Keywords:\n\nAgenda\n\n<script>alert(1)</script>\n" in text
    assert "&lt;" not in text and "&amp;" not in text


def test_a_lesson_written_by_hand_round_trips(written_by_hand):
    # Written by hand, the lesson was not flagged; imported, its unknown phase and places are.
    assert_round_trip(written_by_hand, ignore=["needs_review", "import_note"])
    lesson = Lesson.objects.get(pk=written_by_hand.pk)
    assert (lesson.phase, lesson.phase_text) == (None, "Escalamiento")
    assert lesson.countries_text == "Región andina" and lesson.needs_review
    assert lesson.language == "es"


def test_the_phase_is_exported_by_its_name(demo):
    lesson = import_text(shipped_bytes())
    lesson.phase = Phase.objects.get(name="Monitoring and evaluation")
    lesson.save()
    text = export(lesson)
    assert "FOR THIS KNOWLEDGE:\n\nMonitoring and evaluation\n\n" in text
    assert_round_trip(lesson)


@pytest.mark.parametrize(
    "title", ["SDG 5: the care economy", "KEYWORDS", "Good practices", "Knowledge Bank", "ODS 3"]
)
def test_a_title_that_would_read_as_something_else_gets_its_heading(demo, title):
    lesson = import_text(shipped_bytes())
    lesson.title = title
    lesson.save()

    text = export(lesson)

    assert f"\n\nTITLE: {title}\n\n" in text
    assert_round_trip(lesson)


def test_empty_fields_leave_their_headings(db):
    lesson = Lesson.objects.create(title="Only a title")
    text = export(lesson)
    assert nonblank(text) == [
        "Knowledge Bank",
        "LESSONS LEARNT",
        "AUTHOR:",
        "COUNTRY WHERE THE ACTION THAT ORIGINATED THIS KNOWLEDGE TOOK PLACE:",
        "PHASE OF THE OPERATION CYCLE FOR THIS KNOWLEDGE:",
        "ACTORS INVOLVED IN THE GENERATION OF THIS KNOWLEDGE:",
        "CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS",
        "Only a title",
        "Description of the action that gave rise to the learning:",
        "Experience gained:",
        "Impacts:",
        "The added value of Triangular Cooperation:",
        "Keywords:",
    ]
    assert_round_trip(lesson)


def test_the_layout_does_not_depend_on_the_active_language(demo):
    from django.utils import translation

    lesson = import_text(shipped_bytes())
    english = export(lesson)
    with translation.override("es"):
        assert export(lesson) == english


# --- the command -------------------------------------------------------------------------------


def test_export_lesson_prints_the_layout(demo):
    lesson = import_text(shipped_bytes())
    out = StringIO()

    call_command("export_lesson", str(lesson.pk), stdout=out)

    assert out.getvalue() == export(lesson)
    assert out.getvalue().startswith("Knowledge Bank\n\nLESSONS LEARNT\n")


def test_export_lesson_of_a_lesson_that_does_not_exist(db):
    with pytest.raises(CommandError, match="no lesson 999"):
        call_command("export_lesson", "999", stdout=StringIO())


def test_what_export_lesson_prints_imports_back(demo, tmp_path):
    lesson = import_text(shipped_bytes())
    before = fields(lesson)
    out = StringIO()
    call_command("export_lesson", str(lesson.pk), stdout=out)
    exported = tmp_path / "exported.txt"
    exported.write_text(out.getvalue(), encoding="utf-8")

    call_command("import_lessons", str(exported), stdout=StringIO())

    assert Lesson.objects.count() == 1
    assert fields(Lesson.objects.get()) == before
