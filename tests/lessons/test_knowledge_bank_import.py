"""Import of the Knowledge Bank layout: the shipped entry, every noisy variant, bad files,
and the import_lessons command."""

import codecs
import hashlib

import pytest
from django.core.management import CommandError, call_command

from countries.models import Actor, Country
from lessons.knowledge_bank.applying import preview, save_parsed
from lessons.knowledge_bank.parsing import ImportProblem, parse
from lessons.models import KnowledgeType, Lesson, Phase
from tests.support.knowledge_bank import (
    ACTORS,
    IMPACTS,
    IMPACTS_LEAD,
    KEYWORDS,
    SHARED,
    SHIPPED,
    TITLE,
    assert_round_trip,
    fields,
    import_text,
    shipped_bytes,
)

# --- the shipped entry -------------------------------------------------------------------


# The SHA-256 of the entry as the Knowledge Bank shipped it (../shared/knowledge-bank/).
SHIPPED_SHA256 = "815d5f87a127b65d86ce5aa811a8f931caa9a762da4be323fd96e966de291327"


def test_the_copy_in_the_repository_is_the_shipped_entry():
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == SHIPPED_SHA256
    if SHARED.exists():  # beside a checkout of the project's shared folder
        assert SHIPPED.read_bytes() == SHARED.read_bytes()


def test_the_shipped_entry_parses_into_every_field():
    parsed = parse(shipped_bytes())

    assert parsed.knowledge_type == KnowledgeType.LESSONS_LEARNT
    assert parsed.title == TITLE
    assert parsed.author == "Red Calle"
    assert parsed.country_codes == ["CL", "CO", "CR", "PY", "UY"]
    assert parsed.country_names == ["Chile", "Colombia", "Costa Rica", "Paraguay", "Uruguay"]
    assert parsed.unknown_countries == ""
    assert parsed.phase_text == "Implementation"
    assert [(a.name, a.acronym, a.country_code) for a in parsed.actors] == ACTORS
    assert parsed.actors[2].names_only_a_country
    assert parsed.actors[3].country == "Chile"  # "-Chile"
    assert parsed.actors[6].country == "Italia"
    assert parsed.sdgs == []
    assert parsed.description.startswith("At the beginning of the project, there was")
    assert parsed.description.endswith("two to Brazil, Chile, Colombia and Costa Rica.")
    assert parsed.description.count("\n\n") == 1  # two paragraphs
    assert parsed.experience.startswith("The importance of jointly defining the criteria")
    assert parsed.impacts_lead == IMPACTS_LEAD
    assert parsed.impacts == IMPACTS
    assert parsed.added_values == [1, 3, 4]
    assert parsed.keywords == KEYWORDS
    assert parsed.language == "en"
    assert parsed.warnings == []


def test_the_shipped_entry_lands_where_the_entry_says(demo, coordinator):
    lesson, report = save_parsed(parse(shipped_bytes()), coordinator, SHIPPED.name)

    assert lesson.knowledge_type == KnowledgeType.LESSONS_LEARNT
    assert lesson.title == TITLE
    assert lesson.author == "Red Calle"
    assert sorted(c.code.code for c in lesson.countries.all()) == ["CL", "CO", "CR", "PY", "UY"]
    assert lesson.phase == Phase.objects.get(name="Implementation")
    assert lesson.phase_text == "" and not lesson.needs_review
    assert lesson.sdgs.count() == 0
    assert lesson.impacts_lead == IMPACTS_LEAD
    assert lesson.impacts == IMPACTS
    assert sorted(v.number for v in lesson.added_values.all()) == [1, 3, 4]
    assert lesson.keywords == KEYWORDS
    assert lesson.language == "en"
    assert lesson.status == Lesson.Status.DRAFT
    assert lesson.source_file == SHIPPED.name
    assert lesson.created_by == coordinator and lesson.updated_by == coordinator

    # Seven actors, all the demo's: none created; "Brasil" flagged, IILA the one in Italy.
    actors = lesson.ordered("actors", "actor__country")
    assert [(a.name, a.acronym, a.country.code.code) for a in actors] == ACTORS
    assert Actor.objects.count() == 7
    iila = Actor.objects.get(acronym="IILA")
    assert actors[6] == iila and iila.country.code.code == "IT"
    brasil = actors[2]
    assert brasil.needs_review
    assert [a for a in actors if a.needs_review] == [brasil]
    assert report.flagged == [("actor", "Brasil – Brazil", "already waiting for review")]
    assert report.created == [("lesson", TITLE)]
    assert report.count(report.matched, "actor") == 7
    assert report.count(report.matched, "country") == 5
    assert ("phase", "Implementation") in report.matched


