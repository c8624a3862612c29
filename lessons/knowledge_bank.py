"""
The Knowledge Bank plain-text layout, both ways.

``parse(data)`` reads an entry as it really comes (see the shipped
``knowledge-bank/building-together-the-methodology.txt``): a banner with the
knowledge type, headings in capitals or in sentence case ending with a colon,
values on the following lines, the title standing alone after the SDG section,
link noise, bullets or plain lines, several countries on one line, numbered
added values with gaps, Windows line endings, UTF-8 with or without BOM or
Latin-1. It returns plain values (``ParsedLesson``) and touches no database.

``preview(parsed)`` says what saving would create, match and flag;
``save_parsed(parsed)`` does it, in one transaction. ``export(lesson)`` writes
the layout back: import → export → import gives the same lesson.

A file that cannot be read raises ``ImportProblem`` naming the problem (and
the line, where there is one).
"""

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries as all_countries

from countries.models import Actor, Country

from .catalogues import ADDED_VALUE_LABELS, PHASE_ALIASES, PHASE_LABELS, SDG_NAMES
from .models import (
    KNOWLEDGE_TYPE_BANNERS,
    KNOWLEDGE_TYPE_BODY_LABELS,
    LESSON_HISTORY,
    SDG,
    AddedValue,
    KnowledgeType,
    Lesson,
    Phase,
)

LANGUAGES = ("en", "es", "pt")


class ImportProblem(Exception):
    """A file that cannot be imported: the message names the problem, ``line`` where it is."""

    def __init__(self, message, line=None):
        self.message = str(message)
        self.line = line
        super().__init__(self.message)

    def __str__(self):
        if self.line:
            return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class ActorSpec(NamedTuple):
    """An actor as the entry names it: "Name (ACRONYM) - Country"."""

    name: str
    acronym: str = ""
    country: str | None = None  # the country as written
    country_code: str | None = None  # its ISO code, when recognised

    @property
    def names_only_a_country(self):
        """The entry names the country, not the institution (e.g. "Brasil")."""
        return self.country is not None and _norm(self.name) == _norm(self.country)

    def __str__(self):
        text = f"{self.name} ({self.acronym})" if self.acronym else self.name
        if self.country and not self.names_only_a_country:
            text += f" - {self.country}"
        return text


@dataclass
class ParsedLesson:
    """An entry read from the layout, as plain values."""

    title: str
    knowledge_type: str = KnowledgeType.LESSONS_LEARNT
    author: str = ""
    country_codes: list = field(default_factory=list)  # ISO codes, in the entry's order
    country_names: list = field(default_factory=list)  # the same countries as written
    unknown_countries: str = ""  # places not recognised as countries, as written
    phase_text: str = ""
    actors: list = field(default_factory=list)  # ActorSpec
    sdgs: list = field(default_factory=list)  # numbers 1–17
    description: str = ""
    experience: str = ""
    impacts_lead: str = ""
    impacts: list = field(default_factory=list)
    added_values: list = field(default_factory=list)  # numbers 1–6
    keywords: list = field(default_factory=list)
    language: str = "en"
    # The language was guessed from the text: a lesson that exists keeps its own.
    language_is_guess: bool = True
    warnings: list = field(default_factory=list)  # texts for the preview, with line numbers


# --- text helpers ------------------------------------------------------------


