"""
The facets of the knowledge bank: how many of the lessons found have each country, phase,
SDG, added value, kind of actor, keyword, type and year. Every count is an aggregate the
database computes over the lessons found: no lesson is loaded into Python to be counted.

The list with no search and no filter shows the facets of every lesson the reader may see: a
summary kept on write (core.summaries) of the published lessons and of all of them, so that
its cost does not grow with the knowledge bank. A search or a filter counts its own matches.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.functions import ExtractYear

from core import summaries
from countries.models import Actor, Country
from countries.roles import sees_everything

from .models import SDG, AddedValue, KnowledgeType, Lesson, Phase

# The most frequent keywords shown.
KEYWORDS_SHOWN = 20
# Up to this many lessons found, their relations' rows are looked up one lesson at a time.
FEW = 1000
FACETS = ("type", "country", "phase", "sdg", "value", "actor_kind", "keyword", "year")
SUMMARY = "lessons.facets"


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


# Each row gives its value as a word (a type, a kind, a keyword) or a number (a key, a number
# of the catalogue, a year); the other is a NULL of the column's type, as UNION wants.
NO_WORD, NO_NUMBER = "CAST(NULL AS TEXT)", "CAST(NULL AS INTEGER)"


def _statement(found):
    """The SQL of every facet's counts as rows (facet, value, lessons), and its parameters:
    the lessons found are read once (a common table expression) and grouped by each facet."""
    rows, params = (
        found.order_by()
        .annotate(year=ExtractYear("created_at"))
        .values("pk", "knowledge_type", "phase", "year", "keywords")
        .query.sql_with_params()
    )
    if found.query.distinct:
        rows = f"SELECT DISTINCT * FROM ({rows}) joined"
    lesson = Lesson._meta
    m2m = {
        facet: (_table(lesson.get_field(field).remote_field.through), lesson.get_field(field))
        for facet, field in (
            ("country", "countries"), ("sdg", "sdgs"), ("value", "added_values"),
            ("actor_kind", "actors"),
        )
    }  # fmt: skip

    def through(facet, word, number, *, unique):
        """Counts over a many-to-many relation: its rows of the lessons found, joined to the
        other side for the value shown (the SDG's number, the actor's kind). `unique`: the
        value is the other side's own (a lesson has it once), so the rows need not be made
        distinct, which would sort them all."""
        table, field = m2m[facet]
        own = connection.ops.quote_name(field.m2m_column_name())
        other = connection.ops.quote_name(field.m2m_reverse_name())
        target = field.remote_field.model
        counted = "COUNT(*)" if unique else f"COUNT(DISTINCT r.{own})"
        select = f"SELECT '{facet}', {word or NO_WORD}, {number or NO_NUMBER}, {counted} "
        joined = (
            f"JOIN {_table(target)} t ON t.{connection.ops.quote_name(target._meta.pk.column)}"
            f" = r.{other}"
        )
        group = f"GROUP BY {word or number}"
        # Written twice, each run only for its size of result (the number found, computed once,
        # decides before either runs): the planner cannot tell how many lessons a search finds,
        # and a plan good for a few (looking each one's rows up) is slow for thousands (which
        # want the relation hashed), and the other way round.
        return (
            f"{select} FROM {table} r {joined} WHERE (SELECT n FROM number_found) <= {FEW} "
            f"AND r.{own} IN (SELECT pk FROM found) {group} UNION ALL "
            f"{select} FROM found f JOIN {table} r ON r.{own} = f.pk {joined} "
            f"WHERE (SELECT n FROM number_found) > {FEW} {group}"
        )

    if connection.vendor == "postgresql":
        # Each lesson's few keywords made distinct apart: no sort of every pair found.
        keywords = "LATERAL (SELECT DISTINCT e FROM jsonb_array_elements_text(f.keywords) e) k(v)"
        keyword, counted = "k.v", "COUNT(*)"
    else:  # SQLite's json_each names its column "value"
        keywords, keyword, counted = "json_each(f.keywords) k", "k.value", "COUNT(DISTINCT f.pk)"
    parts = [
        f"SELECT 'total', {NO_WORD}, {NO_NUMBER}, n FROM number_found",
        f"SELECT 'type', knowledge_type, {NO_NUMBER}, COUNT(*) FROM found GROUP BY knowledge_type",
        f"SELECT 'phase', {NO_WORD}, phase, COUNT(*) FROM found WHERE phase IS NOT NULL "
        "GROUP BY phase",
        f"SELECT 'year', {NO_WORD}, CAST(year AS INTEGER), COUNT(*) FROM found GROUP BY year",
        through("country", None, f"t.{_column(Country, 'id')}", unique=True),
        through("sdg", None, f"t.{_column(SDG, 'number')}", unique=True),
        through("value", None, f"t.{_column(AddedValue, 'number')}", unique=True),
        # Two actors of a lesson may be of one kind.
        through("actor_kind", f"t.{_column(Actor, 'kind')}", None, unique=False),
        "SELECT * FROM ("
        f"SELECT 'keyword', {keyword}, {NO_NUMBER}, {counted} AS n FROM found f, {keywords} "
        f"GROUP BY {keyword} ORDER BY n DESC, {keyword} LIMIT {int(KEYWORDS_SHOWN)}) top",
    ]
    common = f"WITH found AS ({rows}), number_found AS (SELECT COUNT(*) AS n FROM found) "
    return common + " UNION ALL ".join(parts), params


def counts(found):
    """{facet: [[value, count]]} over the lessons found (a queryset), and their number; JSON
    as it is: the summary keeps it. The keywords come most frequent first (the first
    KEYWORDS_SHOWN), the years newest first; labelled() puts the rest in order."""
    result = {facet: [] for facet in FACETS}
    try:
        sql, params = _statement(found)
    except EmptyResultSet:  # a filter that no lesson can match
        return result, 0
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, word, number, count in cursor.fetchall():
            value = number if word is None else word
            if facet == "total":
                total = count
            else:
                result[facet].append([value, count])
    result["keyword"].sort(key=lambda row: (-row[1], row[0]))
    result["year"].sort(key=lambda row: -row[0])
    result["type"].sort()
    return result, total


# The facets that list a catalogue's entries, in the catalogue's order: the model, the field
# the counts give, and the entry's label in the active language.
CATALOGUES = {
    "country": (Country, "pk", lambda country: country.name),
    "phase": (Phase, "pk", lambda phase: phase.label),
    "sdg": (SDG, "number", str),
    "value": (AddedValue, "number", str),
}
# The facets of choices: their values' labels.
CHOICES = {"type": KnowledgeType.choices, "actor_kind": Actor.Kind.choices}


def labelled(counted):
    """{facet: [(value, label, count)]}: the counts with their labels in the active language,
    the catalogues' entries in their order (each catalogue read in one query)."""
    result = {}
    for facet, rows in counted.items():
        if facet in CATALOGUES:
            model, field, label = CATALOGUES[facet]
            found = dict(rows)
            # Entries removed from the catalogue since the summary was computed are left out.
            entries = model.objects.filter(**{f"{field}__in": found})
            result[facet] = [
                (getattr(e, field), label(e), found[getattr(e, field)]) for e in entries
            ]
        else:
            names = dict(CHOICES.get(facet, ()))
            result[facet] = [(value, names.get(value, value), count) for value, count in rows]
    return result