def test_without_the_demo_unknown_actors_are_created_and_flagged(db):
    lesson, report = save_parsed(parse(shipped_bytes()), source_file="entry.txt")

    actors = lesson.ordered("actors", "actor__country")
    assert [(a.name, a.acronym, a.country.code.code) for a in actors] == ACTORS
    assert all(actor.needs_review for actor in actors)
    assert all("entry.txt" in actor.review_note for actor in actors)
    assert "names only the country" in actors[2].review_note
    assert report.count(report.created, "actor") == 7
    assert report.count(report.flagged, "actor") == 7
    # The countries the programme did not know yet are added as observers.
    assert Country.objects.get(code="IT").programme_role == Country.ProgrammeRole.OBSERVER
    assert report.count(report.created, "country") == 7


def test_the_preview_tells_what_saving_would_do_and_saves_nothing(demo):
    parsed = parse(shipped_bytes())
    counts = (Lesson.objects.count(), Actor.objects.count(), Lesson.history.count())

    report = preview(parsed)

    assert (Lesson.objects.count(), Actor.objects.count(), Lesson.history.count()) == counts
    assert report.dry_run and report.lesson_created and report.lesson_id is None
    _lesson, saved = save_parsed(parsed)
    assert (report.created, report.matched, report.flagged) == (
        saved.created,
        saved.matched,
        saved.flagged,
    )


def test_a_new_actor_in_the_preview_is_not_created(db):
    report = preview(parse(shipped_bytes()))
    assert report.count(report.created, "actor") == 7
    assert not Actor.objects.exists() and not Country.objects.exists()


def test_importing_again_updates_the_lesson_of_the_same_title(demo, coordinator):
    lesson = import_text(shipped_bytes())
    text = shipped_bytes().decode().replace(TITLE, TITLE.upper()).replace("Red Calle", "IILA")

    again, report = save_parsed(parse(text), coordinator)

    assert again.pk == lesson.pk and not report.lesson_created
    assert report.matched[0] == ("lesson", TITLE.upper())
    again.refresh_from_db()
    assert again.author == "IILA" and again.revision == lesson.revision + 1
    assert again.updated_by == coordinator
    assert Lesson.objects.count() == 1


def test_an_import_is_one_historical_record_with_the_many_to_many_fields(demo):
    lesson = import_text(shipped_bytes())
    record = lesson.history.get()
    assert record.history_type == "+"
    assert record.actors.count() == 7 and record.countries.count() == 5
    assert record.added_values.count() == 3

    import_text(shipped_bytes())
    assert [r.history_type for r in lesson.history.all()] == ["~", "+"]


def test_the_shipped_entry_round_trips(demo):
    assert_round_trip(import_text(shipped_bytes()))


# --- noisy variants -----------------------------------------------------------------------


def test_windows_line_endings(demo):
    crlf = shipped_bytes().replace(b"\n", b"\r\n")
    assert parse(crlf) == parse(shipped_bytes())


def test_utf8_with_bom(demo):
    assert parse(codecs.BOM_UTF8 + shipped_bytes()) == parse(shipped_bytes())


def test_utf16_with_bom(demo):
    data = shipped_bytes().decode("utf-8").encode("utf-16")
    assert parse(data) == parse(shipped_bytes())


def test_latin1(demo):
    data = shipped_bytes().decode("utf-8").encode("latin-1")
    parsed = parse(data)
    assert parsed == parse(shipped_bytes())
    assert parsed.actors[4].name == "Ministerio de la Niñez y la Adolescencia"
    assert_round_trip(import_text(data))


def test_windows_1252_quotes(db):
    text = "LESSONS LEARNT\n\nCONTRIBUTION TO THE SDGs\n\n“Quoted” title – with a dash\n"
    parsed = parse(text.encode("cp1252"))
    assert parsed.title == "“Quoted” title – with a dash"


