"""
The vocabulary of the Knowledge Bank layout, shared by reading and writing it: words
compared without accents or case, bullets, country names in English, Spanish and Portuguese,
SDG lines, and the headings of the sections.
"""

import functools
import re
import unicodedata

from django.utils import translation
from django_countries import countries as all_countries

from ..catalogues import SDG_NAMES
from ..models import KnowledgeType

LANGUAGES = ("en", "es", "pt")


def unaccent(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def tokens(text):
    """Words without accents or case: what names are compared on."""
    return [unaccent(word).casefold() for word in re.findall(r"\w+", text)]


def norm(text):
    return " ".join(tokens(text))


LINK_NOISE = re.compile(
    r"\(\s*(?:more information|more info|further information|m[aá]s informaci[oó]n|"
    r"mais informa[cç](?:[aã]o|[oõ]es))(?:\s+(?:here|aqu[ií]|aqui))?\s*\)",
    re.IGNORECASE,
)
# Bullets of lists: symbols, or numbers ("1." "2)") where numbers carry no meaning.
SYMBOL_BULLET = re.compile(r"^[-–—•*·◦▪●○■□➢►‣⁃]+\s*")
NUMBER_BULLET = re.compile(r"^\d{1,2}[.)]\s+")
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


def strip_bullet(text, numbers=True):
    text = SYMBOL_BULLET.sub("", text, count=1)
    if numbers:
        text = NUMBER_BULLET.sub("", text, count=1)
    return text.strip()


def is_bullet(text):
    return bool(SYMBOL_BULLET.match(text) or NUMBER_BULLET.match(text))


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
                index.setdefault(tuple(tokens(str(name))), code)
    return index, max(len(key) for key in index)


def country_code(text):
    """The ISO code of a text that is exactly a country's name (en/es/pt), or None."""
    index, _longest = _country_index()
    return index.get(tuple(tokens(text)))


def split_countries(text):
    """Countries on one line, separated by spaces or anything else ("Costa Rica" is one).

    Returns ([(code, as written)], [unrecognised texts]).
    """
    index, longest = _country_index()
    words = [
        (m.start(), m.end(), unaccent(m.group()).casefold()) for m in re.finditer(r"\w+", text)
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


def country_name(code, language):
    with translation.override(language):
        return str(all_countries.name(code))


# --- SDGs and added values ---------------------------------------------------------------

SDG_PREFIXED = re.compile(
    r"^(?:SDGs?|ODS|Goals?|Objetivos?)\s*(?:n[.ºo°]*\s*)?#?\s*(\d{1,2})(?!\d)(.*)$", re.IGNORECASE
)
SDG_NUMBERED = re.compile(r"^(\d{1,2})\s*[.:)\-–—]\s*(.+)$")
SDG_MORE_NUMBERS = re.compile(
    r"^(?:\s*(?:,|;|&|and|y|e)?\s*(?:SDGs?|ODS)?\s*#?\s*\d{1,2})+\s*\.?$", re.IGNORECASE
)


def names_in_languages(labels, key):
    names = set()
    for language in LANGUAGES:
        with translation.override(language):
            names.add(norm(str(labels[key])))
    return names


def sdg_numbers(text):
    """The SDG numbers a line names ("SDG 5", "ODS 5: Igualdad…", "5. Gender Equality"), or None
    when the line is not about SDGs."""
    text = strip_bullet(text, numbers=False)
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
        number, rest = int(match.group(1)), norm(match.group(2))
        if number in SDG_NAMES and any(
            rest.startswith(name) for name in names_in_languages(SDG_NAMES, number)
        ):
            return [number]
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


def knowledge_type_named(text):
    return TYPE_BY_NAME.get(norm(text.rstrip(":")))


def _in_capitals(text):
    """Written in capitals, allowing a plural's lower-case s ("CONTRIBUTION TO THE SDGs")."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def heading(text, seen, in_body):
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
    head_norm = norm(head)
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