def facets(found):
    """{facet: [(value, label, count)]} over the lessons found (a queryset), and their number."""
    counted, total = counts(found)
    return labelled(counted), total


def _summary():
    """What the summary keeps: the counts of the published lessons and of all."""
    published, _ = counts(Lesson.objects.published())
    everything, _ = counts(Lesson.objects.all())
    return {"published": published, "all": everything}


def facets_of_all(user):
    """facets() of every lesson `user` may see, from the summary when it holds them: readers
    who see everything or only the published lessons (an author with lessons of their own not
    yet published is counted live)."""
    if sees_everything(user):
        part = "all"
    elif not getattr(user, "is_authenticated", False):
        part = "published"
    elif Lesson.objects.filter(created_by=user).exclude(status=Lesson.Status.PUBLISHED).exists():
        part = None
    else:
        part = "published"
    summary = summaries.current(SUMMARY) if part else None
    if summary is None:
        return facets(Lesson.objects.visible_to(user))
    counted = summary.data[part]
    return labelled(counted), sum(n for _, n in counted["type"])


# Writes that change a count: lessons, their relations, an actor's kind; deleting an entry of a
# catalogue removes its lessons' rows of the relation (phases are protected).
summaries.register(
    SUMMARY,
    _summary,
    watermark=lambda: summaries.highest((Lesson, "id"), (Lesson, "updated_at")),
    saved=(Lesson, Actor),
    deleted=(Lesson, Actor, Country, SDG, AddedValue),
    many_to_many=(
        Lesson.countries.through,
        Lesson.actors.through,
        Lesson.sdgs.through,
        Lesson.added_values.through,
    ),
)