BULLETS = """\
Knowledge Bank
GOOD PRACTICES
AUTHOR:
  Red Calle
COUNTRY WHERE THE ACTION THAT ORIGINATED THIS KNOWLEDGE TOOK PLACE:
• Uruguay
• Paraguay
PHASE OF THE OPERATION CYCLE FOR THIS KNOWLEDGE:
• Formulation
ACTORS INVOLVED IN THE GENERATION OF THIS KNOWLEDGE:
• Ministerio de Desarrollo Social (MIDES) - Uruguay
* Ministerio de la Niñez y la Adolescencia – Paraguay
CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS
• SDG 5: Gender Equality
• SDG 10
A shared calendar of visits
Description of the practice:
A calendar agreed by all partners.
Experience gained:
Plan together.
Impacts:
The calendar gave:
• Fewer clashes with national agendas.
• Lower travel costs.
The added value of Triangular Cooperation:
• 2. Promoting complementarity and increasing co-ordination in development co-operation.
• 5. Enhancing volume, scope and sustainability.
Keywords:
• Calendar
• Planning
"""


def test_bullets_and_no_blank_lines(demo):
    lesson = import_text(BULLETS)

    assert lesson.knowledge_type == KnowledgeType.GOOD_PRACTICES
    assert lesson.title == "A shared calendar of visits"
    assert lesson.author == "Red Calle"
    assert [c.code.code for c in lesson.ordered("countries")] == ["UY", "PY"]
    assert lesson.phase.name == "Formulation"
    assert [a.acronym or a.name for a in lesson.ordered("actors")] == [
        "MIDES",
        "Ministerio de la Niñez y la Adolescencia",
    ]
    assert Actor.objects.filter(needs_review=True).count() == 1  # only the demo's "Brasil"
    assert sorted(s.number for s in lesson.sdgs.all()) == [5, 10]
    assert lesson.description == "A calendar agreed by all partners."
    assert lesson.impacts_lead == "The calendar gave:"
    assert lesson.impacts == ["Fewer clashes with national agendas.", "Lower travel costs."]
    assert sorted(v.number for v in lesson.added_values.all()) == [2, 5]
    assert lesson.keywords == ["Calendar", "Planning"]
    assert_round_trip(lesson)


SENTENCE_CASE = """\


Knowledge Bank

Success stories

Author: María Pérez

Countries where the action took place:

Peru Mexico

Estados Unidos, Colômbia y Paraguai

Phase of the operation cycle:

Implementación

Actors involved:

Red Calle

Universidad de la República (UdelaR) — Uruguay

Contribution to the SDGs: (more information here)

ODS 5 y 10

Care networks
in small towns

Summary of the case:

Towns shared their caregivers.

Experience gained:

Small is easier.

Impacts:

More caregivers.

The added value of Triangular Cooperation: (más información aquí)

1. Building ownership and trust.
Co-creating solutions and flexibility

Keywords: Care; Towns, Networks
"""


def test_sentence_case_headings_and_countries_without_accents(demo):
    parsed = parse(SENTENCE_CASE)
    assert parsed.country_codes == ["PE", "MX", "US", "CO", "PY"]
    assert parsed.country_names[:2] == ["Peru", "Mexico"]
    assert parsed.title == "Care networks in small towns"

    lesson, report = save_parsed(parsed)

    assert lesson.knowledge_type == KnowledgeType.SUCCESS_STORIES
    assert lesson.author == "María Pérez"
    assert lesson.phase.name == "Implementation"  # matched in Spanish
    assert sorted(s.number for s in lesson.sdgs.all()) == [5, 10]
    assert lesson.description == "Towns shared their caregivers."
    # One plain line under Impacts is the lead sentence.
    assert (lesson.impacts_lead, lesson.impacts) == ("More caregivers.", [])
    assert sorted(v.number for v in lesson.added_values.all()) == [1, 4]
    assert lesson.keywords == ["Care", "Towns", "Networks"]
    # Peru, Mexico and the United States were not in the programme: added as observers.
    assert {c for kind, c in report.created if kind == "country"} == {
        "Peru",
        "Mexico",
        "United States of America",
    }
    red_calle, udelar = lesson.ordered("actors", "actor__country")
    assert (red_calle.name, red_calle.country, red_calle.needs_review) == ("Red Calle", None, True)
    assert (udelar.name, udelar.acronym, udelar.country.code.code) == (
        "Universidad de la República",
        "UdelaR",
        "UY",
    )
    assert_round_trip(lesson)


