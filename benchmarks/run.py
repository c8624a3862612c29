"""
`make bench`: what users wait for, on generated data at the bench scale (500 visits, 5,000
lessons) and at ten times it (5,000 visits, 50,000 lessons), in a throw-away database (the
test database of the configured one: SQLite by default, PostgreSQL with DATABASE_URL).
Printed as a table and written to benchmarks/results/latest.json; exits 1 when a goal is
missed. See README ("What each page costs") for what is measured and why.
"""

import os
import sys
import tempfile
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peervisits.settings")
# Generated files go to a temporary media folder, never the developer's.
MEDIA = tempfile.TemporaryDirectory(prefix="peervisits-bench-")
os.environ["MEDIA_ROOT"] = MEDIA.name
django.setup()

from django.conf import settings  # noqa: E402 (Django is set up first)
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from benchmarks import data, load, pages, reports, throughput  # noqa: E402
from benchmarks.results import LATEST, Result, table, write  # noqa: E402
from core import summaries  # noqa: E402
from countries import demo as countries_demo  # noqa: E402
from lessons import demo as lessons_demo  # noqa: E402
from lessons import facets, search  # noqa: E402
from lessons.models import Lesson  # noqa: E402
from peervisits.celery import app  # noqa: E402
from visits import figures  # noqa: E402
from visits.methodology import demo as methodology_demo  # noqa: E402
from visits.models import Visit  # noqa: E402

SCALE = {"visits": 500, "lessons": 5000, "actors": 60}
TENFOLD = {key: value * 10 for key, value in SCALE.items()}
OVERVIEW_SIZES = [300, 3000, 5000]
# Goals: every page at most 10× the floor at the bench scale (the search matching almost
# everything 25×); growing the data tenfold grows a page's time at most 1.3× (that search 2×),
# its queries not at all, its peak memory at most 1.3×; the programme figures within 10× of
# the floor even at ten times the data.
PAGE_GOAL, ALL_MATCH_GOAL = 10.0, 25.0
GROWTH_GOAL, ALL_MATCH_GROWTH_GOAL, MEMORY_GOAL = 1.3, 2.0, 1.3
ALL_MATCH = "lesson search, almost all match"


def grow_visits_to(total):
    present = Visit.objects.count()
    if total > present:
        data.make_visits(total - present, first_number=1000 + present)


def settle(scale):
    """After generating data: what production has by then. The tables vacuumed and their
    statistics for the planner (VACUUM ANALYZE, as autovacuum keeps them) and the summaries
    computed (the generator's bulk inserts send no signal; in production each write refreshes
    them). How long computing them takes is the cost a write pays at this scale."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    results = []
    for key in (facets.SUMMARY, figures.SUMMARY):
        started = time.perf_counter()
        summaries.refresh(key, force=True)
        elapsed = time.perf_counter() - started
        results.append(Result(f"summary {key} computed after a write, at {scale}", elapsed * 1000,
                              "ms"))  # fmt: skip
    return results


def stage(started, what):
    print(f"[{time.perf_counter() - started:5.0f} s] {what}", flush=True)


def page_label(measured):
    return f"{measured.page.name} [{measured.page.username}]"


def page_goal(page, scale):
    if scale == "1×":
        return ALL_MATCH_GOAL if page.name == ALL_MATCH else PAGE_GOAL
    return PAGE_GOAL if page.name == "programme figures" else None


def page_results(measured, scale):
    return [
        Result(
            f"page {page_label(m)} at {scale}",
            m.seconds * 1000,
            "ms",
            m.ratio,
            page_goal(m.page, scale),
        )  # fmt: skip
        for m in measured
    ]


def growth_results(small, large):
    results = []
    for one, ten in zip(small, large, strict=True):
        label = page_label(one)
        growth_goal = ALL_MATCH_GROWTH_GOAL if one.page.name == ALL_MATCH else GROWTH_GOAL
        results += [
            Result(f"growth {label}, 1× → 10×", ten.ratio / one.ratio, "×", ten.ratio / one.ratio,
                   growth_goal),
            Result(f"queries {label}: {one.queries} at 1×, {ten.queries} at 10×", ten.queries,
                   "queries", ten.queries / one.queries, 1.0),
            Result(f"peak memory {label} at 10× / at 1×", ten.peak_bytes / 1024, "KiB",
                   ten.peak_bytes / one.peak_bytes, MEMORY_GOAL),
        ]  # fmt: skip
    return results


def lesson_search_plan():
    """The plans of the search with few matches on PostgreSQL, with fresh statistics: its page
    of lessons and its facets' counts (one statement) both find the matches by the GIN index."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    found = search.search(Lesson.objects.all(), data.RARE_WORD)
    plans = {"page": found.explain()}
    sql, params = facets._statement(found)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plans["facets"] = "\n".join(row[0] for row in cursor.fetchall())
    results = []
    for part, plan in plans.items():
        print(f"lesson search plan, {part} (few matches, after ANALYZE):\n{plan}\n")
        used = int("lessons_lesson_search_gin" in plan)
        results.append(
            Result(f"lesson search, few matches, {part} uses its GIN index (1 = yes)", used, "bool")
        )
    return results


def measure():
    started = time.perf_counter()
    countries_demo.load()
    methodology_demo.load()
    lessons_demo.load()
    data.make_actors(SCALE["actors"])
    data.make_versions(3)
    data.make_lessons(SCALE["lessons"])
    big = data.make_visit(1, host="PY")
    # Its pages are those of a visit under way: conducted, findings and evaluations open.
    Visit.objects.filter(pk=big.pk).update(status=Visit.Status.CONDUCTED)
    results = reports.renders(big)

    grow_visits_to(OVERVIEW_SIZES[0])
    stage(started, f"{Visit.objects.count()} visits")
    results.append(reports.overview(Visit.objects.count()))
    grow_visits_to(SCALE["visits"])
    stage(started, f"the bench scale: {pages.counts_of_visits_and_lessons()} (visits, lessons)")
    results += settle("1×")
    small = pages.measure_all(big, "1×")
    results += page_results(small, "1×")
    results += reports.requests(big)

    data.make_actors(TENFOLD["actors"])
    data.make_lessons(TENFOLD["lessons"])
    grow_visits_to(OVERVIEW_SIZES[1])
    stage(started, f"{Visit.objects.count()} visits")
    results.append(reports.overview(Visit.objects.count()))
    grow_visits_to(TENFOLD["visits"])
    stage(started, f"ten times: {pages.counts_of_visits_and_lessons()} (visits, lessons)")
    results += settle("10×")
    results.append(reports.overview(Visit.objects.count()))
    large = pages.measure_all(big, "10×")
    results += page_results(large, "10×")
    results += growth_results(small, large)
    results += reports.requests(big)
    results += throughput.run(big)
    results += lesson_search_plan()
    stage(started, "measured")
    return results


def main():
    # Jobs run in this process. A report request hands its job to the broker as in production
    # (Redis with REDIS_URL, purged afterwards); without Redis, to a broker in memory.
    if not settings.REDIS_URL:
        app.conf.broker_url = "memory://"
    # Not setup_test_environment(): its instrumented template rendering would slow the pages.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        results = measure()
    finally:
        teardown_databases(databases, verbosity=0)
        MEDIA.cleanup()
    results += load.run()
    print(table(results))
    write(results)
    print(f"\nwritten to {os.path.relpath(LATEST)}")
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
