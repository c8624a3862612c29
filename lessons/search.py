"""
Full-text search of the knowledge bank: PostgreSQL's, with a GIN index, ranking,
accent-insensitive Spanish, Portuguese and English stemming chosen by each
lesson's language; on SQLite, a plain word-by-word match.
"""

import json

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Cast

# Text search configurations made by the migrations: the language's stemmer after unaccent.
CONFIGS = {"es": "pv_es", "pt": "pv_pt", "en": "pv_en"}
MAX_QUERY_LENGTH = 500  # longer input is cut, not refused
MAX_WORDS = 20


def on_postgresql():
    return connection.vendor == "postgresql"


def _lesson_config():
    return Case(
        *(When(language=code, then=Value(config)) for code, config in CONFIGS.items()),
        default=Value(CONFIGS["en"]),
    )


def index(lessons):
    """Recompute the search vector of these lessons, a queryset (PostgreSQL only)."""
    if not on_postgresql():
        return
    config = _lesson_config()
    lessons.update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector(Cast("keywords", TextField()), weight="A", config=config)
        + SearchVector("description", "experience", "impacts_lead", weight="B", config=config)
        + SearchVector(Cast("impacts", TextField()), "author", weight="C", config=config)
    )


def json_list_contains(field, text):
    """A JSON list of strings contains the text, in any case. SQLite keeps the JSON as
    written, with letters beyond ASCII escaped ("\\u00f3"): look for both forms."""
    found = Q(**{f"{field}__icontains": text})
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        found |= Q(**{f"{field}__icontains": escaped})
    return found


def clean_query(text):
    """The words typed, without NUL characters (PostgreSQL refuses them) and cut to
    MAX_QUERY_LENGTH at a word boundary (a word cut in two would match nothing)."""
    text = " ".join(text.replace("\x00", " ").split())
    if len(text) > MAX_QUERY_LENGTH:
        cut = text[: MAX_QUERY_LENGTH + 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut)[:MAX_QUERY_LENGTH]
    return text


def search(lessons, text):
    """The lessons matching the words typed, best first; any input is accepted."""
    text = clean_query(text)
    if not text:
        return lessons
    if on_postgresql():
        query = None
        for config in CONFIGS.values():
            part = SearchQuery(text, config=config, search_type="websearch")
            query = part if query is None else query | part
        return (
            lessons.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-pk")
        )
    for word in text.split()[:MAX_WORDS]:
        word = word.strip("\"'+-()")
        if word:
            lessons = lessons.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(experience__icontains=word)
                | Q(impacts_lead__icontains=word)
                | json_list_contains("keywords", word)
                | json_list_contains("impacts", word)
                | Q(author__icontains=word)
            )
    return lessons