def test_actors_are_matched_by_name_or_acronym_without_accents_or_case(demo):
    text = (
        "LESSONS LEARNT\n\nACTORS INVOLVED:\n\n"
        "IILA\n"
        "ministerio de la ninez y la adolescencia-Paraguay\n"
        "MIDES (Uruguay)\n"
        "Ministerio de Salud y Protección Social, Colombia\n"
        "Ministerio de Desarrollo Social\n"
        "Ministerio de Desarrollo Social - Argentina\n\n"
        "CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS\n\nA title\n"
    )
    lesson, report = save_parsed(parse(text))

    actors = lesson.ordered("actors", "actor__country")
    assert [(a.name, a.country.code.code) for a in actors] == [
        ("Organización Internacional Ítalo-Latinoamericana", "IT"),
        ("Ministerio de la Niñez y la Adolescencia", "PY"),
        ("Ministerio de Desarrollo Social", "UY"),
        ("Ministerio de Salud y Protección Social", "CO"),
        # Named without a country, the ministry is ambiguous: the first is taken, flagged.
        # (Uruguay's, already in the list.)
        ("Ministerio de Desarrollo Social", "AR"),
    ]
    assert [(kind, reason) for kind, _label, reason in report.flagged] == [
        ("actor", "several actors have this name: the first was taken"),
        ("actor", "new actor from the import"),
    ]
    argentina = actors[-1]
    assert argentina.needs_review and "A title" in argentina.review_note
    assert Country.objects.get(code="AR").programme_role == Country.ProgrammeRole.OBSERVER


def test_countries_one_per_line_in_english_spanish_or_portuguese(db):
    text = (
        "LESSONS LEARNT\n\nCOUNTRIES:\n\nBrazil\nBrasil\nPerú\nMéxico\nMexico\nEl Salvador\n"
        "República Dominicana\nCosta do Marfim\nBrésil\nAtlantis\n\n"
        "CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS\n\nTitle\n"
    )
    parsed = parse(text)
    assert parsed.country_codes == ["BR", "PE", "MX", "SV", "DO", "CI"]
    # Only English, Spanish and Portuguese names: the French one is not recognised.
    assert parsed.unknown_countries == "Brésil, Atlantis"

    lesson = import_text(text)
    assert lesson.countries_text == "Brésil, Atlantis"
    assert lesson.needs_review and "Brésil, Atlantis" in lesson.import_note
    assert_round_trip(lesson)


def test_an_unknown_phase_is_kept_verbatim_and_flagged(demo):
    text = shipped_bytes().decode().replace("\nImplementation\n", "\nScaling up (pilot)\n")
    lesson, report = save_parsed(parse(text))

    assert lesson.phase is None
    assert lesson.phase_text == "Scaling up (pilot)"
    assert lesson.needs_review
    assert "Scaling up (pilot)" in lesson.import_note
    assert ("phase", "Scaling up (pilot)") in [(kind, label) for kind, label, _r in report.flagged]
    assert_round_trip(lesson)


@pytest.mark.parametrize(
    "written", ["implementation", "IMPLEMENTATION", "Implementation phase", "Ejecución"]
)
def test_the_phase_is_matched_by_name_in_any_case_or_language(db, written):
    text = shipped_bytes().decode().replace("\nImplementation\n", f"\n{written}\n")
    lesson = import_text(text)
    assert lesson.phase.name == "Implementation" and not lesson.needs_review


MISSING_SECTIONS = """\
LESSONS LEARNT

ACTORS INVOLVED IN THE GENERATION OF THIS KNOWLEDGE:

IILA - Italia

Visits need a host team

Description of the action that gave rise to the learning:

Each host named a team.
"""


