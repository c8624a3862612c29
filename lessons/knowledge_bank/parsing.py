"""
Reading a Knowledge Bank entry as it really comes (see the shipped
``knowledge-bank/building-together-the-methodology.txt``): a banner with the
knowledge type, headings in capitals or in sentence case ending with a colon,
values on the following lines, the title standing alone after the SDG section,
link noise, bullets or plain lines, several countries on one line, numbered
added values with gaps, Windows line endings, UTF-8 with or without BOM or
Latin-1. ``parse(data)`` returns plain values (``ParsedLesson``) and touches no
database; a file that cannot be read raises ``ImportProblem`` naming the problem
(and the line, where there is one).
"""

import codecs
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..catalogues import ADDED_VALUE_LABELS
from ..models import KnowledgeType
from .layout import (
    BANK_BANNERS,
    BODY_SECTIONS,
    HEADER_SECTIONS,
    INVISIBLE,
    LANGUAGES,
    LINK_NOISE,
    TYPE_BY_BODY_LABEL,
    country_code,
    heading,
    is_bullet,
    knowledge_type_named,
    names_in_languages,
    norm,
    sdg_numbers,
    split_countries,
    strip_bullet,
)


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
        return self.country is not None and norm(self.name) == norm(self.country)

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


# --- actors ----------------------------------------------------------------------------

ACTOR_SEPARATOR = re.compile(r"\s*[-–—,]+\s*")
ACRONYM = re.compile(r"^(.*?)\s*\(([^()]+)\)$")


def _looks_like_acronym(text):
    return (
        len(text) <= 30 and not re.search(r"\s", text) and sum(1 for c in text if c.isupper()) >= 2
    )


def parse_actor(text):
    """ "Name (ACRONYM) - Country", with irregular dashes, or the country alone."""
    text = strip_bullet(text)
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


ADDED_VALUE_NUMBERED = re.compile(r"^(\d{1,2})\s*[.):\-–—]?\s*(.*)$")


def _added_value_number(text):
    """The number of an added value line ("1. Building ownership and trust."), or None."""
    text = strip_bullet(text, numbers=False)
    match = ADDED_VALUE_NUMBERED.match(text)
    if match:
        return int(match.group(1))
    label = norm(text)
    for number in ADDED_VALUE_LABELS:
        if label and any(
            name.startswith(label) or label.startswith(name)
            for name in names_in_languages(ADDED_VALUE_LABELS, number)
        ):
            return number
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
    values = [strip_bullet(text) for _n, text in _nonblank(lines)]
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
        found = heading(line, sections.keys(), in_body=bool(BODY_SECTIONS & sections.keys()))
        if found:
            current, inline = found
            sections[current] = [(number, inline)] if inline else []
            heading_line[current] = number
            heading_text[current] = line
            continue
        if current is None:
            if line and norm(line) in BANK_BANNERS:
                continue
            kind = knowledge_type_named(line) if line else None
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
        kind = knowledge_type_named(value)
        if kind and knowledge_type is None:
            knowledge_type = kind
        elif value and kind is None:
            warnings.append(
                _("line %(line)s: unknown type of knowledge “%(value)s”.")
                % {"line": heading_line["type"], "value": value}
            )
    if knowledge_type is None and "description" in heading_text:
        label = norm(heading_text["description"].split(":", 1)[0])
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
        found, not_found = split_countries(strip_bullet(line))
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
        for keyword in re.split(r"[;,]", strip_bullet(line)):
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
    if any(is_bullet(text) for _n, text in nonblank):
        lead, items = [], []
        for number, text in lines:
            if is_bullet(text):
                items.append(strip_bullet(text))
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
