"""The Knowledge Bank entry shipped with the project, and builders the lesson tests share."""

from pathlib import Path

from lessons.knowledge_bank.applying import save_parsed
from lessons.knowledge_bank.exporting import export
from lessons.knowledge_bank.parsing import parse
from lessons.models import Lesson

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "lessons" / "data" / "building-together-the-methodology.txt"
SHARED = ROOT.parent / "shared" / "knowledge-bank" / "building-together-the-methodology.txt"
TITLE = "Building together the methodology of work between peers"
IMPACTS_LEAD = "Having a methodology that was built by all the partners generates:"
IMPACTS = [
    "Efficient management of resources and time, which is a particularly important issue "
    "when dealing with official missions involving high-level officials.",
    "Greater involvement of different actors, in addition to governments: academic "
    "institutions, civil society, technical teams and users of the care system.",
    "Greater quality in exchanges of knowledge between providers and beneficiaries.",
    "A knowledge management framework and collaboration beyond the closing of the project.",
]
KEYWORDS = ["Technical exchange", "Peer Review", "Peer-to-peer workshops"]
# The actors as the entry lists them: name, acronym, country code.
ACTORS = [
    ("Ministerio de Desarrollo Social", "MIDES", "UY"),
    ("Ministerio de Desarrollo Humano e Inclusión Social", "", "CR"),
    ("Brasil", "", "BR"),
    ("Ministerio de Desarrollo Social", "", "CL"),
    ("Ministerio de la Niñez y la Adolescencia", "", "PY"),
    ("Ministerio de Salud y Protección Social", "", "CO"),
    ("Organización Internacional Ítalo-Latinoamericana", "IILA", "IT"),
]


def shipped_bytes():
    return SHIPPED.read_bytes()


def fields(lesson):
    """Every field of the Knowledge Bank entry, as plain values (many-to-many in order)."""
    lesson = Lesson.objects.get(pk=lesson.pk)
    return {
        "knowledge_type": lesson.knowledge_type,
        "title": lesson.title,
        "author": lesson.author,
        "countries": [c.code.code for c in lesson.ordered("countries")],
        "countries_text": lesson.countries_text,
        "phase": lesson.phase_id,
        "phase_text": lesson.phase_text,
        "needs_review": lesson.needs_review,
        "import_note": lesson.import_note,
        "actors": [a.pk for a in lesson.ordered("actors")],
        "sdgs": sorted(s.number for s in lesson.sdgs.all()),
        "description": lesson.description,
        "experience": lesson.experience,
        "impacts_lead": lesson.impacts_lead,
        "impacts": lesson.impacts,
        "added_values": sorted(v.number for v in lesson.added_values.all()),
        "keywords": lesson.keywords,
        "language": lesson.language,
    }


def import_text(data, **kwargs):
    lesson, _report = save_parsed(parse(data), **kwargs)
    return lesson


def assert_round_trip(lesson, ignore=()):
    """import → export → import gives the same lesson, field for field."""
    before = fields(lesson)
    text = export(lesson)
    again, report = save_parsed(parse(text))
    assert again.pk == lesson.pk
    assert not report.lesson_created
    after = fields(again)
    for name in ignore:
        del before[name], after[name]
    assert after == before
    assert export(again) == text