def test_missing_sections(demo):
    parsed = parse(MISSING_SECTIONS)
    # No SDG section: the title is the last line before the description.
    assert parsed.title == "Visits need a host team"
    assert [a.acronym or a.name for a in parsed.actors] == ["IILA"]

    lesson = import_text(MISSING_SECTIONS)
    assert lesson.author == "" and lesson.phase is None and lesson.phase_text == ""
    assert not lesson.countries.exists() and not lesson.sdgs.exists()
    assert lesson.experience == "" and lesson.impacts == [] and lesson.keywords == []
    assert lesson.ordered("actors") == [Actor.objects.get(acronym="IILA")]
    assert_round_trip(lesson)


EMPTY_SECTIONS = """\
Knowledge Bank

LESSONS LEARNT

AUTHOR:

COUNTRY WHERE THE ACTION THAT ORIGINATED THIS KNOWLEDGE TOOK PLACE:



PHASE OF THE OPERATION CYCLE FOR THIS KNOWLEDGE:

ACTORS INVOLVED IN THE GENERATION OF THIS KNOWLEDGE:

CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS

Only a title

Description of the action that gave rise to the learning:

Experience gained:

Impacts:

The added value of Triangular Cooperation: (more information here)

Keywords:
"""


def test_empty_sections(db):
    lesson = import_text(EMPTY_SECTIONS)
    assert lesson.title == "Only a title"
    assert fields(lesson) | {"title": ""} == {
        "knowledge_type": "lessons_learnt",
        "title": "",
        "author": "",
        "countries": [],
        "countries_text": "",
        "phase": None,
        "phase_text": "",
        "needs_review": False,
        "import_note": "",
        "actors": [],
        "sdgs": [],
        "description": "",
        "experience": "",
        "impacts_lead": "",
        "impacts": [],
        "added_values": [],
        "keywords": [],
        "language": "en",
    }
    assert_round_trip(lesson)


def test_added_values_with_gaps_and_unknown_numbers(db):
    text = (
        shipped_bytes()
        .decode()
        .replace(
            "- 1. Building ownership and trust.\n- 3. Sharing knowledge and learning jointly.\n"
            "- 4. Co-creating solutions and flexibility.",
            "2. Promoting complementarity.\n\n5. Enhancing volume, scope and sustainability.\n"
            "9. Something else.",
        )
    )
    parsed = parse(text)
    assert parsed.added_values == [2, 5]
    assert any("9. Something else." in warning for warning in parsed.warnings)
    assert_round_trip(import_text(text))


def test_blank_line_noise_spaces_and_link_noise(demo):
    noisy = "\n".join(
        f"  {line}\t " if line else "\n \u00a0\n" for line in shipped_bytes().decode().split("\n")
    ).replace("Keywords:", "Keywords: (more information here)")
    assert parse(noisy) == parse(shipped_bytes())


def test_a_title_on_two_lines_and_text_under_no_heading(db):
    text = (
        "Some preface nobody asked for\n\nLESSONS LEARNT\n\n"
        "CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS\n\n"
        "Building together the methodology\nof work between peers\n\nImpacts:\n\n- One\n"
    )
    parsed = parse(text)
    assert parsed.title == TITLE
    assert parsed.impacts == ["One"]
    assert any("Some preface" in warning for warning in parsed.warnings)


def test_text_after_the_title_is_the_description_when_its_heading_is_missing(db):
    text = (
        "GOOD PRACTICES\n\nCONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS\n\nSDG 17\n\n"
        "Joint agendas\n\nFirst paragraph.\n\nSecond paragraph.\n\nKeywords:\n\nAgenda\n"
    )
    lesson = import_text(text)
    assert lesson.title == "Joint agendas"
    assert lesson.description == "First paragraph.\n\nSecond paragraph."
    assert lesson.knowledge_type == KnowledgeType.GOOD_PRACTICES
    assert_round_trip(lesson)


def test_the_knowledge_type_follows_the_body_label_when_the_banner_is_missing(db):
    for label, kind in [
        ("Description of the practice:", KnowledgeType.GOOD_PRACTICES),
        ("Summary of the case:", KnowledgeType.SUCCESS_STORIES),
        ("Description of the action that gave rise to the learning:", "lessons_learnt"),
    ]:
        text = f"CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS\n\nA title\n\n{label}\n\nText\n"
        parsed = parse(text)
        assert (parsed.knowledge_type, parsed.description) == (kind, "Text")