def _unaccent(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _tokens(text):
    """Words without accents or case: what names are compared on."""
    return [_unaccent(word).casefold() for word in re.findall(r"\w+", text)]


def _norm(text):
    return " ".join(_tokens(text))


LINK_NOISE = re.compile(
    r"\(\s*(?:more information|more info|further information|m[aá]s informaci[oó]n|"
    r"mais informa[cç](?:[aã]o|[oõ]es))(?:\s+(?:here|aqu[ií]|aqui))?\s*\)",
    re.IGNORECASE,
)
# Bullets of lists: symbols, or numbers ("1." "2)") where numbers carry no meaning.
SYMBOL_BULLET = re.compile(r"^[-–—•*·◦▪●○■□➢►‣⁃]+\s*")
NUMBER_BULLET = re.compile(r"^\d{1,2}[.)]\s+")
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


def _strip_bullet(text, numbers=True):
    text = SYMBOL_BULLET.sub("", text, count=1)
    if numbers:
        text = NUMBER_BULLET.sub("", text, count=1)
    return text.strip()


def _is_bullet(text):
    return bool(SYMBOL_BULLET.match(text) or NUMBER_BULLET.match(text))


def _paragraphs(lines):
    """Blocks of consecutive non-blank lines, as lists of (line number, text)."""
    blocks, current = [], []
    for number, text in lines:
        if text:
            current.append((number, text))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _text_block(lines):
    """Paragraphs separated by one blank line, lines within a paragraph kept."""
    return "\n\n".join("\n".join(text for _n, text in block) for block in _paragraphs(lines))


def _nonblank(lines):
    return [(number, text) for number, text in lines if text]


# --- decoding ------------------------------------------------------------------


def check_size(size):
    """Refuse a file above settings.LESSON_IMPORT_MAX_BYTES."""
    limit = settings.LESSON_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportProblem(
            _("The file is too large: %(size)s, more than the limit of %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode(data):
    """The text of a file: UTF-8 with or without BOM (or UTF-16 with a BOM), else Latin-1."""
    if isinstance(data, str):
        check_size(len(data.encode("utf-8", "surrogatepass")))
        text = data
    else:
        data = bytes(data)
        check_size(len(data))
        text = None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                text = None
        if text is None:
            if b"\x00" in data:
                line = data[: data.index(b"\x00")].count(b"\n") + 1
                raise ImportProblem(_("The file is not text: it contains binary data."), line)
            # Latin-1 as Windows writes it (cp1252), or strictly when cp1252 does not fit.
            for encoding in ("utf-8-sig", "cp1252", "latin-1"):
                try:
                    text = data.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
    text = text.lstrip("\ufeff").rstrip("\x1a")  # a BOM; DOS's end-of-file mark
    bad = NOT_TEXT.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ImportProblem(_("The file is not text: it contains binary data."), line)
    if not text.strip():
        raise ImportProblem(_("The file is empty."))
    return text


# --- countries -----------------------------------------------------------------------

# Words that join country names on one line and are no country themselves.
CONNECTORS = {"and", "y", "e", "et"}


@functools.lru_cache(maxsize=1)
def _country_index():
    """Country names in English, Spanish and Portuguese (without accents) → ISO code."""
    index = {}
    for language in LANGUAGES:
        with translation.override(language):
            for code, name in all_countries:
                index.setdefault(tuple(_tokens(str(name))), code)
    return index, max(len(key) for key in index)


def country_code(text):
    """The ISO code of a text that is exactly a country's name (en/es/pt), or None."""
    index, _longest = _country_index()
    return index.get(tuple(_tokens(text)))


def split_countries(text):
    """Countries on one line, separated by spaces or anything else ("Costa Rica" is one).

    Returns ([(code, as written)], [unrecognised texts]).
    """
    index, longest = _country_index()
    words = [
        (m.start(), m.end(), _unaccent(m.group()).casefold()) for m in re.finditer(r"\w+", text)
    ]
    found, unknown = [], []
    run = None  # (start, end) of the unrecognised words being collected
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            code = index.get(tuple(word for _s, _e, word in words[i : i + size]))
            if code:
                break
        if code:
            if run:
                unknown.append(text[run[0] : run[1]])
                run = None
            found.append((code, text[words[i][0] : words[i + size - 1][1]]))
            i += size
            continue
        if words[i][2] in CONNECTORS:
            if run:
                unknown.append(text[run[0] : run[1]])
                run = None
        else:
            run = (run[0] if run else words[i][0], words[i][1])
        i += 1
    if run:
        unknown.append(text[run[0] : run[1]])
    return found, unknown


def _country_name(code, language):
    with translation.override(language):
        return str(all_countries.name(code))


# --- actors ----------------------------------------------------------------------------

ACTOR_SEPARATOR = re.compile(r"\s*[-–—,]+\s*")
ACRONYM = re.compile(r"^(.*?)\s*\(([^()]+)\)$")


def _looks_like_acronym(text):
    return (
        len(text) <= 30 and not re.search(r"\s", text) and sum(1 for c in text if c.isupper()) >= 2
    )


def parse_actor(text):
    """ "Name (ACRONYM) - Country", with irregular dashes, or the country alone."""
    text = _strip_bullet(text)
    name, country, code = text, None, None
    # The country after the last dash or comma that is followed by a country's name.
    for match in reversed(list(ACTOR_SEPARATOR.finditer(text))):
        suffix = text[match.end() :].strip()
        if match.start() > 0 and suffix and country_code(suffix):
            name, country, code = text[: match.start()].strip(), suffix, country_code(suffix)
            break
    acronym = ""
    match = ACRONYM.match(name)
    if match and country is None and country_code(match.group(2)):
        # "Name (Country)"
        name, country, code = match.group(1), match.group(2).strip(), country_code(match.group(2))
        match = ACRONYM.match(name)
    if match and _looks_like_acronym(match.group(2).strip()):
        name, acronym = match.group(1).strip(), match.group(2).strip()
    if country is None and not acronym and country_code(name):
        # The entry names only the country ("Brasil"): the actor is that country's.
        country, code = name, country_code(name)
    return ActorSpec(name=name, acronym=acronym, country=country, country_code=code)


# --- SDGs and added values ---------------------------------------------------------------

SDG_PREFIXED = re.compile(
    r"^(?:SDGs?|ODS|Goals?|Objetivos?)\s*(?:n[.ºo°]*\s*)?#?\s*(\d{1,2})(?!\d)(.*)$", re.IGNORECASE
)
SDG_NUMBERED = re.compile(r"^(\d{1,2})\s*[.:)\-–—]\s*(.+)$")
SDG_MORE_NUMBERS = re.compile(
    r"^(?:\s*(?:,|;|&|and|y|e)?\s*(?:SDGs?|ODS)?\s*#?\s*\d{1,2})+\s*\.?$", re.IGNORECASE
)


def _names_in_languages(labels, key):
    names = set()
    for language in LANGUAGES:
        with translation.override(language):
            names.add(_norm(str(labels[key])))
    return names


def sdg_numbers(text):
    """The SDG numbers a line names ("SDG 5", "ODS 5: Igualdad…", "5. Gender Equality"), or None
    when the line is not about SDGs."""
    text = _strip_bullet(text, numbers=False)
    match = SDG_PREFIXED.match(text)
    if match:
        rest = match.group(2)
        if not rest.strip() or re.match(r"^\s*[:.\-–—)]", rest):
            return [int(match.group(1))]
        if SDG_MORE_NUMBERS.match(rest):
            return [int(match.group(1))] + [int(n) for n in re.findall(r"\d{1,2}", rest)]
        return None
    match = SDG_NUMBERED.match(text)
    if match:
        number, rest = int(match.group(1)), _norm(match.group(2))
        if number in SDG_NAMES and any(
            rest.startswith(name) for name in _names_in_languages(SDG_NAMES, number)
        ):
            return [number]
    return None


ADDED_VALUE_NUMBERED = re.compile(r"^(\d{1,2})\s*[.):\-–—]?\s*(.*)$")


def _added_value_number(text):
    """The number of an added value line ("1. Building ownership and trust."), or None."""
    text = _strip_bullet(text, numbers=False)
    match = ADDED_VALUE_NUMBERED.match(text)
    if match:
        return int(match.group(1))
    label = _norm(text)
    for number in ADDED_VALUE_LABELS:
        if label and any(
            name.startswith(label) or label.startswith(name)
            for name in _names_in_languages(ADDED_VALUE_LABELS, number)
        ):
            return number
    return None


# --- headings ---------------------------------------------------------------------------------

HEADINGS = [
    ("type", r"(knowledge )?type( of knowledge)?|tipo( de conocimiento| de conhecimento)?"),
    ("author", r"authors?|author s|autor(es|as|a)?|autoria"),
    (
        "countries",
        r"(country|countries)( where .*| of .*| involved)?"
        r"|(pais|paises)( donde .*| onde .*| en .*| em .*| involucrados| envolvidos)?",
    ),
    ("phase", r"(phase|fase|etapa)( of .*| del .*| de .*| do .*| da .*)?"),
    (
        "actors",
        r"(actors?|actores|atores)( involved.*| in .*| involucrados.*| participantes.*"
        r"| envolvidos.*)?",
    ),
    (
        "sdgs",
        r"(contribution|contribucion|contribuicao) (to|a|al|para|aos|as) .*|sdgs?|ods"
        r"|sustainable development goals?|objetivos de desarrollo sostenible"
        r"|objetivos de desenvolvimento sustentavel",
    ),
    ("title", r"title|titulo"),
    (
        "description",
        r"description( of .*)?|summary( of the case)?|descripcion( de .*)?|resumen( del caso)?"
        r"|descricao( d[aoe]s? .*)?|resumo( do caso)?",
    ),
    (
        "experience",
        r"experiences? gained|experiencias? (adquiridas?|ganadas?|obtenidas?)",
    ),
    ("impacts", r"impacts?|impactos?|results? and impacts?|resultados e impactos"),
    (
        "added_values",
        r"(the )?added values?( .*)?|(el |los )?valor(es)? (agregados?|anadidos?)( .*)?"
        r"|(o |os )?valor(es)? (agregados?|acrescentados?)( .*)?",
    ),
    ("keywords", r"key ?words?|palabras? clave|palavras? chave"),
]
HEADING_PATTERNS = [(section, re.compile(f"(?:{pattern})")) for section, pattern in HEADINGS]
HEADER_SECTIONS = {"type", "author", "countries", "phase", "actors", "sdgs", "title"}
BODY_SECTIONS = {"description", "experience", "impacts", "added_values", "keywords"}
# Sections whose value may follow the heading on the same line ("AUTHOR: Red Calle").
INLINE_SECTIONS = HEADER_SECTIONS | {"keywords"}

TYPE_NAMES = {
    KnowledgeType.LESSONS_LEARNT: [
        "lessons learnt", "lessons learned", "lesson learnt", "lesson learned",
        "lecciones aprendidas", "leccion aprendida", "licoes aprendidas", "licao aprendida",
    ],
    KnowledgeType.GOOD_PRACTICES: [
        "good practices", "good practice", "best practices", "buenas practicas",
        "buena practica", "boas praticas", "boa pratica",
    ],
    KnowledgeType.SUCCESS_STORIES: [
        "success stories", "success story", "casos de exito", "caso de exito",
        "historias de exito", "historias de sucesso", "casos de sucesso", "caso de sucesso",
    ],
}  # fmt: skip
TYPE_BY_NAME = {name: kind for kind, names in TYPE_NAMES.items() for name in names}
BANK_BANNERS = {
    "knowledge bank", "banco de conocimiento", "banco de conocimientos",
    "banco de conhecimento", "banco de conhecimentos",
}  # fmt: skip
# The knowledge type a description heading implies, when the banner is missing.
TYPE_BY_BODY_LABEL = {
    "description of the practice": KnowledgeType.GOOD_PRACTICES,
    "descripcion de la practica": KnowledgeType.GOOD_PRACTICES,
    "descricao da pratica": KnowledgeType.GOOD_PRACTICES,
    "summary of the case": KnowledgeType.SUCCESS_STORIES,
    "resumen del caso": KnowledgeType.SUCCESS_STORIES,
    "resumo do caso": KnowledgeType.SUCCESS_STORIES,
    "description of the action that gave rise to the learning": KnowledgeType.LESSONS_LEARNT,
}


def _knowledge_type(text):
    return TYPE_BY_NAME.get(_norm(text.rstrip(":")))


def _in_capitals(text):
    """Written in capitals, allowing a plural's lower-case s ("CONTRIBUTION TO THE SDGs")."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _heading(text, seen, in_body):
    """(section, inline value) when the line is a heading the parser expects here, else None.

    A heading is in capitals, or ends with a colon; only header sections take their value on
    the same line. Each heading counts once, and the header's headings only before the body.
    """
    if SYMBOL_BULLET.match(text):
        return None  # an item of a list
    if ":" in text:
        head, rest = text.split(":", 1)
        rest = rest.strip()
    else:
        if not _in_capitals(text):
            return None
        head, rest = text, ""
    head_norm = _norm(head)
    if not head_norm:
        return None
    for section, pattern in HEADING_PATTERNS:
        if section in seen or (in_body and section in HEADER_SECTIONS):
            continue
        if not pattern.fullmatch(head_norm):
            continue
        if rest and section not in INLINE_SECTIONS:
            # Only link noise may follow a body heading: "(click here)", an address.
            leftover = re.sub(r"\([^)]*\)|\bhttps?://\S+|\bwww\.\S+", "", rest).strip()
            if leftover:
                return None
            rest = ""
        return section, rest
    return None


# --- parsing -------------------------------------------------------------------------------


def _clean_lines(text):
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = LINK_NOISE.sub("", raw.translate(INVISIBLE)).strip()
        lines.append((number, line))
    return lines


EXCLUSIVE_WORDS = {
    "en": {"the", "and", "of", "to", "is", "that", "with", "for", "which", "this", "was", "were",
           "by", "from", "have", "has", "an"},
    "es": {"el", "la", "los", "las", "del", "y", "con", "es", "una", "un", "al", "como", "pero",
           "más", "este", "esta", "sus", "entre", "fue", "lo", "desde"},
    "pt": {"o", "os", "do", "da", "dos", "das", "e", "em", "com", "um", "uma", "não", "ao", "no",
           "na", "nos", "nas", "mais", "são", "foi", "pelo", "pela", "entre"},
}  # fmt: skip


def guess_language(text):
    """en, es or pt, from the words only each of them uses often (en when nothing says)."""
    words = re.findall(r"\w+", text.casefold())
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in EXCLUSIVE_WORDS.items()}
    best = max(LANGUAGES, key=lambda lang: scores[lang])
    return best if scores[best] else "en"


def _single_line(lines, label, limit):
    """The lines of a one-value section joined into one line, checked against a limit."""
    values = [_strip_bullet(text) for _n, text in _nonblank(lines)]
    value = ", ".join(v for v in values if v) if label == "author" else " ".join(values)
    if len(value) > limit:
        raise ImportProblem(
            _("The %(field)s is too long: %(length)s characters, at most %(limit)s.")
            % {"field": FIELD_NAMES[label](), "length": len(value), "limit": limit},
            lines[0][0] if lines else None,
        )
    return value


FIELD_NAMES = {
    "title": lambda: _("title"),
    "author": lambda: _("author"),
    "phase": lambda: _("phase"),
    "countries": lambda: _("list of places not recognised as countries"),
    "actor": lambda: _("actor's name"),
}


def parse(data):
    """Read a Knowledge Bank entry (bytes or text) into a ParsedLesson; ImportProblem if not."""
    text = decode(data)
    lines = _clean_lines(text)
    warnings = []

    sections = {}  # section → [(line number, text)]
    heading_line = {}  # section → line number of its heading
    heading_text = {}
    preamble = []
    banner_type = None
    current = None
    for number, line in lines:
        found = _heading(line, sections.keys(), in_body=bool(BODY_SECTIONS & sections.keys()))
        if found:
            current, inline = found
            sections[current] = [(number, inline)] if inline else []
            heading_line[current] = number
            heading_text[current] = line
            continue
        if current is None:
            if line and _norm(line) in BANK_BANNERS:
                continue
            kind = _knowledge_type(line) if line else None
            if kind and banner_type is None:
                banner_type = kind
                continue
            preamble.append((number, line))
            continue
        sections[current].append((number, line))

    if not sections and banner_type is None:
        raise ImportProblem(
            _(
                "This is not a Knowledge Bank entry: none of its headings (such as AUTHOR:, "
                "ACTORS INVOLVED… or Keywords:) was found."
            )
        )

    # The knowledge type: the banner, a TYPE: heading, or what the description's label says.
    knowledge_type = banner_type
    if "type" in sections:
        value = " ".join(text for _n, text in _nonblank(sections["type"]))
        kind = _knowledge_type(value)
        if kind and knowledge_type is None:
            knowledge_type = kind
        elif value and kind is None:
            warnings.append(
                _("line %(line)s: unknown type of knowledge “%(value)s”.")
                % {"line": heading_line["type"], "value": value}
            )
    if knowledge_type is None and "description" in heading_text:
        label = _norm(heading_text["description"].split(":", 1)[0])
        knowledge_type = TYPE_BY_BODY_LABEL.get(label)
    if knowledge_type is None:
        knowledge_type = KnowledgeType.LESSONS_LEARNT
        warnings.append(_("No type of knowledge was found: the entry is taken as lessons learnt."))

    # SDGs, and the title standing alone after them.
    sdgs, title_lines, leftover = [], [], []
    for block in _paragraphs(sections.get("sdgs", [])):
        for number, line in block:
            numbers = sdg_numbers(line)
            if numbers is not None and not title_lines:
                for n in numbers:
                    if 1 <= n <= 17 and n not in sdgs:
                        sdgs.append(n)
                    elif not 1 <= n <= 17:
                        warnings.append(
                            _("line %(line)s: there is no SDG %(number)s.")
                            % {"line": number, "number": n}
                        )
            elif not title_lines:
                title_lines = [(number, line)]
            elif title_lines[-1][0] == number - 1 and not leftover:
                title_lines.append((number, line))  # the title goes on on the next line
            else:
                leftover.append((number, line))
        if leftover:
            leftover.append((block[-1][0], ""))
    if _nonblank(sections.get("title", [])):
        # A TITLE: heading wins; what stood alone after the SDGs belongs to the description.
        if title_lines:
            leftover = title_lines + [(0, "")] + leftover
        title_lines = _nonblank(sections["title"])
    if not title_lines and "sdgs" not in sections and "title" not in sections:
        # No SDG section: the title is the last paragraph before the body.
        body = [s for s in sections if s in BODY_SECTIONS]
        header = [s for s in sections if s in HEADER_SECTIONS - {"sdgs", "title"}]
        before_body = [s for s in header if not body or heading_line[s] < heading_line[body[0]]]
        source = sections[before_body[-1]] if before_body else preamble
        blocks = _paragraphs(source)
        if blocks:
            title_lines = blocks[-1]
            first = title_lines[0][0]
            source[:] = [(n, t) for n, t in source if n < first]
    if not title_lines:
        body = sorted((heading_line[s], s) for s in sections if s in BODY_SECTIONS)
        if body:
            raise ImportProblem(
                _(
                    "The entry has no title: a title was expected on a line of its own "
                    "before “%(heading)s”."
                )
                % {"heading": heading_text[body[0][1]]},
                body[0][0],
            )
        raise ImportProblem(
            _(
                "The entry has no title: a title was expected on a line of its own "
                "after the SDG section."
            )
        )
    title = " ".join(text for _n, text in title_lines)
    if len(title) > 300:
        raise ImportProblem(
            _("The %(field)s is too long: %(length)s characters, at most %(limit)s.")
            % {"field": _("title"), "length": len(title), "limit": 300},
            title_lines[0][0],
        )
    title_first_line = title_lines[0][0]
    for number, line in preamble:
        if line and number != title_first_line and line not in {t for _n, t in title_lines}:
            warnings.append(
                _("line %(line)s: “%(text)s” is under no heading and was left out.")
                % {"line": number, "text": line}
            )

    # Countries: one per line or several on a line.
    codes, names, unknown = [], [], []
    for _number, line in _nonblank(sections.get("countries", [])):
        found, not_found = split_countries(_strip_bullet(line))
        for code, written in found:
            if code not in codes:
                codes.append(code)
                names.append(written)
        unknown.extend(not_found)
    unknown_countries = ", ".join(unknown)
    if len(unknown_countries) > 300:
        raise ImportProblem(
            _("The %(field)s is too long: %(length)s characters, at most %(limit)s.")
            % {"field": FIELD_NAMES["countries"](), "length": len(unknown_countries), "limit": 300},
            heading_line["countries"],
        )

    # Actors, one per line.
    actors = []
    for number, line in _nonblank(sections.get("actors", [])):
        spec = parse_actor(line)
        if not spec.name:
            continue
        if len(spec.name) > 200:
            raise ImportProblem(
                _("The %(field)s is too long: %(length)s characters, at most %(limit)s.")
                % {"field": FIELD_NAMES["actor"](), "length": len(spec.name), "limit": 200},
                number,
            )
        if spec not in actors:
            actors.append(spec)

    # The body. Text between the title and the first body heading is the description when
    # the description's heading is missing.
    description = _text_block(sections.get("description", []))
    if _nonblank(leftover):
        extra = _text_block(leftover)
        if "description" in sections:
            warnings.append(
                _("line %(line)s: text between the title and the description was added to it.")
                % {"line": _nonblank(leftover)[0][0]}
            )
        description = f"{extra}\n\n{description}" if description else extra

    impacts_lead, impacts = _impacts(sections.get("impacts", []))

    added_values = []
    for number, line in _nonblank(sections.get("added_values", [])):
        value = _added_value_number(line)
        if value is None or value not in ADDED_VALUE_LABELS:
            warnings.append(
                _("line %(line)s: “%(text)s” is not one of the six added values.")
                % {"line": number, "text": line}
            )
        elif value not in added_values:
            added_values.append(value)

    keywords = []
    for _number, line in _nonblank(sections.get("keywords", [])):
        for keyword in re.split(r"[;,]", _strip_bullet(line)):
            keyword = keyword.strip().rstrip(".").strip()
            if keyword and keyword.casefold() not in {k.casefold() for k in keywords}:
                keywords.append(keyword)

    experience = _text_block(sections.get("experience", []))
    parsed = ParsedLesson(
        title=title,
        knowledge_type=KnowledgeType(knowledge_type).value,
        author=_single_line(sections.get("author", []), "author", 200),
        country_codes=codes,
        country_names=names,
        unknown_countries=unknown_countries,
        phase_text=_single_line(sections.get("phase", []), "phase", 200),
        actors=actors,
        sdgs=sorted(sdgs),
        description=description,
        experience=experience,
        impacts_lead=impacts_lead,
        impacts=impacts,
        added_values=sorted(added_values),
        keywords=keywords,
        language=guess_language(
            "\n".join([title, description, experience, impacts_lead, *impacts])
        ),
        warnings=warnings,
    )
    return parsed


def _impacts(lines):
    """A lead sentence and the list of impacts (bullets, or plain lines after a lead)."""
    nonblank = _nonblank(lines)
    if any(_is_bullet(text) for _n, text in nonblank):
        lead, items = [], []
        for number, text in lines:
            if _is_bullet(text):
                items.append(_strip_bullet(text))
            elif not items:
                lead.append((number, text))
            elif text:
                items.append(text)
        return _text_block(lead), [item for item in items if item]
    texts = [text for _n, text in nonblank]
    if len(texts) == 1:
        return texts[0], []
    if texts and texts[0].endswith(":"):
        return texts[0], texts[1:]
    return "", texts


# --- saving --------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import creates, matches and flags for review (the preview shows it)."""

    title: str
    lesson_created: bool = True  # False: an existing lesson of the same title is updated
    lesson_id: int | None = None
    dry_run: bool = False
    created: list = field(default_factory=list)  # (kind, label)
    matched: list = field(default_factory=list)  # (kind, label)
    flagged: list = field(default_factory=list)  # (kind, label, reason)
    warnings: list = field(default_factory=list)

    def count(self, items, kind):
        """How many of the created, matched or flagged things are of a kind (actor, …)."""
        return sum(1 for item in items if item[0] == kind)

    @property
    def created_count(self):
        return len(self.created)

    @property
    def matched_count(self):
        return len(self.matched)

    @property
    def flagged_count(self):
        return len(self.flagged)


class _Rollback(Exception):
    def __init__(self, report):
        self.report = report


def preview(parsed, user=None, source_file=""):
    """The report that save_parsed would give, without saving anything."""
    try:
        with transaction.atomic():
            _lesson, report = _apply(parsed, user, source_file)
            raise _Rollback(report)
    except _Rollback as rollback:
        report = rollback.report
    report.dry_run = True
    report.lesson_id = report.lesson_id if not report.lesson_created else None
    return report


def save_parsed(parsed, user=None, source_file=""):
    """Create the lesson, or update the one of the same title; returns (lesson, report)."""
    with transaction.atomic():
        return _apply(parsed, user, source_file)


class _ActorIndex:
    """Existing actors by name and acronym, compared without accents or case."""

    def __init__(self):
        self.by_key = {}
        for actor in Actor.objects.select_related("country").order_by("pk"):
            self.add(actor)

    def add(self, actor):
        keys = {_norm(actor.name)}
        if actor.acronym:
            keys |= {_norm(actor.acronym), _norm(f"{actor.name} {actor.acronym}")}
        for key in keys:
            self.by_key.setdefault(key, []).append(actor)

    def find(self, spec):
        keys = [_norm(spec.name)]
        if spec.acronym:
            keys = [_norm(f"{spec.name} {spec.acronym}"), *keys, _norm(spec.acronym)]
        candidates = []
        for key in keys:
            for actor in self.by_key.get(key, []):
                if actor not in candidates:
                    candidates.append(actor)
        if spec.country_code:
            # The same country, or a network of several countries.
            same = [a for a in candidates if a.country and a.country.code == spec.country_code]
            return (same or [a for a in candidates if a.country is None])[:1], False
        if len(candidates) > 1:
            networks = [a for a in candidates if a.country is None]
            if len(networks) == 1:
                return networks, False
            return candidates[:1], True
        return candidates, False


def _phase_names(phase):
    names = {_norm(phase.name)}
    if phase.name in PHASE_LABELS:
        names |= _names_in_languages(PHASE_LABELS, phase.name)
    names |= {_norm(alias) for alias in PHASE_ALIASES.get(phase.name, [])}
    return names


def _find_phase(text):
    wanted = _norm(text)
    if not wanted:
        return None
    bare = " ".join(
        w for w in wanted.split() if w not in {"phase", "fase", "etapa", "the", "la", "a"}
    )
    for phase in Phase.objects.all():
        names = _phase_names(phase)
        if wanted in names or bare in names:
            return phase
    return None


def _apply(parsed, user, source_file):
    report = ImportReport(title=parsed.title, warnings=list(parsed.warnings))
    lesson = Lesson.objects.filter(title__iexact=parsed.title).order_by("pk").first()
    report.lesson_created = lesson is None
    if lesson is None:
        lesson = Lesson(created_by=user if _is_user(user) else None)

    countries = []
    for code in parsed.country_codes:
        country, created = Country.objects.get_or_create(
            code=code, defaults={"programme_role": Country.ProgrammeRole.OBSERVER}
        )
        countries.append(country)
        (report.created if created else report.matched).append(("country", str(country)))

    actor_index = _ActorIndex()
    actors = []
    for spec in parsed.actors:
        found, ambiguous = actor_index.find(spec)
        if found:
            actor = found[0]
            report.matched.append(("actor", _actor_label(actor)))
            if ambiguous:
                report.flagged.append(
                    (
                        "actor",
                        _actor_label(actor),
                        _("several actors have this name: the first was taken"),
                    )
                )
            elif actor.needs_review:
                report.flagged.append(
                    ("actor", _actor_label(actor), _("already waiting for review"))
                )
        else:
            country = None
            if spec.country_code:
                country, created = Country.objects.get_or_create(
                    code=spec.country_code,
                    defaults={"programme_role": Country.ProgrammeRole.OBSERVER},
                )
                if created:
                    report.created.append(("country", str(country)))
            if spec.names_only_a_country:
                note = _(
                    "The knowledge-bank entry “%(title)s” names only the country, not the "
                    "institution. Please record the institution that took part."
                )
            else:
                note = _(
                    "Created by the import of the knowledge-bank entry “%(title)s”: please "
                    "check its name, kind and country."
                )
            note %= {"title": parsed.title}
            if source_file:
                note += " " + _("(file: %(file)s)") % {"file": source_file}
            actor = Actor.objects.create(
                name=spec.name,
                acronym=spec.acronym,
                country=country,
                needs_review=True,
                review_note=note,
            )
            actor_index.add(actor)
            report.created.append(("actor", _actor_label(actor)))
            report.flagged.append(("actor", _actor_label(actor), _("new actor from the import")))
        if actor not in actors:
            actors.append(actor)

    flags = []
    phase = _find_phase(parsed.phase_text)
    phase_text = ""
    if phase:
        report.matched.append(("phase", str(phase)))
    elif parsed.phase_text:
        phase_text = parsed.phase_text
        reason = _("not in the list of phases: kept as written")
        report.flagged.append(("phase", phase_text, reason))
        flags.append(_("Phase “%(phase)s”: %(reason)s.") % {"phase": phase_text, "reason": reason})
    if parsed.unknown_countries:
        reason = _("not recognised as countries: kept as written")
        report.flagged.append(("country", parsed.unknown_countries, reason))
        flags.append(
            _("Places “%(places)s”: %(reason)s.")
            % {"places": parsed.unknown_countries, "reason": reason}
        )

    lesson.knowledge_type = parsed.knowledge_type
    lesson.title = parsed.title
    lesson.author = parsed.author
    lesson.countries_text = parsed.unknown_countries
    lesson.phase = phase
    lesson.phase_text = phase_text
    lesson.needs_review = bool(flags)
    lesson.import_note = "\n".join(flags)
    lesson.description = parsed.description
    lesson.experience = parsed.experience
    lesson.impacts_lead = parsed.impacts_lead
    lesson.impacts = list(parsed.impacts)
    lesson.keywords = list(parsed.keywords)
    if report.lesson_created or not parsed.language_is_guess:
        lesson.language = parsed.language
    lesson.source_file = source_file[:255]
    if _is_user(user):
        lesson.updated_by = user
        lesson._history_user = user
    if not report.lesson_created:
        lesson.revision += 1

    # One historical record for the whole import, with the many-to-many fields.
    lesson.skip_history_when_saving = True
    try:
        lesson.save()
        _set_ordered(lesson, "countries", countries)
        _set_ordered(lesson, "actors", actors)
        _set_ordered(lesson, "sdgs", list(SDG.objects.filter(number__in=parsed.sdgs)))
        _set_ordered(
            lesson,
            "added_values",
            list(AddedValue.objects.filter(number__in=parsed.added_values)),
        )
    finally:
        del lesson.skip_history_when_saving
    LESSON_HISTORY.create_historical_record(lesson, "+" if report.lesson_created else "~")

    report.lesson_id = lesson.pk
    if report.lesson_created:
        report.created.insert(0, ("lesson", lesson.title))
    else:
        report.matched.insert(0, ("lesson", lesson.title))
    return lesson, report


def _actor_label(actor):
    """The actor and its country: "Ministerio de Desarrollo Social – Chile"."""
    return f"{actor} – {actor.country}" if actor.country_id else str(actor)


def _is_user(user):
    return user is not None and getattr(user, "is_authenticated", False)


def _set_ordered(lesson, field_name, objects):
    """Replace a many-to-many field, keeping the given order (the order of the file)."""
    descriptor = getattr(Lesson, field_name)
    through = descriptor.through
    target = descriptor.rel.model._meta.model_name
    through.objects.filter(lesson=lesson).delete()
    through.objects.bulk_create([through(lesson=lesson, **{target: obj}) for obj in objects])


# --- export ----------------------------------------------------------------------------------

HEADING_AUTHOR = "AUTHOR:"
HEADING_COUNTRIES = "COUNTRY WHERE THE ACTION THAT ORIGINATED THIS KNOWLEDGE TOOK PLACE:"
HEADING_PHASE = "PHASE OF THE OPERATION CYCLE FOR THIS KNOWLEDGE:"
HEADING_ACTORS = "ACTORS INVOLVED IN THE GENERATION OF THIS KNOWLEDGE:"
HEADING_SDGS = "CONTRIBUTION TO THE SUSTAINABLE DEVELOPMENT GOALS"
HEADING_EXPERIENCE = "Experience gained:"
HEADING_IMPACTS = "Impacts:"
HEADING_ADDED_VALUES = "The added value of Triangular Cooperation:"
HEADING_KEYWORDS = "Keywords:"


def _title_needs_heading(title):
    """Whether a title standing alone would be read as something else."""
    return bool(
        sdg_numbers(title) is not None
        or _heading(title, set(), in_body=False)
        or _knowledge_type(title)
        or _norm(title) in BANK_BANNERS
    )


def _export_actor(actor, language):
    text = f"{actor.name} ({actor.acronym})" if actor.acronym else actor.name
    if actor.country_id:
        code = actor.country.code.code
        if country_code(actor.name) != code:
            text += f" - {_country_name(code, language)}"
    return text


def export(lesson):
    """The lesson in the Knowledge Bank plain-text layout (plain text: nothing is escaped)."""
    language = lesson.language if lesson.language in LANGUAGES else "en"
    with translation.override("en"):
        banner = KNOWLEDGE_TYPE_BANNERS[KnowledgeType(lesson.knowledge_type)]
        body_label = str(KNOWLEDGE_TYPE_BODY_LABELS[KnowledgeType(lesson.knowledge_type)])
    out = ["Knowledge Bank", "", banner, ""]

    def section(heading, values, spaced=True):
        out.extend([heading, ""])
        for value in values:
            out.append(value)
            if spaced:
                out.append("")
        if not spaced and values:
            out.append("")
        if not values:
            out.append("")

    section(HEADING_AUTHOR, [lesson.author] if lesson.author else [])

    countries = lesson.ordered("countries")
    names = [_country_name(country.code.code, language) for country in countries]
    one_line = " ".join(names)
    found, unknown = split_countries(one_line)
    if [code for code, _w in found] == [c.code.code for c in countries] and not unknown:
        country_values = [one_line] if names else []
    else:
        country_values = names
    if lesson.countries_text:
        country_values.append(lesson.countries_text)
    section(HEADING_COUNTRIES, country_values)

    with translation.override(language):
        phase = lesson.phase.label if lesson.phase_id else lesson.phase_text
    section(HEADING_PHASE, [phase] if phase else [])

    actors = lesson.ordered("actors", "actor__country")
    section(HEADING_ACTORS, [_export_actor(actor, language) for actor in actors])

    with translation.override(language):
        sdg_lines = [f"SDG {sdg.number}: {sdg.name}" for sdg in lesson.sdgs.order_by("number")]
    out.extend([HEADING_SDGS, ""])
    if sdg_lines:
        out.extend(sdg_lines)
        out.append("")
    out.append("")
    if _title_needs_heading(lesson.title):
        out.extend([f"TITLE: {lesson.title}", ""])
    else:
        out.extend([lesson.title, ""])

    section(body_label, [lesson.description] if lesson.description else [])
    section(HEADING_EXPERIENCE, [lesson.experience] if lesson.experience else [])

    out.extend([HEADING_IMPACTS, ""])
    if lesson.impacts_lead:
        out.extend([lesson.impacts_lead, ""])
    if lesson.impacts:
        out.extend(f"- {item}" for item in lesson.impacts)
        out.append("")
    if not lesson.impacts_lead and not lesson.impacts:
        out.append("")

    with translation.override(language):
        added = [
            f"- {value.number}. {value.label}"
            + ("" if value.label.endswith((".", "!", "?")) else ".")
            for value in lesson.added_values.order_by("number")
        ]
    section(HEADING_ADDED_VALUES, added, spaced=False)

    section(HEADING_KEYWORDS, list(lesson.keywords))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
