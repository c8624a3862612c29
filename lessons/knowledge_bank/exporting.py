"""
Writing a lesson back in the Knowledge Bank plain-text layout: import → export → import
gives the same lesson.
"""

from django.utils import translation

from ..models import KNOWLEDGE_TYPE_BANNERS, KNOWLEDGE_TYPE_BODY_LABELS, KnowledgeType
from .layout import (
    BANK_BANNERS,
    LANGUAGES,
    country_code,
    country_name,
    heading,
    knowledge_type_named,
    norm,
    sdg_numbers,
    split_countries,
)

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
        or heading(title, set(), in_body=False)
        or knowledge_type_named(title)
        or norm(title) in BANK_BANNERS
    )


def _export_actor(actor, language):
    text = f"{actor.name} ({actor.acronym})" if actor.acronym else actor.name
    if actor.country_id:
        code = actor.country.code.code
        if country_code(actor.name) != code:
            text += f" - {country_name(code, language)}"
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
    names = [country_name(country.code.code, language) for country in countries]
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