def test_spanish_and_portuguese_entries(db):
    spanish = (
        "BUENAS PRÁCTICAS\n\nAUTOR:\n\nRed Calle\n\nPAÍSES:\n\nBrasil Perú\n\n"
        "ACTORES INVOLUCRADOS:\n\nMinisterio de Desarrollo Social - Chile\n\n"
        "CONTRIBUCIÓN A LOS OBJETIVOS DE DESARROLLO SOSTENIBLE\n\n"
        "La metodología construida entre pares\n\nDescripción de la práctica:\n\n"
        "Los países definieron juntos los criterios de cada visita y la agenda con las "
        "instituciones del sistema de cuidados.\n\nPalabras clave:\n\nIntercambio técnico\n"
    )
    lesson = import_text(spanish)
    assert lesson.knowledge_type == KnowledgeType.GOOD_PRACTICES
    assert lesson.language == "es"
    assert [c.code.code for c in lesson.ordered("countries")] == ["BR", "PE"]
    assert lesson.keywords == ["Intercambio técnico"]
    assert_round_trip(lesson)

    portuguese = (
        "LIÇÕES APRENDIDAS\n\nCONTRIBUIÇÃO PARA OS OBJETIVOS DE DESENVOLVIMENTO SUSTENTÁVEL\n\n"
        "Uma metodologia construída entre pares\n\nDescrição da ação:\n\n"
        "Os países definiram em conjunto os critérios das visitas e não apenas a agenda do "
        "sistema de cuidados.\n\nPalavras-chave:\n\nIntercâmbio técnico\n"
    )
    lesson = import_text(portuguese)
    assert lesson.knowledge_type == KnowledgeType.LESSONS_LEARNT
    assert lesson.language == "pt"
    assert lesson.description.startswith("Os países definiram")
    assert_round_trip(lesson)


def test_html_in_a_field_is_kept_as_text(db):
    text = (
        shipped_bytes()
        .decode()
        .replace("Red Calle", "<b>Red</b> & Calle")
        .replace("Peer Review", "<script>alert('x')</script>")
    )
    lesson = import_text(text)
    assert lesson.author == "<b>Red</b> & Calle"
    assert "<script>alert('x')</script>" in lesson.keywords
    assert_round_trip(lesson)


def test_a_title_that_looks_like_an_sdg_is_not_one(db):
    text = (
        "LESSONS LEARNT\n\nCONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS\n\nSDG 5\n\n"
        "SDG 5 in the care economy\n\nImpacts:\n\nMore women in paid work.\n"
    )
    lesson = import_text(text)
    assert lesson.title == "SDG 5 in the care economy"
    assert [s.number for s in lesson.sdgs.all()] == [5]
    assert_round_trip(lesson)


def test_impacts_as_plain_lines(db):
    base = "LESSONS LEARNT\n\nCONTRIBUTION TO THE SDGs\n\nA title\n\nImpacts:\n\n"
    with_lead = parse(base + "Three things:\nOne.\nTwo.\nThree.\n")
    assert with_lead.title == "A title" and with_lead.warnings == []
    assert (with_lead.impacts_lead, with_lead.impacts) == (
        "Three things:",
        ["One.", "Two.", "Three."],
    )
    without_lead = parse(base + "One.\n\nTwo.\n")
    assert (without_lead.impacts_lead, without_lead.impacts) == ("", ["One.", "Two."])


# --- bad files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n\t\n", codecs.BOM_UTF8 + b"\n", ""])
def test_an_empty_file_is_refused(db, data):
    with pytest.raises(ImportProblem, match="empty"):
        parse(data)


def test_a_binary_file_is_refused_with_the_line(db):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    with pytest.raises(ImportProblem, match="not text") as problem:
        parse(png)
    assert problem.value.line == 3  # after "\r\n" and "\x1a\n"
    assert str(problem.value) == "line 3: The file is not text: it contains binary data."


