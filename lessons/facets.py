"""
The facets of the knowledge bank: how many of the lessons found have each country, phase,
SDG, added value, kind of actor, keyword, type and year. Every count is an aggregate the
database computes over the lessons found, given as a subquery: no lesson, id or keyword list
is loaded into Python, whatever the number found.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear

from countries.models import Actor, Country

from .models import SDG, AddedValue, KnowledgeType, Lesson, Phase

# The most frequent keywords shown.
KEYWORDS_SHOWN = 20


def keyword_counts(found, limit=KEYWORDS_SHOWN):
    """[(keyword, lessons)] of the lessons found, most frequent first: the JSON lists of
    keywords unnested by the database (jsonb_array_elements_text, json_each on SQLite)."""
    try:
        ids_sql, params = found.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that no lesson can match
        return []
    table = Lesson._meta.db_table
    if connection.vendor == "postgresql":
        unnest, keyword = f"jsonb_array_elements_text({table}.keywords) AS k(keyword)", "k.keyword"
    else:  # SQLite's json_each names its column "value"
        unnest, keyword = f"json_each({table}.keywords) AS k", "k.value"
    sql = (
        f"SELECT {keyword}, COUNT(DISTINCT {table}.id) AS n FROM {table}, {unnest} "
        f"WHERE {table}.id IN ({ids_sql}) GROUP BY {keyword} ORDER BY n DESC, {keyword} "
        f"LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(value, count) for value, count in cursor.fetchall()]


def _catalogue(model, relation, found):
    """The catalogue's entries that the lessons found have, each with how many have it, in the
    catalogue's order (which a grouped query does not apply by itself)."""
    return (
        model.objects.filter(**{f"{relation}__in": found})
        .annotate(found=Count("pk"))
        .order_by(*model._meta.ordering)
    )


def facets(found):
    """{facet: [(value, label, count)]} over the lessons found (a queryset), and their number."""
    ids = found.order_by().values("pk")
    types = dict(KnowledgeType.choices)
    kinds = dict(Actor.Kind.choices)
    by_type = list(
        found.order_by()
        .values("knowledge_type")
        .annotate(n=Count("pk", distinct=True))
        .order_by("knowledge_type")
    )
    result = {
        "type": [
            (row["knowledge_type"], types.get(row["knowledge_type"]), row["n"]) for row in by_type
        ],  # fmt: skip
        "country": [(c.pk, c.name, c.found) for c in _catalogue(Country, "lessons", ids)],
        "phase": [(p.pk, p.label, p.found) for p in _catalogue(Phase, "lessons", ids)],
        "sdg": [(s.number, str(s), s.found) for s in _catalogue(SDG, "lessons", ids)],
        "value": [(v.number, str(v), v.found) for v in _catalogue(AddedValue, "lessons", ids)],
        "actor_kind": [
            (row["actor__kind"], kinds[row["actor__kind"]], row["n"])
            for row in Lesson.actors.through.objects.filter(lesson_id__in=ids)
            .values("actor__kind")
            .annotate(n=Count("lesson_id", distinct=True))
            .order_by("actor__kind")
        ],
        "keyword": [(keyword, keyword, n) for keyword, n in keyword_counts(found)],
        "year": [
            (row["year"], row["year"], row["n"])
            for row in found.order_by()
            .annotate(year=ExtractYear("created_at"))
            .values("year")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-year")
        ],
    }
    # Every lesson has one type: their counts add up to the number found (no COUNT of its own).
    # Counted distinct: a filter on a many-to-many facet joins a row per match.
    return result, sum(row["n"] for row in by_type)