def test_undecodable_garbage_is_refused(db):
    garbage = bytes(range(1, 256)) * 4  # no NUL byte; neither UTF-8 nor Latin-1 text
    with pytest.raises(ImportProblem, match="not text") as problem:
        parse(garbage)
    assert problem.value.line == 1


def test_a_file_above_the_limit_is_refused(db, settings):
    settings.LESSON_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportProblem, match="too large") as problem:
        parse(shipped_bytes())
    assert "1000" in str(problem.value) or "1,000" in str(problem.value)
    assert "limit" in str(problem.value)


def test_the_default_limit_is_one_megabyte(settings):
    from django.conf import settings as live

    assert live.LESSON_IMPORT_MAX_BYTES == 1024 * 1024


def test_an_entry_without_a_title_is_refused(db):
    text = shipped_bytes().decode().replace(TITLE, "")
    with pytest.raises(ImportProblem, match="no title") as problem:
        parse(text)
    # The line of the heading the title should stand before.
    lines = text.splitlines()
    assert lines[problem.value.line - 1].startswith("Description of the action")


def test_a_text_that_is_no_entry_is_refused(db):
    with pytest.raises(ImportProblem, match="not a Knowledge Bank entry"):
        parse("Dear colleagues,\n\nplease find attached the agenda.\n")


def test_a_title_above_the_limit_is_refused_with_its_line(db):
    text = shipped_bytes().decode().replace(TITLE, "x" * 301)
    with pytest.raises(ImportProblem, match="title is too long") as problem:
        parse(text)
    assert text.splitlines()[problem.value.line - 1] == "x" * 301


# --- the command -----------------------------------------------------------------------------


def run_import(*paths):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_lessons", *map(str, paths), stdout=out, stderr=err)
        error = None
    except CommandError as raised:
        error = raised
    return out.getvalue(), err.getvalue(), error


def test_import_lessons_prints_created_updated_and_flagged_counts(demo, tmp_path):
    first = tmp_path / "methodology.txt"
    first.write_bytes(shipped_bytes())
    second = tmp_path / "calendar.txt"
    second.write_text(BULLETS)

    out, err, error = run_import(first, second)

    assert error is None and err == ""
    assert "Created: 2, updated: 0, flagged for review: 1, failed: 0." in out
    assert f"{first}: created lesson" in out and "Brasil" in out
    assert Lesson.objects.get(title=TITLE).source_file == "methodology.txt"

    out, err, error = run_import(first)
    assert "Created: 0, updated: 1, flagged for review: 1, failed: 0." in out


def test_a_bad_file_is_reported_by_name_and_line_and_the_others_import(demo, tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(shipped_bytes())
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"text first\n\x00\x01\x02")
    untitled = tmp_path / "untitled.txt"
    untitled.write_text(shipped_bytes().decode().replace(TITLE, ""))
    missing = tmp_path / "missing.txt"

    out, err, error = run_import(binary, good, untitled, missing)

    assert f"{binary}: line 2: The file is not text" in err
    heading = (
        untitled.read_text()
        .splitlines()
        .index("Description of the action that gave rise to the learning:")
    )
    assert f"{untitled}: line {heading + 1}: The entry has no title" in err
    assert f"{missing}: " in err
    assert "Created: 1, updated: 0, flagged for review: 1, failed: 3." in out
    assert isinstance(error, CommandError) and "3 file(s)" in str(error)
    assert list(Lesson.objects.values_list("title", flat=True)) == [TITLE]


def test_a_file_above_the_limit_is_refused_by_the_command(db, tmp_path, settings):
    settings.LESSON_IMPORT_MAX_BYTES = 100
    big = tmp_path / "big.txt"
    big.write_bytes(shipped_bytes())
    _out, err, error = run_import(big)
    assert f"{big}: The file is too large" in err and error is not None
    assert not Lesson.objects.exists()


def test_import_lessons_takes_a_language(db, tmp_path):
    entry = tmp_path / "entry.txt"
    entry.write_bytes(shipped_bytes())
    from io import StringIO

    call_command("import_lessons", str(entry), "--language", "es", stdout=StringIO())
    assert Lesson.objects.get().language == "es"
    # Without --language, a lesson that exists keeps its language.
    call_command("import_lessons", str(entry), stdout=StringIO())
    assert Lesson.objects.get().language == "es"
